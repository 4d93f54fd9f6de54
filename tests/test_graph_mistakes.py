"""The mistakes people make in graph recipes, each caught by `validate` at its field.

One good recipe, then one mistake at a time: validation (no Keras) must refuse it at the
exact field, with the close match where there is one. The reference is Keras itself: the same
arguments given to Keras directly are refused there too, so validation refuses what the build
would, one round earlier. Then all the mistakes at once: one refusal lists every one of them.
"""

import copy

import keras
import pytest

import kgraphs
from kgraphs import ConfigError

GOOD = {
    "version": 1,
    "architecture": "graph",
    "config": {
        "inputs": [{"name": "tokens", "shape": [12], "dtype": "int32"}],
        "nodes": [
            {
                "name": "embed",
                "layer": "Embedding",
                "args": {"input_dim": 50, "output_dim": 8},
                "inputs": "tokens",
            },
            {
                "name": "conv",
                "layer": "Conv1D",
                "args": {"filters": 8, "kernel_size": 3, "padding": "same"},
                "inputs": "embed",
            },
            {
                "name": "encode",
                "layer": "Bidirectional",
                "args": {"layer": {"class_name": "GRU", "config": {"units": 4}}},
                "inputs": "conv",
            },
            {"name": "drop", "layer": "Dropout", "args": {"rate": 0.1}, "inputs": "encode"},
            {
                "name": "score",
                "layer": "Dense",
                "args": {"units": 1, "activation": "sigmoid"},
                "inputs": "drop",
                "call": {"training": False},
            },
        ],
        "outputs": "score",
    },
    "compile": {"optimizer": {"name": "adam", "learning_rate": 0.001}, "loss": "mse"},
}

# (what, path to set, bad value, location, words of the message)
MISTAKES = [
    ("layer class", ("nodes", 3, "layer"), "Dropuot", "nodes[3].layer", "'Dropout'"),
    ("argument name", ("nodes", 1, "args", "filter"), 8, "nodes[1].args.filter", "'filters'"),
    ("enum", ("nodes", 1, "args", "padding"), "sam", "nodes[1].args.padding", "'same'"),
    (
        "activation",
        ("nodes", 4, "args", "activation"),
        "sigmod",
        "nodes[4].args.activation",
        "'sigmoid'",
    ),
    (
        "initializer",
        ("nodes", 4, "args", "kernel_initializer"),
        "he_normall",
        "nodes[4].args.kernel_initializer",
        "'he_normal'",
    ),
    (
        "integer",
        ("nodes", 0, "args", "output_dim"),
        "8",
        "nodes[0].args.output_dim",
        "expected an integer",
    ),
    ("range", ("nodes", 3, "args", "rate"), 1.5, "nodes[3].args.rate", "<= 1"),
    (
        "boolean as a string",
        ("nodes", 1, "args", "use_bias"),
        "false",
        "nodes[1].args.use_bias",
        "drop the quotes",
    ),
    (
        "wrapped layer's argument",
        ("nodes", 2, "args", "layer", "config", "retrun_sequences"),
        True,
        "nodes[2].args.layer.config.retrun_sequences",
        "'return_sequences'",
    ),
    (
        "wrapped layer's class",
        ("nodes", 2, "args", "layer", "class_name"),
        "GRUU",
        "nodes[2].args.layer.class_name",
        "'GRU'",
    ),
    ("call keyword", ("nodes", 4, "call", "trainig"), True, "nodes[4].call.trainig", "'training'"),
    (
        "call keyword as an argument",
        ("nodes", 3, "args", "training"),
        True,
        "nodes[3].args.training",
        "under `call`",
    ),
    ("wiring", ("nodes", 3, "inputs"), "encod", "nodes[3].inputs", "'encode'"),
    ("input field", ("inputs", 0, "batch_sise"), 4, "inputs[0].batch_sise", "'batch_size'"),
    ("input flag", ("inputs", 0, "sparse"), "yes", "inputs[0].sparse", "true or false"),
    ("input batch size", ("inputs", 0, "batch_size"), 0, "inputs[0].batch_size", ">= 1"),
]
COMPILE_MISTAKES = [
    (
        "optimizer argument",
        ("optimizer", "learning_rat"),
        0.01,
        "compile.optimizer.learning_rat",
        "'learning_rate'",
    ),
    (
        "optimizer integer",
        ("optimizer", "learning_rate"),
        1,
        "compile.optimizer.learning_rate",
        "decimal point",
    ),
    ("loss key", ("loss",), {"scores": "mse"}, "compile.loss.scores", "'score'"),
]


