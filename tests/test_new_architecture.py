"""A new architecture is its file and its registration, nothing else.

A copy of the package gets one more file in kgraphs/models/architectures/, and nothing else
changes; in a fresh process on that copy, the architecture is a public factory, a registered
name, a recipe's `architecture`, a command-line entry and a JSON Schema branch.
"""

import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import COMMAND_LINE, ROOT, clean_environment

pytestmark = pytest.mark.slow

TWO_LAYER_MLP = textwrap.dedent(
    '''
    """A two-layer perceptron: the smallest architecture, for the registry's test."""

    from __future__ import annotations

    from kgraphs.config.validation import Units
    from kgraphs.models.registry import ArchitectureConfig, register


    class TwoLayerMlpConfig(ArchitectureConfig):
        # The width of the input vector.
        features: Units = 8
        # The hidden layer's units.
        hidden_units: Units = 16

        def output_names(self) -> tuple[str, ...]:
            return ("score",)

        def parameter_count(self) -> int:
            return (self.features + 1) * self.hidden_units + self.hidden_units + 1


    @register(TwoLayerMlpConfig)
    def two_layer_mlp(config: TwoLayerMlpConfig, *, name: str):
        """A two-layer perceptron with one sigmoid output named `score`."""
        import keras

        inputs = keras.Input((config.features,), name="features")
        hidden = keras.layers.Dense(config.hidden_units, activation="relu", name="hidden")(inputs)
        score = keras.layers.Dense(1, activation="sigmoid", name="score")(hidden)
        return keras.Model(inputs, score, name=name)
    '''
)

PROBE = textwrap.dedent(
    """
    import json, subprocess, sys
    import kgraphs
    from kgraphs.recipe.schema import recipe_schema

    model = kgraphs.two_layer_mlp(hidden_units=4)
    recipe = kgraphs.load_recipe(
        {"version": 1, "architecture": "two_layer_mlp", "config": {"features": 3}}
    )
    listing = subprocess.run(
        [sys.executable, "-m", "kgraphs", "list"], capture_output=True, text=True, check=True
    ).stdout
    print(json.dumps({
        "all": "two_layer_mlp" in kgraphs.__all__,
        "architectures": kgraphs.architectures(),
        "params": model.count_params(),
        "recipe_params": kgraphs.build(recipe).count_params(),
        "listed": "two_layer_mlp" in listing,
        "schema": "two_layer_mlp" in json.dumps(recipe_schema()),
    }))
    """
)


@COMMAND_LINE
def test_a_new_architecture_file_is_all_it_takes(tmp_path):
    shutil.copytree(
        ROOT / "kgraphs", tmp_path / "kgraphs", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "kgraphs" / "models" / "architectures" / "two_layer_mlp.py").write_text(
        TWO_LAYER_MLP
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # the copy comes first on sys.path
        env=clean_environment(PYTHONPATH=str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {
        "all": True,
        "architectures": [
            "decoder_lm",
            "graph",
            "image_multitask",
            "residual_cnn",
            "siamese_text",
            "ticket_priority",
            "two_layer_mlp",
        ],
        "params": (8 + 1) * 4 + 4 + 1,  # Keras's count, from the hand-written layer sizes
        "recipe_params": (3 + 1) * 16 + 16 + 1,
        "listed": True,
        "schema": True,
    }
