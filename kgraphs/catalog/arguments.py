"""Constructor arguments checked against their description, before Keras sees them.

`argument_problems("Dense", layer_arguments("Dense"), {"units": 0, "activaton": "relu"})`
gives every problem at once, each at its argument: unknown names with the closest of the
class's own, values of the wrong kind, enum values and identifiers with their close match,
sizes and rates out of bounds, missing required arguments. A nested layer (Bidirectional's
`layer: {class_name: GRU, config: {...}}`) is checked like any other, at its own path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kgraphs.catalog.keras_layers import Argument, described_layers, identifiers, layer_arguments
from kgraphs.catalog.keras_names import ACTIVATIONS, REFUSED_LAYERS
from kgraphs.util.errors import close_match, did_you_mean, given

Problem = tuple[str, str]
_WORDS_FOR_BOOLEANS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


def argument_problems(
    owner: str,
    described: Mapping[str, Argument],
    values: Mapping[str, Any],
    *,
    call: Iterable[str] = (),
    ignored: Iterable[str] = ("name",),
) -> list[Problem]:
    """Every problem of `values` as the arguments of `owner`, located by argument name.

    `call` names the parameters of the owner's call: an argument that is one of them gets a
    hint to move it under the node's `call`. `ignored` arguments are not checked (a layer is
    named after its node).
    """
    problems: list[Problem] = []
    ignored = set(ignored)
    call = list(call)
    for key, value in values.items():
        if key in ignored:
            continue
        if key not in described:
            hint = (
                f"; {key!r} is a keyword of the call: put it under `call`"
                if key in call
                else did_you_mean(key, described)
            )
            problems.append((key, f"unknown argument of {owner}{hint}"))
            continue
        problems += [
            (f"{key}{suffix}", message)
            for suffix, message in value_problems(described[key], value, argument=key)
        ]
    missing = [key for key, entry in described.items() if entry.get("required")]
    missing = [key for key in missing if key not in values]
    if missing:
        listed = ", ".join(repr(key) for key in missing)
        problems.append(("", f"{owner} needs {listed}"))
    return problems


# A wrapper given a nested graph as its layer (`layer: TimeDistributed` with `graph:`) has its
# other arguments checked, and shortened at export, with this in the graph's place.
STAND_IN_LAYER = {"class_name": "Identity", "config": {}}


def wraps_a_layer(layer: str | None) -> bool:
    """Whether `keras.layers.<layer>` takes a layer to wrap (TimeDistributed, Bidirectional).

    Example:
        >>> wraps_a_layer("TimeDistributed"), wraps_a_layer("Dense")
        (True, False)
    """
    if layer not in described_layers():
        return False
    return layer_arguments(layer).get("layer", {}).get("kind") == "layer"


def layer_problems(layer: str, config: Mapping[str, Any]) -> list[Problem]:
    """`config` as the arguments of `keras.layers.<layer>` (a described, allowed class)."""
    from kgraphs.catalog.keras_layers import call_parameters

    return argument_problems(layer, layer_arguments(layer), config, call=call_parameters(layer)[0])


def value_problems(entry: Argument, value: Any, *, argument: str) -> list[Problem]:
    """Problems of one argument's value, located below it ("" for the value itself)."""
    # null where it is the default, an enum's value, or for an argument Keras takes only
    # through its config (no default in the signature to say otherwise).
    config_only = "default" not in entry and not entry.get("required")
    if value is None and (
        config_only or entry.get("default", 0) is None or None in entry.get("values", [])
    ):
        return []
    check = _CHECKS.get(entry["kind"])
    return check(entry, value, argument) if check else []


def _boolean(entry: Argument, value: Any, argument: str) -> list[Problem]:
    if isinstance(value, bool):
        return []
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return [("", f"expected true or false; given {given(value)}, a string: drop the quotes")]
    if isinstance(value, str) and value.lower() in _WORDS_FOR_BOOLEANS:
        # recipes read YAML 1.2 (kgraphs.recipe.files), as editors do: `yes` is a string
        return [
            (
                "",
                f"expected true or false; given {given(value)}, a string: write true or false "
                "(yes, no, on and off are strings in YAML 1.2)",
            )
        ]
    return [("", f"expected true or false; given {given(value)}")]


def _bounded(entry: Argument, value: Any) -> str | None:
    if "minimum" in entry and value < entry["minimum"]:
        return f"expected a value >= {entry['minimum']}; given {given(value)}"
    if "maximum" in entry and value > entry["maximum"]:
        return f"expected a value <= {entry['maximum']}; given {given(value)}"
    return None


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _integer(entry: Argument, value: Any, argument: str) -> list[Problem]:
    if not _is_integer(value):
        return [("", f"expected an integer; given {given(value)}")]
    bound = _bounded(entry, value)
    return [("", bound)] if bound else []


