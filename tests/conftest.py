"""Shared test set-up: the repo root as working directory, quiet TensorFlow, recipe tables."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECIPES = sorted(
    path
    for path in (ROOT / "recipes").rglob("*")
    if path.suffix in {".yaml", ".yml", ".json", ".toml"}
)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def recipe_id(path: Path) -> str:
    return str(path.relative_to(ROOT / "recipes"))


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch):
    # Docstrings and recipes refer to paths such as recipes/ticket_priority.yaml.
    monkeypatch.chdir(ROOT)
