"""A layer as a recipe node's `layer` and `args`: built-in classes only, plain short arguments.

Large constants in a config are weights in disguise and refused; lookup tables (an adapted
`TextVectorization` or `StringLookup`) are state but not weights, so their vocabularies travel
as an argument. Every problem is appended to the caller's list at its dotted location.
"""

from __future__ import annotations

from typing import Any

from kgraphs.catalog.arguments import STAND_IN_LAYER
from kgraphs.export.default_arguments import short_arguments
from kgraphs.export.plain_values import (
    plain_value,
    python_scalar,
    shortest_float,
    without_default_arguments,
)
from kgraphs.graph_format.ops import MAX_CONSTANT_VALUES, constant_size
from kgraphs.util.errors import first_line

# A lookup layer's vocabulary travels in the recipe; past this many tokens the model belongs
# in a .keras file (keras.io's text examples use up to 20,000).
MAX_VOCABULARY = 100_000
LOOKUP_LAYERS = ("TextVectorization", "StringLookup", "IntegerLookup")
LOOKUP_STATE = ("vocabulary", "idf_weights")


def layer_class_name(layer: Any, at: str, problems: list[tuple[str, str]]) -> str | None:
    """The `keras.layers` name of `layer`'s class; None (and a problem) if a recipe cannot
    name it: a refused layer or a custom one."""
    import keras

    from kgraphs.catalog.keras_names import REFUSED_LAYERS

    cls = type(layer)
    name = _exported_name(cls) or cls.__name__
    if name in REFUSED_LAYERS:
        problems.append((at, f"{name} is refused: {REFUSED_LAYERS[name]}"))
        return None
    if getattr(keras.layers, name, None) is cls:
        return name
    module = cls.__module__
    if module == "keras" or module.startswith("keras."):
        # Keras's own, but not keras.layers' (ConvNeXt's LayerScale): no name to build it by.
        what = f"a layer class of Keras's {module} that keras.layers does not export"
    else:
        what = "a custom layer, not a built-in keras.layers class"
    problems.append(
        (
            at,
            f"{name} is {what}; recipes hold keras.layers classes only (compose it from "
            "built-in layers and ops, or save the model as .keras)",
        )
    )
    return None


def _exported_name(cls: type) -> str | None:
    """The name keras.layers exports `cls` under: its own (`Conv2D`, not the alias
    `Convolution2D`), or the one keras.layers gives it (`GroupQueryAttention`, whose class
    is GroupedQueryAttention); None if keras.layers does not export it."""
    import keras

    if getattr(keras.layers, cls.__name__, None) is cls:
        return cls.__name__
    return next(
        (name for name in sorted(dir(keras.layers)) if getattr(keras.layers, name) is cls), None
    )


def layer_arguments(
    layer: Any, at: str, problems: list[tuple[str, str]], *, wraps_model: bool = False
) -> dict[str, Any]:
    """`layer.get_config()` minus the name and whatever equals a fresh layer's defaults; for
    a wrapper of a model (`wraps_model`), minus that model too, which the recipe holds as
    the node's nested graph."""
    try:
        raw = layer.get_config()
    except Exception as error:
        problems.append((at, f"get_config() failed: {first_line(error)}"))
        return {}
    if wraps_model:
        # Shortened and checked as a wrapper of any layer: the stand-in, taken out after.
        raw = {**raw, "layer": STAND_IN_LAYER}
    config = plain_value(raw, f"{at}.args", problems)
    if not isinstance(config, dict):
        return {}
    config.pop("name", None)
    state: tuple[str, ...] = ()
    if type(layer).__name__ in LOOKUP_LAYERS:
        _lookup_state(layer, config, f"{at}.args", problems)
        state = LOOKUP_STATE  # bounded by MAX_VOCABULARY instead: state, not weights
    constants = {key: value for key, value in config.items() if key not in state}
    _check_constants(constants, f"{at}.args", problems)
    arguments = without_default_arguments(short_arguments(type(layer), config))
    _check_described(type(layer).__name__, arguments, f"{at}.args", problems)
    if wraps_model:
        arguments.pop("layer", None)
    return arguments


def _check_described(
    name: str, arguments: dict[str, Any], at: str, problems: list[tuple[str, str]]
) -> None:
    """What `build` would refuse of these arguments, located at the layer: `build` checks
    them against the description of Keras's layers, which does not know every form Keras
    takes (an augmentation's `factor` as a range)."""
    from kgraphs.catalog.arguments import layer_problems
    from kgraphs.catalog.keras_layers import described_layers

    if name not in described_layers():
        return
    for key, message in layer_problems(name, arguments):
        problems.append(
            (f"{at}.{key}" if key else at, f"kgraphs cannot express this yet: {message}")
        )


def _check_constants(value: Any, at: str, problems: list[tuple[str, str]]) -> None:
    """Large arrays in a config (a Constant initializer holding pretrained embeddings) are
    weights in disguise: a recipe carries none."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_constants(item, f"{at}.{key}", problems)
    elif isinstance(value, list) and constant_size(value) > MAX_CONSTANT_VALUES:
        problems.append(
            (
                at,
                f"a constant of {constant_size(value):,} values; recipes carry no weights: "
                "build without it and load the values with set_weights or a .keras file",
            )
        )


def _lookup_state(
    layer: Any, config: dict[str, Any], at: str, problems: list[tuple[str, str]]
) -> None:
    """A lookup layer's whole state as its arguments: lookup tables are state, not weights.

    Its vocabulary (and, in tf_idf mode, the inverse document frequencies that go with it)
    replaces what `get_config` holds, which is only what the constructor was given: nothing
    for an adapted layer. `vocabulary_size` is not an argument but what Keras records of the
    vocabulary, which the rebuilt layer recomputes from it.
    """
    config.pop("vocabulary_size", None)
    tf_idf = config.get("output_mode") == "tf_idf"
    if not layer.get_vocabulary(include_special_tokens=False):
        return  # neither adapted nor given a vocabulary: nothing to carry
    # In tf_idf mode the special tokens (OOV, mask) have weights of their own too: with them
    # in the vocabulary, the weights line up one for one and Keras takes them as they are.
    tokens = layer.get_vocabulary(include_special_tokens=tf_idf)
    vocabulary = [python_scalar(token) for token in tokens]
    if len(vocabulary) > MAX_VOCABULARY:
        config.pop("vocabulary", None)
        config.pop("idf_weights", None)
        problems.append(
            (
                f"{at}.vocabulary",
                f"a vocabulary of {len(vocabulary):,} tokens is over the {MAX_VOCABULARY:,} "
                "a recipe carries; save the model as .keras instead",
            )
        )
        return
    config["vocabulary"] = vocabulary
    config["idf_weights"] = _idf_weights(layer, len(vocabulary)) if tf_idf else None


def _idf_weights(layer: Any, size: int) -> list[float]:
    """The inverse document frequency of each of the first `size` tokens, as the layer
    weighs them (adapted or given); past those, `pad_to_max_tokens` pads with zeros, which
    the rebuilt layer pads again."""
    store: dict[str, Any] = {}
    layer.save_own_variables(store)  # Keras's public way to read them, as .keras files do
    return [shortest_float(weight) for weight in store["idf_weights"][:size]]
