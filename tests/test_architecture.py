"""The architecture's rules that import-linter does not check (its layers and no-cycles
contracts run in `make test` as `lint-imports`): no private name taken from another module, and
docs/guide/architecture.md naming exactly the packages and modules the tree has."""

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.backend_independent(reason="reads source files only")

PACKAGE = ROOT / "kgraphs"
GUIDE = ROOT / "docs" / "guide" / "architecture.md"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """`from kgraphs.x import _name` and `module._name` for a kgraphs module imported by name,
    in one source file (laid out under `root`): each as `line: what`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    own = module_name(path, root)
    found = []
    modules: dict[str, str] = {}  # local name -> kgraphs module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kgraphs"):
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and node.module != own:
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kgraphs") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_private_name_is_imported_from_another_module(path):
    assert private_imports(path) == []


def test_the_private_import_check_finds_both_spellings(tmp_path):
    probe = tmp_path / "kgraphs" / "drawing" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "from kgraphs.drawing.plot import _format, plot\n"
        "from kgraphs.drawing import graphviz\n"
        "graphviz._stderr(None)\n"
        "plot.__doc__\n"
        "from kgraphs.drawing.probe import _own  # its own private name: fine\n"
    )
    assert private_imports(probe, tmp_path) == [
        "1: from kgraphs.drawing.plot import _format",
        "3: graphviz._stderr",
    ]


def guide_rows() -> dict[str, str]:
    """The guide's package table: each package named in a row -> that row's text."""
    rows = {}
    for line in GUIDE.read_text().splitlines():
        cells = line.split(" | ", 1)
        if not line.startswith("| `kgraphs.") or len(cells) < 2:
            continue
        for package in re.findall(r"`(kgraphs\.\w+)`", cells[0]):
            rows[package] = cells[1]
    return rows


def test_the_architecture_guide_names_every_package_and_no_other():
    packages = {
        module_name(init.parent / "__init__.py")
        for init in PACKAGE.glob("*/__init__.py")
        if init.parent.name != "recipes"
    }
    assert set(guide_rows()) == packages


def test_each_package_row_names_each_of_its_modules():
    for package, row in guide_rows().items():
        folder = ROOT / package.replace(".", "/")
        for child in sorted(folder.iterdir()):
            if child.name.startswith("_") or child.name == "__pycache__":
                continue
            named = f"`{child.stem}`" if child.suffix == ".py" else f"`{child.name}/`"
            if child.suffix == ".py" or child.is_dir():
                assert named in row, f"{package}: the guide does not name {child.name}"


def test_the_guide_is_linked_from_the_readme_and_the_site():
    assert "docs/guide/architecture.md" in (ROOT / "README.md").read_text()
    assert "guide/architecture.md" in (ROOT / "mkdocs.yml").read_text()
