"""Round-trip checks shared by the graph tests: model -> recipe -> YAML -> model, compared."""

import keras
import numpy as np
import pytest
import yaml

import kgraphs
from kgraphs.recipe.files import dump_yaml


def round_trip(model: keras.Model) -> tuple[keras.Model, str]:
    """`model -> to_recipe -> YAML text -> build`, with `model`'s weights copied over."""
    text = dump_yaml(kgraphs.to_recipe(model))
    return rebuild(text, model), text


def rebuild(text: str, model: keras.Model) -> keras.Model:
    """The model a recipe's text builds, with `model`'s weights copied over."""
    rebuilt = kgraphs.build(yaml.safe_load(text), compile=False)
    rebuilt.set_weights(model.get_weights())
    for layer in rebuilt._flatten_layers():
        if isinstance(layer, keras.layers.Normalization):
            # An adapted Normalization derives its mean and variance from its weights when
            # Keras loads them (load_weights, a .keras file); set_weights alone leaves them
            # stale, in any Keras model.
            layer.finalize_state()
    return rebuilt


def string_inputs_refused(text: str, model: keras.Model) -> bool:
    """On a backend other than TensorFlow, whether the recipe has string inputs, which only
    TensorFlow can feed, and building it refuses each of them at its location. False (nothing
    checked) where the round trip should simply work."""
    structure = getattr(model, "_inputs_struct", model.inputs)
    strings = [
        path for path, tensor in keras.tree.flatten_with_path(structure) if tensor.dtype == "string"
    ]
    if keras.config.backend() == "tensorflow" or not strings:
        return False
    with pytest.raises(kgraphs.ConfigError) as caught:
        kgraphs.build(yaml.safe_load(text), compile=False)
    # Located where the recipe holds the input: config.inputs[1], config.inputs.soil, or
    # config.inputs itself for a model of one bare input.
    assert sorted(location for location, _ in caught.value.problems) == sorted(
        "config.inputs"
        + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
        + ".dtype"
        for path in strings
    )
    assert all("only TensorFlow feeds strings" in message for _, message in caught.value.problems)
    return True


def assert_same_model(model: keras.Model, rebuilt: keras.Model, inputs: list | dict) -> None:
    """Same parameters, layers (names and classes), outputs on `inputs` with the same weights."""
    assert rebuilt.count_params() == model.count_params()
    assert [(layer.name, kind(layer)) for layer in layers(rebuilt)] == [
        (layer.name, kind(layer)) for layer in layers(model)
    ]
    if isinstance(model, keras.Sequential):  # it has no output_names
        assert rebuilt.output_names == [model.layers[-1].name]
    else:
        assert rebuilt.output_names == model.output_names
        # The inputs as the models were made: shape (a fixed batch size too), dtype, sparse.
        assert [describe(tensor) for tensor in rebuilt.inputs] == [
            describe(tensor) for tensor in model.inputs
        ]
        # The structures the models were made with: the same keys and nesting, in and out.
        for attribute in ("_inputs_struct", "_outputs_struct"):
            assert paths(getattr(rebuilt, attribute)) == paths(getattr(model, attribute))
    expected, got = call(model, inputs), call(rebuilt, inputs)
    assert paths(got) == paths(expected)
    expected, got = keras.tree.flatten(expected), keras.tree.flatten(got)
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4, rtol=1e-4)


def describe(tensor) -> tuple:
    return tuple(tensor.shape), str(tensor.dtype), bool(getattr(tensor, "sparse", False))


def paths(structure) -> list[tuple]:
    """Where each leaf of a structure sits (keys and positions), and what holds it: a dict's
    keys, a list, one bare tensor; what `keras.tree` compares, without the leaves."""
    # YAML has no tuple: a tuple of outputs comes back a list, which Keras takes alike.
    shape = keras.tree.map_structure(lambda leaf: None, keras.tree.lists_to_tuples(structure))
    return [path for path, _ in keras.tree.flatten_with_path(structure)] + [repr(shape)]


def layers(model: keras.Model) -> list:
    # A Sequential model lists no InputLayer; the Functional graph it comes back as does.
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def kind(layer: keras.layers.Layer) -> type:
    # A nested Sequential comes back as the Functional graph of its layers.
    return keras.Model if isinstance(layer, keras.Model) else type(layer)


def call(model: keras.Model, inputs: list | dict):
    """Call a model, in inference mode, with its inputs in the structure it was built with."""
    for layer in model._flatten_layers():
        if getattr(layer, "stateful", False):
            layer.reset_states()  # a stateful RNN's output depends on the calls before
    structure = getattr(model, "_inputs_struct", None)  # a Sequential takes one input
    if not isinstance(inputs, dict) and not isinstance(structure, (list, tuple)):
        inputs = inputs[0]
    return model(inputs, training=False)


def sample_inputs(model: keras.Model, seed: int = 0) -> list:
    inputs, _ = kgraphs.example_data(model, batch_size=2, seed=seed)
    return [inputs[tensor.name] for tensor in model.inputs]
