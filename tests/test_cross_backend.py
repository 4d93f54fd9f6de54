"""A `.keras` file saved on TensorFlow loads on JAX with the same outputs, and the other way.

Shipped recipes are built and trained a step on one backend, saved, then loaded on the other
by `keras.saving.load_model` alone, and must predict the saved outputs within 1e-5 and keep
training from the saved optimizer state. Each backend runs in a process of its own
(tests/cross_backend_run.py), whichever backend this suite runs on: one process a backend saves
every recipe, then one a backend loads the other's files (the two backends side by side, one a
core), once per test run, and each recipe's outcome is a test of its own.
"""

import contextlib
import fcntl
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ALLOCATABLE, ROOT, clean_environment

from kgraphs.util.atomic import write_text

pytestmark = [
    pytest.mark.slow,
    pytest.mark.backend_independent(
        reason="starts a process on each backend itself, whichever backend the suite runs on",
        on="jax",
    ),
]

# Each layer class and optimizer of the shipped recipes crosses the backends in at least one
# recipe: the graph recipes of the chapter's models hold the chapter recipes' layers,
# inception_module's are unet_small's, and the variants (levels, cosine, the stages, global
# pooling) add none. Leaving those out keeps this test near half a minute a direction;
# test_the_recipes_left_out_add_no_layer_or_optimizer fails when a new recipe would.
SAME_LAYERS_AS_ANOTHER = {
    "graph/image_multitask.yaml",
    "graph/inception_module.yaml",
    "graph/residual_cnn.yaml",
    "graph/siamese_text.yaml",
    "graph/ticket_priority.yaml",
    "image_multitask_gap.toml",
    "residual_cnn.yaml",
    "siamese_text.yaml",
    "siamese_text_cosine.yaml",
    "ticket_priority_levels.yaml",
}
CHECKED = [
    path
    for path in ALLOCATABLE
    if str(path.relative_to(ROOT / "recipes")) not in SAME_LAYERS_AS_ANOTHER
]
BACKENDS = ("tensorflow", "jax")
DIRECTIONS = [("tensorflow", "jax"), ("jax", "tensorflow")]


def saved_name(path: Path) -> str:
    """The name cross_backend_run.py saves a recipe's model under (recipes__graph__x)."""
    return str(path.relative_to(ROOT).with_suffix("")).replace("/", "__")


def start(backend: str, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "cross_backend_run.py"), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=clean_environment(KERAS_BACKEND=backend),
    )


def communicate(process: subprocess.Popen) -> tuple[str, str]:
    return process.communicate(timeout=600)


def reports(processes: dict[str, subprocess.Popen]) -> dict[str, dict]:
    """Each process's JSON report by backend, once all have ended; the first failure raised.
    (A thread a process reads its pipes, so that neither waits on a full one.)"""
    with ThreadPoolExecutor(max_workers=len(processes)) as pool:
        ended = dict(zip(processes, pool.map(communicate, processes.values()), strict=True))
    for backend, process in processes.items():
        assert process.returncode == 0, (
            f"{process.args[2:4]} on {backend}:\n{ended[backend][1][-3000:]}"
        )
    return {backend: json.loads(stdout) for backend, (stdout, _) in ended.items()}


def exchange(folder: Path) -> dict:
    """Both backends save every CHECKED recipe, then load the other's files:
    {"saved": {backend: ...}, "loaded": {backend: ...}}, as cross_backend_run.py reports them."""
    recipes = [str(path.relative_to(ROOT)) for path in CHECKED]
    saved = reports(
        {backend: start(backend, "save", str(folder / backend), *recipes) for backend in BACKENDS}
    )
    loaded = reports(
        {
            loaded_on: start(loaded_on, "load", str(folder / saved_on))
            for saved_on, loaded_on in DIRECTIONS
        }
    )
    for backend in BACKENDS:
        assert saved[backend]["backend"] == loaded[backend]["backend"] == backend
    return {
        "saved": {backend: report["models"] for backend, report in saved.items()},
        "loaded": {backend: report["models"] for backend, report in loaded.items()},
    }


@pytest.fixture(scope="session")
def exchanged(tmp_path_factory, worker_id) -> dict:
    """`exchange`'s result, computed once per test run: under pytest-xdist the first worker to
    get here runs it (its two processes a core each) while the other waits for its report."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder above each worker's own
    with open(shared / "cross_backend.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = shared / "cross_backend.json"
        if not report.exists():
            folder = shared / "cross_backend"
            for backend in BACKENDS:
                os.makedirs(folder / backend, exist_ok=True)
            try:
                result = {"exchanged": exchange(folder)}
            except Exception as error:  # the other worker reports it too, without rerunning
                result = {"failed": f"{type(error).__name__}: {error}"}
            write_text(report, json.dumps(result))
        result = json.loads(report.read_text())
    with contextlib.suppress(KeyError):
        return result["exchanged"]
    pytest.fail(result["failed"], pytrace=False)


def test_every_recipe_is_saved_and_loaded_on_each_backend(exchanged):
    expected = {saved_name(path) for path in CHECKED}
    assert len(expected) == len(CHECKED) == len(ALLOCATABLE) - len(SAME_LAYERS_AS_ANOTHER)
    for saved_on, loaded_on in DIRECTIONS:
        assert set(exchanged["saved"][saved_on]) == expected
        assert set(exchanged["loaded"][loaded_on]) == expected


@pytest.mark.parametrize(
    "recipe", CHECKED, ids=lambda path: str(path.relative_to(ROOT / "recipes"))
)
@pytest.mark.parametrize(("saved_on", "loaded_on"), DIRECTIONS)
def test_keras_files_load_on_the_other_backend_with_the_same_outputs(
    exchanged, saved_on, loaded_on, recipe
):
    name = saved_name(recipe)
    saved = exchanged["saved"][saved_on][name]
    entry = exchanged["loaded"][loaded_on][name]
    assert entry["max_difference"] <= 1e-5, (name, entry)
    if saved["compiled"]:
        # Trained one step before saving: the optimizer's state comes along, exactly.
        assert entry["optimizer_variables"] > 1, name
        assert entry["optimizer_steps"] == 1, name
        assert entry["optimizer_max_difference"] == 0.0, (name, entry)


def layers_and_optimizer(path: Path) -> set[str]:
    """The classes of a recipe's layers (wrapped ones too) and its optimizer's, as built."""
    import kgraphs

    model = kgraphs.build(path, weights=False)
    layers = list(model._flatten_layers(include_self=False))
    layers += [layer.layer for layer in layers if hasattr(layer, "layer")]  # Bidirectional's
    optimizer = {f"optimizer {type(model.optimizer).__name__}"} if model.optimizer else set()
    return {type(layer).__name__ for layer in layers} | optimizer


def test_the_recipes_left_out_add_no_layer_or_optimizer():
    checked = set().union(*map(layers_and_optimizer, CHECKED))
    for path in ALLOCATABLE:
        if path not in CHECKED:
            assert layers_and_optimizer(path) <= checked, path