def with_mistake(path, value, *, section="config"):
    recipe = copy.deepcopy(GOOD)
    target = recipe[section]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return recipe


def refusal(recipe) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        kgraphs.load_recipe(recipe)
    return caught.value


def test_the_good_recipe_validates_and_builds():
    model = kgraphs.build(GOOD)
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize(
    ("path", "value", "location", "words"),
    [row[1:] for row in MISTAKES],
    ids=[row[0] for row in MISTAKES],
)
def test_each_mistake_is_refused_at_its_field(path, value, location, words):
    error = refusal(with_mistake(path, value))
    assert [where for where, _ in error.problems] == [f"config.{location}"]
    assert words in error.problems[0][1]
    assert "Error when deserializing" not in str(error)


@pytest.mark.parametrize(
    ("path", "value", "location", "words"),
    [row[1:] for row in COMPILE_MISTAKES],
    ids=[row[0] for row in COMPILE_MISTAKES],
)
def test_each_compile_mistake_is_refused_at_its_field(path, value, location, words):
    error = refusal(with_mistake(path, value, section="compile"))
    assert [where for where, _ in error.problems] == [location]
    assert words in error.problems[0][1]


# The layer mistakes that Keras itself sees when it makes or calls the layer (the wiring and
# the layer class are kgraphs' own: Keras never gets that far).
KERAS_SEES = [
    row for row in MISTAKES if row[1][2] in ("args", "call") and row[0] != "boolean as a string"
]


def test_keras_takes_a_boolean_as_a_string_and_gets_it_wrong():
    """Why validation refuses `use_bias: "false"`: Keras keeps the string, which is truthy,
    so the layer gets the bias the user turned off."""
    layer = keras.layers.Conv1D(8, 3, use_bias="false")
    layer.build((None, 12, 8))
    assert len(layer.weights) == 2  # kernel and bias


@pytest.mark.parametrize(
    ("path", "value"), [row[1:3] for row in KERAS_SEES], ids=[row[0] for row in KERAS_SEES]
)
def test_keras_refuses_each_of_them_too(path, value):
    """The reference: the node made and called by Keras directly, validation left out."""
    node = with_mistake(path, value)["config"]["nodes"][path[1]]
    shapes = {0: (2, 12), 1: (2, 12, 8), 2: (2, 12, 8), 3: (2, 8), 4: (2, 8)}
    inputs = keras.ops.zeros(shapes[path[1]], "int32" if path[1] == 0 else "float32")
    args = node["args"]
    if "layer" in args:
        args = {**args, "layer": {"module": "keras.layers", **args["layer"]}}
    with pytest.raises(Exception):  # noqa: B017 whatever Keras raises, it refuses
        layer = keras.layers.deserialize(
            {"class_name": node["layer"], "config": args, "module": "keras.layers"}
        )
        layer(inputs, **node.get("call", {}))


def test_every_independent_mistake_is_reported_in_one_round():
    recipe = copy.deepcopy(GOOD)
    for _, path, value, _, _ in MISTAKES:
        if path[-1] in ("layer", "class_name"):
            continue  # a misspelt class leaves its arguments unchecked: they are its own
        target = recipe["config"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    recipe["compile"]["loss"] = {"scores": "mse"}
    recipe["config"]["nodes"][0]["colour"] = "red"  # a format mistake: the rest still checked
    error = refusal(recipe)
    expected = {f"config.{row[3]}" for row in MISTAKES if row[1][-1] not in ("layer", "class_name")}
    expected |= {"compile.loss.scores", "config.nodes[0].colour"}
    found = {where for where, _ in error.problems}
    # The node with a format mistake stands in by its names: its own arguments wait for it.
    assert expected - {"config.nodes[0].args.output_dim"} <= found, sorted(expected - found)
