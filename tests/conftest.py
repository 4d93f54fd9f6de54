"""Shared test set-up: the repo root as working directory, a known environment, recipe tables.

No test may depend on the shell it is started from. The variables that change what Keras,
TensorFlow or kgraphs do are set here for this process (before anything imports them), and
subprocesses get `clean_environment()`: what `env -i` leaves, plus exactly what the test asks.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECIPES = sorted(
    path
    for path in (ROOT / "recipes").rglob("*")
    if path.suffix in {".yaml", ".yml", ".json", ".toml"}
)

# The suite tests one Keras backend with kgraphs' own limits, whatever the shell exports:
# TensorFlow, or the one KGRAPHS_TEST_BACKEND names (`make test` runs the backend-dependent
# tests again with KGRAPHS_TEST_BACKEND=jax). KERAS_BACKEND itself is not read, so a shell
# that exports it for other work does not change what the suite tests.
BACKEND = os.environ.get("KGRAPHS_TEST_BACKEND") or "tensorflow"
PINNED = {"KERAS_BACKEND": BACKEND, "TF_CPP_MIN_LOG_LEVEL": "3"}
UNSET = ("KGRAPHS_MAX_PARAMETERS", "TF_CONFIG", "CUDA_VISIBLE_DEVICES", "TF_ENABLE_ONEDNN_OPTS")
os.environ.update(PINNED)
for name in UNSET:
    os.environ.pop(name, None)


# tests/site/ tests the documentation site, which `make docs` builds first; `make test` runs
# them after it (KGRAPHS_SITE_TESTS=1 pytest tests/site), so a plain run leaves them out.
collect_ignore = [] if os.environ.get("KGRAPHS_SITE_TESTS") == "1" else ["site"]


def clean_environment(**variables: str) -> dict[str, str]:
    """An environment for a subprocess: PATH and HOME, the pinned variables, then `variables`.

    PATH stays so that `dot` and `chromium` are found where this machine has them; HOME stays
    because Keras keeps its settings there. Everything else a developer's shell might export
    (log levels, locale, backend, TF_CONFIG) is dropped.
    """
    kept = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return {**kept, **PINNED, **variables}


def run_kgraphs(*arguments: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess:
    """`python -m kgraphs ARGUMENTS` as a user runs it: from `cwd`, in a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "kgraphs", *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=clean_environment(**variables),
    )


def recipe_id(path: Path) -> str:
    return str(path.relative_to(ROOT / "recipes"))


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch):
    # Docstrings and recipes refer to paths such as recipes/ticket_priority.yaml.
    monkeypatch.chdir(ROOT)


# The test modules whose results depend on the Keras backend: building, calling, training,
# saving, exporting, drawing and the notebooks. `make test` runs them (and the doctests) once
# more with KGRAPHS_TEST_BACKEND=jax. The rest (validation, schema, the pages, the gallery's
# layout) never computes with a backend. tests/test_cross_backend.py starts both backends itself.
BACKEND_DEPENDENT = {
    "test_atomic_outputs.py",
    "test_bad_recipes.py",
    "test_chapter_fidelity.py",
    "test_cli.py",
    "test_diff.py",
    "test_fuzz.py",
    "test_graph.py",
    "test_graph_calls.py",
    "test_keras_distribution.py",
    "test_notebooks.py",
    "test_plotting.py",
    "test_real_models.py",
    "test_recipes.py",
    "test_registry.py",
}


MARKERS_RUN_ONCE = ("tensorflow_only", "backend_independent")
# Doctests run on TensorFlow only: tf.distribute's, and KerasTuner's search loop (half a minute
# on JAX; the fits it runs are test_recipes' on both backends).
DOCTESTS_RUN_ONCE = {"distributed.py", "tuning.py"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "tensorflow_only(reason): about TensorFlow itself (tf.distribute, its C++ logs); "
        "not run on other backends",
    )
    config.addinivalue_line(
        "markers",
        "backend_independent(reason): in a backend-dependent module, a test whose result "
        "does not depend on the backend; run once, on TensorFlow",
    )


def pytest_collection_modifyitems(config, items):
    """On a backend other than TensorFlow, keep the backend-dependent tests that are not about
    TensorFlow itself; the others are reported as deselected, never skipped silently."""
    if BACKEND == "tensorflow":
        return
    kept, dropped = [], []
    for item in items:
        path = item.path
        if path.parent.name == "tests":
            dependent = path.name in BACKEND_DEPENDENT
        else:  # a doctest: the public API's examples
            dependent = path.name not in DOCTESTS_RUN_ONCE
        once = any(item.get_closest_marker(name) for name in MARKERS_RUN_ONCE)
        if dependent and not once:
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
