"""kgraphs/catalog/keras_layers.json against the installed Keras, whole, and its use in checks.

The description is what `kgraphs validate` checks graph nodes and optimizers against without
importing Keras. scripts/describe_keras.py writes it from Keras; here it is compared with what
the script reads now (an upgrade that adds, removes or changes an argument fails this test
until `make catalog` is run), and spot-checked against Keras itself: what it calls an enum's
values, Keras accepts, and a value it refuses, Keras refuses too.
"""

import subprocess
import sys

import keras
import pytest
from conftest import ROOT, clean_environment

from kgraphs.catalog.arguments import layer_problems
from kgraphs.catalog.keras_layers import described_layers, description, layer_arguments
from kgraphs.catalog.keras_names import LAYERS, REFUSED_LAYERS

ONCE = pytest.mark.backend_independent(
    reason="the script reads the description on Keras's NumPy backend, whichever the suite runs"
)


@ONCE
@pytest.mark.slow
def test_the_description_is_the_installed_keras():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "describe_keras.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=clean_environment(KERAS_BACKEND="numpy"),
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_allowed_layer_is_described_and_nothing_else():
    assert described_layers() == LAYERS - REFUSED_LAYERS.keys()
    assert description()["keras"] == keras.__version__


ENUMS = sorted(
    (layer, argument, tuple(entry["values"]))
    for layer in described_layers()
    for argument, entry in layer_arguments(layer).items()
    if entry["kind"] == "enum" and argument != "dtype"
)
SAMPLE = {"units": 2, "filters": 2, "kernel_size": 3, "size": 2, "pool_size": 2}


def required(layer: str) -> dict:
    return {
        name: SAMPLE[name]
        for name, entry in layer_arguments(layer).items()
        if entry.get("required") and name in SAMPLE
    }


@pytest.mark.parametrize(
    ("layer", "argument", "values"),
    [case for case in ENUMS if case[0] in ("Conv1D", "Conv2D", "MaxPooling2D", "UpSampling2D")],
)
def test_an_enum_mistake_is_refused_with_its_close_match_and_keras_refuses_it(
    layer, argument, values
):
    word = next(value for value in values if isinstance(value, str) and len(value) > 3)
    misspelt = word[:-1]  # "same" -> "sam"
    arguments = {**required(layer), argument: misspelt}
    problems = layer_problems(layer, arguments)
    assert problems == [
        (
            argument,
            f"expected one of {', '.join(repr(v) if v is not None else 'null' for v in values)}"
            f"; given {misspelt!r}; did you mean {word!r}?",
        )
    ]
    with pytest.raises(Exception):  # noqa: B017 Keras refuses it when made, or when called
        made = getattr(keras.layers, layer)(**arguments)
        made(keras.ops.zeros((1, 8, 8, 3) if "2D" in layer else (1, 8, 3)))
    for value in values:
        assert layer_problems(layer, {**required(layer), argument: value}) == []


@pytest.mark.parametrize(
    ("layer", "arguments", "expected"),
    [
        ("Dense", {"units": 4, "activation": "sigmod"}, [("activation", "did you mean 'sigmoid'")]),
        ("Dense", {"unit": 4}, [("unit", "did you mean 'units'"), ("", "needs 'units'")]),
        ("Dense", {"units": 0}, [("units", "expected a value >= 1; given 0")]),
        ("Dense", {"units": 4.0}, [("units", "expected an integer; given 4.0")]),
        ("Dense", {"units": 4, "use_bias": "false"}, [("use_bias", "drop the quotes")]),
        (
            "Dense",
            {"units": 4, "kernel_initializer": "glorot_uniformm"},
            [("kernel_initializer", "did you mean 'glorot_uniform'")],
        ),
        (
            "Dense",
            {"units": 4, "kernel_regularizer": {"class_name": "L3", "config": {}}},
            [("kernel_regularizer.class_name", "unknown regularizer 'L3'")],
        ),
        ("Dropout", {"rate": 1.5}, [("rate", "expected a value <= 1; given 1.5")]),
        ("Conv2D", {"filters": 8, "kernel_size": [3, 0]}, [("kernel_size[1]", ">= 1; given 0")]),
        ("LSTM", {"units": 4, "training": True}, [("training", "put it under `call`")]),
        (
            "Bidirectional",
            {"layer": {"class_name": "GRU", "config": {"units": 4, "retrun_sequences": True}}},
            [("layer.config.retrun_sequences", "did you mean 'return_sequences'")],
        ),
        (
            "Bidirectional",
            {"layer": {"class_name": "GRUU", "config": {"units": 4}}},
            [("layer.class_name", "did you mean 'GRU'")],
        ),
    ],
)
def test_each_mistake_is_located_at_its_argument(layer, arguments, expected):
    problems = layer_problems(layer, arguments)
    assert [location for location, _ in problems] == [location for location, _ in expected]
    for (_, message), (_, fragment) in zip(problems, expected, strict=True):
        assert fragment in message


@pytest.mark.parametrize(
    ("layer", "arguments"),
    [
        ("Dense", {"units": 4, "activation": "sigmod"}),
        ("Dense", {"unit": 4}),
        ("Dropout", {"rate": 1.5}),
        ("Dense", {"units": 4, "kernel_initializer": "glorot_uniformm"}),
        ("Bidirectional", {"layer": {"class_name": "GRU", "config": {"units": 4, "retrun": 1}}}),
    ],
)
def test_keras_refuses_what_the_checks_refuse(layer, arguments):
    """The reference: Keras itself, given the same arguments."""
    with pytest.raises((ValueError, TypeError)):
        keras.layers.deserialize(
            {"class_name": layer, "config": arguments, "module": "keras.layers"}
        )
