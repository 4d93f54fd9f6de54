"""`kgraphs.recipe.full`: the full recipe, every default filled in, in a fixed order.

The expected recipes are written out by hand from the architectures' documented defaults
(README's table) and the graph format's (docs/guide/graphs.md), not computed by kgraphs.
"""

import json

import pytest
import yaml

from kgraphs.recipe.full import full_recipe, render_text
from kgraphs.recipe.loading import load_recipe

pytestmark = pytest.mark.backend_independent(reason="rendering only validates; no model is built")

TICKET_DEFAULTS = {
    "vocab_size": 10000,
    "embedding_dim": 64,
    "lstm_units": 32,
    "metadata_features": 5,
    "metadata_units": 16,
    "mask_zero": False,
    "dropout": 0.0,
    "sequence_length": None,
    "num_priorities": 1,
}


@pytest.mark.parametrize(
    ("recipe", "expected"),
    [
        pytest.param(
            {"version": 1, "architecture": "ticket_priority"},
            {"version": 1, "architecture": "ticket_priority", "config": TICKET_DEFAULTS},
            id="ticket_priority, nothing given",
        ),
        pytest.param(
            {
                "version": 1,
                "architecture": "ticket_priority",
                "name": "levels",
                "config": {"num_priorities": 4, "dropout": 0.2},
                "description": "Four levels.",
            },
            {
                "version": 1,
                "architecture": "ticket_priority",
                "name": "levels",
                "description": "Four levels.",
                "config": TICKET_DEFAULTS | {"dropout": 0.2, "num_priorities": 4},
            },
            id="ticket_priority, envelope in its order",
        ),
        pytest.param(
            {"version": 1, "architecture": "residual_cnn", "config": {"stages": [{"filters": 8}]}},
            {
                "version": 1,
                "architecture": "residual_cnn",
                "config": {
                    "input_shape": [32, 32, 3],
                    "stem_filters": 64,
                    "stages": [{"filters": 8, "blocks": 1, "stride": 1}],
                    "batch_norm": False,
                    "num_classes": 10,
                },
            },
            id="residual_cnn, a stage's defaults too",
        ),
        pytest.param(
            {
                "version": 1,
                "architecture": "image_multitask",
                "config": {"pooling": "global_average"},
            },
            {
                "version": 1,
                "architecture": "image_multitask",
                "config": {
                    "input_shape": [128, 128, 3],
                    "conv_filters": [32, 64],
                    "kernel_size": 3,
                    "pool_size": 2,
                    "num_classes": 10,
                    "bbox_units": 4,
                    "pooling": "global_average",
                    "bbox_activation": None,
                },
            },
            id="image_multitask",
        ),
        pytest.param(
            {"version": 1, "architecture": "siamese_text", "compile": {"loss": "mse"}},
            {
                "version": 1,
                "architecture": "siamese_text",
                "config": {
                    "vocab_size": 10000,
                    "embedding_dim": 128,
                    "lstm_units": 64,
                    "share_embedding": True,
                    "share_encoder": False,
                    "similarity": "concat",
                    "mask_zero": False,
                },
                # The compile section as validated: Keras's default optimizer filled in.
                "compile": {"optimizer": "rmsprop", "loss": "mse"},
            },
            id="siamese_text, compile",
        ),
    ],
)
def test_full_recipe_of_an_architecture(recipe, expected):
    full = full_recipe(load_recipe(recipe))
    assert full == expected
    # Order is part of the result: the envelope's, then the config's declaration order.
    assert list(full) == list(expected)
    assert list(full["config"]) == list(expected["config"])


GRAPH = {
    "version": 1,
    "architecture": "graph",
    "name": "g",
    "config": {
        "inputs": [{"name": "x", "shape": [4]}],
        "nodes": [
            {"name": "d", "layer": "Dense", "args": {"units": 2}, "inputs": "x"},
            {"name": "d2", "reuse": "d", "inputs": "x"},
            {"name": "s", "op": "add", "inputs": {"x1": "d", "x2": "d2"}},
            {
                "name": "sub",
                "graph": {
                    "inputs": [{"name": "i", "shape": [2]}],
                    "nodes": [{"name": "r", "layer": "ReLU", "inputs": "i"}],
                    "outputs": "r",
                },
                "inputs": "s",
            },
        ],
        "outputs": "sub",
    },
}


