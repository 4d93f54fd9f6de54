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

# The suite tests the TensorFlow backend with kgraphs' own limits, whatever the shell exports.
PINNED = {"KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
UNSET = ("KGRAPHS_MAX_PARAMETERS", "TF_CONFIG", "CUDA_VISIBLE_DEVICES", "TF_ENABLE_ONEDNN_OPTS")
os.environ.update(PINNED)
for name in UNSET:
    os.environ.pop(name, None)


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
