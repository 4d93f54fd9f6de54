"""A `.keras` file saved on TensorFlow loads on JAX with the same outputs, and the other way.

Shipped recipes are built and trained a step on one backend, saved, then loaded on the other
by `keras.saving.load_model` alone, and must predict the saved outputs within 1e-5 and keep
training from the saved optimizer state. Each backend runs in a process of its own
(tests/cross_backend_run.py), whichever backend this suite runs on.
"""

import json
import subprocess
import sys

import pytest
from conftest import RECIPES, ROOT, clean_environment

pytestmark = pytest.mark.slow

# The graph recipes of the chapter's models (graph/ticket_priority.yaml and the like) hold the
# same layers as the chapter's recipes, and inception_module's convolutions and concatenations
# are unet_small's too; leaving them out keeps this test near a minute a direction.
SAME_LAYERS_AS_ANOTHER = {
    "graph/image_multitask.yaml",
    "graph/inception_module.yaml",
    "graph/residual_cnn.yaml",
    "graph/siamese_text.yaml",
    "graph/ticket_priority.yaml",
}
CHECKED = [
    path
    for path in RECIPES
    if str(path.relative_to(ROOT / "recipes")) not in SAME_LAYERS_AS_ANOTHER
]


def run_on(backend: str, *arguments: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "cross_backend_run.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=clean_environment(KERAS_BACKEND=backend),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["backend"] == backend
    return report["models"]


@pytest.mark.parametrize(("saved_on", "loaded_on"), [("tensorflow", "jax"), ("jax", "tensorflow")])
def test_keras_files_load_on_the_other_backend_with_the_same_outputs(saved_on, loaded_on, tmp_path):
    recipes = [str(path.relative_to(ROOT)) for path in CHECKED]
    saved = run_on(saved_on, "save", str(tmp_path), *recipes)
    assert len(saved) == len(CHECKED) == len(RECIPES) - len(SAME_LAYERS_AS_ANOTHER)
    loaded = run_on(loaded_on, "load", str(tmp_path))
    assert set(loaded) == set(saved)
    for name, entry in loaded.items():
        assert entry["max_difference"] <= 1e-5, (name, entry)
        if saved[name]["compiled"]:
            # Trained one step before saving: the optimizer's state comes along, exactly.
            assert entry["optimizer_variables"] > 1, name
            assert entry["optimizer_steps"] == 1, name
            assert entry["optimizer_max_difference"] == 0.0, (name, entry)