# GRAPH's input with each of keras.Input's defaults written out.
FULL_GRAPH_INPUT = {
    "name": "x",
    "shape": [4],
    "dtype": "float32",
    "batch_size": None,
    "sparse": False,
    "ragged": False,
}


def test_full_graph_recipe_fills_each_node_kinds_keys_only():
    assert full_recipe(load_recipe(GRAPH)) == {
        "version": 1,
        "architecture": "graph",
        "name": "g",
        "config": {
            "inputs": [FULL_GRAPH_INPUT],
            "nodes": [
                # A layer takes args and call; a reuse and a nested graph call only; an op args.
                {"name": "d", "layer": "Dense", "args": {"units": 2}, "inputs": "x", "call": {}},
                {"name": "d2", "reuse": "d", "inputs": "x", "call": {}},
                {"name": "s", "op": "add", "args": {}, "inputs": {"x1": "d", "x2": "d2"}},
                {
                    "name": "sub",
                    "graph": {
                        "inputs": [
                            {
                                "name": "i",
                                "shape": [2],
                                "dtype": "float32",
                                "batch_size": None,
                                "sparse": False,
                                "ragged": False,
                            }
                        ],
                        "nodes": [
                            {"name": "r", "layer": "ReLU", "args": {}, "inputs": "i", "call": {}}
                        ],
                        "outputs": "r",
                        "trainable": True,
                    },
                    "inputs": "s",
                    "call": {},
                },
            ],
            "outputs": "sub",
            "trainable": True,
        },
    }


def test_render_text_yaml_is_one_key_a_line_with_flow_lists():
    recipe = load_recipe(
        {
            "version": 1,
            "architecture": "residual_cnn",
            "config": {"stages": [{"filters": 8}, {"filters": 16, "stride": 2}]},
            "compile": {"optimizer": {"name": "sgd", "momentum": 0.9}, "metrics": ["accuracy"]},
        }
    )
    assert render_text(recipe) == (
        "version: 1\n"
        "architecture: residual_cnn\n"
        "config:\n"
        "  input_shape: [32, 32, 3]\n"
        "  stem_filters: 64\n"
        "  stages:\n"
        "  - {filters: 8, blocks: 1, stride: 1}\n"
        "  - {filters: 16, blocks: 1, stride: 2}\n"
        "  batch_norm: false\n"
        "  num_classes: 10\n"
        "compile:\n"
        "  optimizer: {name: sgd, momentum: 0.9}\n"
        "  metrics: [accuracy]\n"
    )


def test_render_text_json_is_the_full_recipe():
    recipe = load_recipe(GRAPH)
    text = render_text(recipe, "json")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "version": 1,\n  "architecture": "graph",\n')
    assert json.loads(text) == full_recipe(recipe)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param(
            {"version": 1, "architecture": "ticket_priority"},
            {
                "config": {"num_priorities": 1, "vocab_size": 10000, "dropout": 0},
                "architecture": "ticket_priority",
                "version": 1,
            },
            id="defaults written out, keys in another order",
        ),
        pytest.param(
            {"version": 1, "architecture": "residual_cnn", "config": {"stages": [{"filters": 64}]}},
            {"version": 1, "architecture": "residual_cnn"},
            id="a stage written with its defaults",
        ),
        pytest.param(
            GRAPH,
            {
                **GRAPH,
                "config": {
                    **GRAPH["config"],
                    "inputs": [FULL_GRAPH_INPUT],
                },
            },
            id="graph input defaults written out",
        ),
    ],
)
def test_recipes_of_the_same_model_render_the_same_text(one, other):
    assert render_text(load_recipe(one)) == render_text(load_recipe(other))


@pytest.mark.parametrize("name", ["ticket_priority_levels", "residual_cnn_stages", "graph/seq2seq"])
def test_a_full_recipe_is_a_recipe_with_the_same_full_recipe(name):
    full = full_recipe(load_recipe(name))
    assert full_recipe(load_recipe(full)) == full
    assert yaml.safe_load(render_text(load_recipe(name))) == full
