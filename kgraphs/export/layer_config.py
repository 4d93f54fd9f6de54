"""A layer as a recipe node's `layer` and `args`: built-in classes only, plain short arguments.

Large constants in a config are weights in disguise and refused; lookup tables (an adapted
`TextVectorization` or `StringLookup`) are state but not weights, so their vocabularies travel
as an argument. Every problem is appended to the caller's list at its dotted location.
"""

from __future__ import annotations

from typing import Any

from kgraphs.export.default_arguments import short_arguments
from kgraphs.export.plain_values import plain_value, python_scalar
from kgraphs.graph_format.ops import MAX_CONSTANT_VALUES, constant_size
from kgraphs.util.errors import first_line

# A lookup layer's vocabulary travels in the recipe; past this many tokens the model belongs
# in a .keras file (keras.io's text examples use up to 20,000).
MAX_VOCABULARY = 100_000
LOOKUP_LAYERS = ("TextVectorization", "StringLookup", "IntegerLookup")


def layer_class_name(layer: Any, at: str, problems: list[tuple[str, str]]) -> str | None:
    """The `keras.layers` name of `layer`'s class; None (and a problem) if a recipe cannot
    name it: a refused layer or a custom one."""
    import keras

    from kgraphs.catalog.keras_names import REFUSED_LAYERS

    name = type(layer).__name__
    if name in REFUSED_LAYERS:
        problems.append((at, f"{name} is refused: {REFUSED_LAYERS[name]}"))
        return None
    if getattr(keras.layers, name, None) is not type(layer):
        problems.append(
            (
                at,
                f"{name} is a custom layer, not a built-in keras.layers class; recipes hold "
                "built-in layers only (compose it from built-in layers and ops, or save "
                "the model as .keras)",
            )
        )
        return None
    return name


def layer_arguments(layer: Any, at: str, problems: list[tuple[str, str]]) -> dict[str, Any]:
    """`layer.get_config()` minus the name and whatever equals a fresh layer's defaults."""
    try:
        raw = layer.get_config()
    except Exception as error:
        problems.append((at, f"get_config() failed: {first_line(error)}"))
        return {}
    config = plain_value(raw, f"{at}.args", problems)
    if not isinstance(config, dict):
        return {}
    config.pop("name", None)
    _check_constants(config, f"{at}.args", problems)
    if type(layer).__name__ in LOOKUP_LAYERS:
        _add_vocabulary(layer, config, at, problems)
    return short_arguments(type(layer), config)


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


def _add_vocabulary(
    layer: Any, config: dict[str, Any], at: str, problems: list[tuple[str, str]]
) -> None:
    """Lookup tables are state, not weights: carry the adapted vocabulary as an argument."""
    given = config.get("vocabulary")
    if isinstance(given, list) and len(given) > MAX_VOCABULARY:
        config.pop("vocabulary")
    elif given is not None or not layer.built:
        return
    if getattr(layer, "output_mode", None) == "tf_idf":
        problems.append(
            (
                f"{at}.args.idf_weights",
                "an adapted tf_idf layer keeps document frequencies recipes do not carry;"
                " pass vocabulary= and idf_weights= when creating it",
            )
        )
        return
    vocabulary = layer.get_vocabulary(include_special_tokens=False)
    if len(vocabulary) > MAX_VOCABULARY:
        problems.append(
            (
                f"{at}.args.vocabulary",
                f"a vocabulary of {len(vocabulary):,} tokens is over the {MAX_VOCABULARY:,} "
                "a recipe carries; save the model as .keras instead",
            )
        )
        return
    if vocabulary:
        config["vocabulary"] = [python_scalar(token) for token in vocabulary]
