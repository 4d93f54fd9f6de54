"""kgraphs reports the backend Keras chooses, by Keras's own rule, checked against Keras itself."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import clean_environment

pytestmark = pytest.mark.backend_independent(
    reason="each case starts its own process, on the backend it names or none"
)

OURS = (
    "import sys\nfrom kgraphs.util.backend import backend\nprint(backend())\n"
    "assert 'keras' not in sys.modules"
)
# Keras's own rule: its `keras/src/backend/config.py` run as it is, with stand-ins for the
# two helpers it imports (a decorator, a global store), so no backend has to be installed.
KERAS = """
import importlib.util, os, sys, types
(package,) = importlib.util.find_spec("keras").submodule_search_locations
for name in ("keras", "keras.src", "keras.src.backend", "keras.src.backend.common"):
    sys.modules[name] = types.ModuleType(name)
api = sys.modules["keras.src.api_export"] = types.ModuleType("keras.src.api_export")
api.keras_export = lambda *names, **options: (lambda function: function)
store = sys.modules["keras.src.backend.common.global_state"] = types.ModuleType("global_state")
store.set_global_attribute = lambda name, value: None
sys.modules["keras.src.backend.common"].global_state = store
path = os.path.join(package, "src", "backend", "config.py")
spec = importlib.util.spec_from_file_location("keras_backend_config", path)
config = importlib.util.module_from_spec(spec)
spec.loader.exec_module(config)
print(config.backend())
"""


def run(code: str, environment: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("variable", "in_file", "expected"),
    [
        (None, "jax", "jax"),  # keras.json names it
        ("torch", "jax", "torch"),  # KERAS_BACKEND wins over the file
        ("", "jax", "jax"),  # an empty KERAS_BACKEND is not a choice
        (None, None, "tensorflow"),  # no file: Keras's default
    ],
)
def test_the_backend_is_the_one_keras_chooses(tmp_path, variable, in_file, expected):
    if in_file is not None:
        (tmp_path / "keras.json").write_text(json.dumps({"backend": in_file}))
    environment = clean_environment(KERAS_HOME=str(tmp_path))
    environment.pop("KERAS_BACKEND")
    if variable is not None:
        environment["KERAS_BACKEND"] = variable
    assert run(OURS, environment) == run(KERAS, environment) == expected


def test_version_and_list_verbose_name_the_backend_without_importing_tensorflow(tmp_path):
    code = (
        "import contextlib, io, sys\nfrom kgraphs.cli.main import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        "    main(['--version'])\n"
        "with contextlib.redirect_stdout(out):\n"
        "    assert main(['list', '--verbose']) == 0\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "print(out.getvalue())\n"
    )
    output = run(code, clean_environment(KERAS_BACKEND="jax")).splitlines()
    assert output[0].startswith("kgraphs 0.1.0, Keras 3.")
    assert output[0].endswith(", backend jax (from KERAS_BACKEND)")
    assert output[-1] == output[0]  # list --verbose ends with the same line