def _size(entry: Argument, value: Any, argument: str) -> list[Problem]:
    if isinstance(value, list) and value:
        return [
            (f"[{index}]", message)
            for index, item in enumerate(value)
            for _, message in _integer(entry, item, argument)
        ]
    if _is_integer(value):
        return _integer(entry, value, argument)
    return [("", f"expected an integer or a list of integers (one per axis); given {given(value)}")]


def _number(entry: Argument, value: Any, argument: str) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [("", f"expected a number; given {given(value)}")]
    bound = _bounded(entry, value)
    return [("", bound)] if bound else []


def _float(entry: Argument, value: Any, argument: str) -> list[Problem]:
    if _is_integer(value):
        return [
            (
                "",
                f"expected a number with a decimal point (Keras refuses an integer here); "
                f"given {value}: write {float(value)}",
            )
        ]
    return _number(entry, value, argument)


def _enum(entry: Argument, value: Any, argument: str) -> list[Problem]:
    values = entry["values"]
    if value in values and not isinstance(value, bool):
        return []
    shown = [given(option) for option in values]
    words = [option for option in values if isinstance(option, str)]
    hint = did_you_mean(value, words)
    return [("", f"expected one of {', '.join(shown)}; given {given(value)}{hint}")]


def _dtype(entry: Argument, value: Any, argument: str) -> list[Problem]:
    """A dtype or mixed-precision policy by name, or a policy as Keras writes it in a config
    (`{class_name: DTypePolicy, config: {name: float32}}`)."""
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        if "DTypePolicy" in value["class_name"]:
            return []
        return [(".class_name", f"expected a DTypePolicy; given {given(value['class_name'])}")]
    return _enum(entry, value, argument)


def _shape(entry: Argument, value: Any, argument: str) -> list[Problem]:
    if isinstance(value, list) and all(_is_integer(item) or item is None for item in value):
        return []
    return [("", f"expected a list of integers; given {given(value)}")]


def _identifier(kind: str, names: Callable[[], frozenset[str]]):
    """A check of an activation, initializer, regularizer or constraint: a Keras name, or
    Keras's serialized `{class_name, config}` form of one."""

    def check(entry: Argument, value: Any, argument: str) -> list[Problem]:
        known = names()
        if isinstance(value, str):
            if value in known:
                return []
            return [("", f"unknown {kind} {value!r}{did_you_mean(value, known)}")]
        if isinstance(value, dict) and "class_name" in value:
            if kind == "activation":
                return []  # an activation layer's config (LeakyReLU) or a function's
            class_name = value["class_name"]
            if isinstance(class_name, str) and class_name not in known:
                match = close_match(class_name, known)
                hint = f"; did you mean {match!r}?" if match else ""
                return [(".class_name", f"unknown {kind} {class_name!r}{hint}")]
            return []
        expected = f"a {kind} name or {{class_name: ..., config: {{...}}}}"
        return [("", f"expected {expected}; given {given(value)}")]

    return check


def _layer(entry: Argument, value: Any, argument: str) -> list[Problem]:
    """A nested layer: `{class_name: GRU, config: {units: 16}}`, checked as that layer."""
    if not (isinstance(value, dict) and isinstance(value.get("class_name"), str)):
        expected = "a layer as {class_name: ..., config: {...}}"
        return [("", f"expected {expected}; given {given(value)}")]
    class_name = value["class_name"]
    if class_name in REFUSED_LAYERS:
        return []  # the plain-value check refuses it, with the reason
    if class_name not in described_layers():
        allowed = described_layers()
        return [
            (
                ".class_name",
                f"unknown layer class {class_name!r}; expected a built-in keras.layers class"
                f"{did_you_mean(class_name, allowed)}",
            )
        ]
    config = value.get("config", {})
    if not isinstance(config, dict):
        expected = f"a mapping of {class_name}'s arguments"
        return [(".config", f"expected {expected}; given {given(config)}")]
    return [
        (f".config.{path}".rstrip("."), message)
        for path, message in layer_problems(class_name, config)
    ]


_CHECKS: dict[str, Callable[[Argument, Any, str], list[Problem]]] = {
    "boolean": _boolean,
    "integer": _integer,
    "size": _size,
    "number": _number,
    "float": _float,
    "enum": _enum,
    "dtype": _dtype,
    "shape": _shape,
    "layer": _layer,
    "activation": _identifier("activation", lambda: ACTIVATIONS),
    "initializer": _identifier("initializer", lambda: identifiers("initializer")),
    "regularizer": _identifier("regularizer", lambda: identifiers("regularizer")),
    "constraint": _identifier("constraint", lambda: identifiers("constraint")),
}
