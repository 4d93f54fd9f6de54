"""`import kgraphs` is light: public names import their modules on first use, architectures
theirs when first used, and every public name still resolves as before."""

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import kgraphs
import kgraphs.models.architectures
from kgraphs.models import registry

pytestmark = pytest.mark.backend_independent(
    reason="which modules an import loads and what the public names resolve to"
)


def run_python(code: str) -> str:
    """Run `code` in a fresh interpreter (nothing imported yet); its standard output."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def imported_after(code: str) -> set[str]:
    """The top-level packages and kgraphs modules in sys.modules after running `code`."""
    output = run_python(f"import sys\n{code}\nprint(' '.join(sys.modules))")
    return {name if name.startswith("kgraphs") else name.split(".")[0] for name in output.split()}


def test_import_kgraphs_imports_nothing_heavy():
    modules = imported_after("import kgraphs")
    assert not modules & {"numpy", "keras", "tensorflow", "pydantic", "yaml"}, modules
    assert {m for m in modules if m.startswith("kgraphs")} == {
        "kgraphs",
        "kgraphs.models",
        "kgraphs.models.builtin",
    }


def test_architecture_names_need_no_architecture_module():
    modules = imported_after("import kgraphs; print(kgraphs.architectures())")
    assert not {m for m in modules if m.startswith("kgraphs.models.architectures")}, modules


def test_a_recipe_imports_only_its_architecture():
    modules = imported_after("import kgraphs; kgraphs.load_recipe('ticket_priority')")
    assert {m for m in modules if m.startswith("kgraphs.models.architectures.")} == {
        "kgraphs.models.architectures.ticket_priority"
    }
    assert not modules & {"numpy", "keras", "tensorflow"}, modules


def test_every_public_name_resolves_in_a_fresh_process():
    # Each name imported on its own, first thing, as `from kgraphs import X` does in a script.
    code = "\n".join(
        [
            "import importlib, subprocess, sys",
            "import kgraphs",
            "names = kgraphs.__all__",
            "assert sorted(names) == sorted(set(names))",
            "assert set(names) <= set(dir(kgraphs)), set(names) - set(dir(kgraphs))",
            "for name in names:",
            "    code = f'from kgraphs import {name}; assert {name} is not None'",
            "    subprocess.run([sys.executable, '-c', code], check=True)",
            "print('ok')",
        ]
    )
    assert run_python(code).strip() == "ok"


@pytest.mark.parametrize("name", kgraphs.__all__)
def test_public_name_is_what_its_module_defines(name):
    value = getattr(kgraphs, name)
    assert value is not None
    assert getattr(value, "__module__", "").startswith("kgraphs")
    if callable(value) and not isinstance(value, type):
        assert value.__doc__, f"kgraphs.{name} has no docstring"


def test_no_module_or_package_shares_a_public_name():
    # `import kgraphs.NAME` binds the submodule over the package's attribute: a module named
    # like a public function (`presets`, `diff`, `plot`) would replace the function.
    submodules = {info.name for info in pkgutil.iter_modules(kgraphs.__path__)}
    assert not submodules & set(kgraphs.__all__)
    output = run_python(
        "import kgraphs\nkgraphs.load_recipe('image_multitask')\nkgraphs.diff('graph/seq2seq', "
        "'graph/seq2seq')\nprint(callable(kgraphs.presets), callable(kgraphs.diff))"
    )
    assert output.strip() == "True True"


def test_the_type_checkers_imports_are_the_public_table():
    """`kgraphs.PUBLIC` is the one list; the TYPE_CHECKING imports must say the same."""
    tree = ast.parse(inspect.getsource(kgraphs))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    imported = {alias.name: node.module for node in block.body for alias in node.names}
    assert imported == kgraphs.PUBLIC


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        kgraphs.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'saving'"):
        kgraphs.saving  # noqa: B018  (a module path of the flat layout, gone)


def test_builtin_table_matches_what_the_modules_register():
    package = kgraphs.models.architectures
    modules = {f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)}
    assert set(registry.BUILTIN.values()) == modules
    for name, module_name in registry.BUILTIN.items():
        module = importlib.import_module(module_name)
        architecture = registry.get(name)
        assert architecture.builder.__module__ == module_name
        assert getattr(module, name).architecture is architecture
        assert getattr(kgraphs, name) is getattr(module, name)
    assert registry.names() == sorted(registry.BUILTIN) == kgraphs.architectures()
