"""Config validation on pydantic v2, reported as `ConfigError`.

Config classes derive from `StrictConfig`: frozen, unknown keys refused, no NaN or infinity.
Scalars are strict (`"32"`, `32.0` and `true` are not integers) while lists are accepted for
tuples, because YAML, JSON and TOML have no tuples. `validate(cls, data)` turns pydantic's
errors into `(location, message)` problems that say what was expected and what was given.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, ValidationError

from kgraphs.catalog.keras_names import ACTIVATIONS, check_name
from kgraphs.util.errors import ConfigError, did_you_mean, format_location, given

Int = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
Str = Annotated[str, Strict()]
# Strict floats still take integers: `dropout: 0` is a float to every reader.
Float = Annotated[float, Strict()]

# Upper bounds keep a typo like `vocab_size: 10000000000` from allocating before failing.
Units = Annotated[Int, Field(ge=1, le=65_536)]
Vocabulary = Annotated[Int, Field(ge=1, le=10_000_000)]
Rate = Annotated[Float, Field(ge=0.0, lt=1.0)]
ImageSide = Annotated[Int, Field(ge=1, le=8192)]
Channels = Annotated[Int, Field(ge=1, le=4096)]
Activation = Annotated[Str, AfterValidator(check_name("activation", ACTIVATIONS))]


class StrictConfig(BaseModel):
    """Base class of every config: frozen, strict about keys, finite numbers only."""

    # defer_build: a class's validator is built when it first validates, not when its module is
    # imported, so importing kgraphs' modules costs little and unused classes cost nothing.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


ConfigT = TypeVar("ConfigT", bound=BaseModel)

_EXPECTED = {
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "string_type": "expected a string",
    "none_required": "expected null",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "finite_number": "expected a finite number",
    "extra_forbidden": "unknown key",
}

_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def validate(cls: type[ConfigT], data: object, *, prefix: str = "") -> ConfigT:
    """Validate `data` as `cls`, raising `ConfigError` with every problem located under `prefix`.

    Example:
        >>> from kgraphs.models.architectures.ticket_priority import TicketPriorityConfig
        >>> validate(TicketPriorityConfig, {"lstm_unit": 8}, prefix="config")
        Traceback (most recent call last):
        ...
        kgraphs.util.errors.ConfigError: recipe: 1 problem
          config.lstm_unit: unknown key; did you mean 'lstm_units'?
    """
    if isinstance(data, cls):
        return data
    try:
        return cls.model_validate(data)
    except ValidationError as error:
        raise ConfigError(problems_from(error, cls, data, prefix=prefix)) from None
    except RecursionError:
        raise ConfigError([(prefix, "nested too deeply to validate")]) from None


def problems_from(
    error: ValidationError, cls: type[BaseModel], data: object, *, prefix: str = ""
) -> list:
    details = []
    for detail in error.errors(include_url=False):
        # Union members add their type name to the path (`function-after[...]`); drop them.
        location = _data_location(detail["loc"], data, detail["type"])
        details.append((location, detail))
    # Where a value had the right type but a wrong content, union fields (`name | mapping`)
    # also report "expected a mapping" for the members it did not match; drop those.
    content_errors = {loc for loc, detail in details if not detail["type"].endswith("_type")}
    problems = []
    for location, detail in details:
        if location in content_errors and detail["type"].endswith("_type"):
            continue
        # A list whose items are wrong is also "too short" once they are dropped; the item
        # errors say more, so report only the most specific problems.
        if any(
            len(other) > len(location) and other[: len(location)] == location
            for other, _ in details
        ):
            continue
        path = format_location(((prefix,) if prefix else ()) + location)
        problems.append((path, _message(detail, cls, location)))
    return problems


def _message(detail: Mapping[str, Any], cls: type[BaseModel], location: tuple) -> str:
    kind = detail["type"]
    value = detail.get("input")
    context = detail.get("ctx") or {}
    if kind == "missing":
        if location and isinstance(location[-1], int):
            return f"missing item [{location[-1]}]: too few items"
        return "missing required key"
    if kind == "extra_forbidden":
        return f"unknown key{did_you_mean(location[-1], _keys_at(cls, location[:-1]))}"
    if kind in _BOUNDS:
        bound = next(iter(context.values()))
        return f"expected a value {_BOUNDS[kind]} {bound}; given {given(value)}"
    if kind == "literal_error":
        options = _literal_options(cls, location)
        return (
            f"expected one of {context.get('expected')}; given {given(value)}"
            f"{did_you_mean(value, options)}"
        )
    if kind in ("too_short", "too_long"):
        which = "at least" if kind == "too_short" else "at most"
        limit = context.get("min_length" if kind == "too_short" else "max_length")
        return f"expected {which} {limit} items; given {given(value)}"
    if kind == "value_error":
        message = str(context.get("error", detail["msg"]))
        return message if repr(value) in message else f"{message}; given {given(value)}"
    expected = _EXPECTED.get(kind, detail["msg"][:1].lower() + detail["msg"][1:])
    return f"{expected}; given {given(value)}"


def _data_location(location: tuple, data: object, kind: str) -> tuple:
    """`location` without the union-member tags pydantic adds (`function-after[...]`, `str`).

    A part is kept when it leads somewhere in the user's data, and, for a missing key or item,
    the last part too: what is missing is by definition not in the data.
    """
    kept, current = [], data
    for position, part in enumerate(location):
        in_mapping = isinstance(current, dict) and part in current
        in_list = (
            isinstance(current, (list, tuple))
            and isinstance(part, int)
            and 0 <= part < len(current)
        )
        if in_mapping or in_list:
            kept.append(part)
            current = current[part]
        elif kind == "missing" and position == len(location) - 1:
            kept.append(part)
    return tuple(kept)


def _annotation_at(cls: type[BaseModel], location: tuple) -> Any:
    """The type annotation that validates the value at `location` inside `cls`."""
    annotation: Any = cls
    aliases: dict[str, Any] = {}  # a recursive alias refers to itself by name
    for part in location:
        if hasattr(annotation, "__value__"):
            aliases[annotation.__name__] = annotation
        model = _model_in(annotation)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            annotation = model.model_fields[part].annotation
        else:
            annotation = _item_type(annotation)
        name = getattr(annotation, "__forward_arg__", annotation)
        annotation = aliases.get(name, annotation) if isinstance(name, str) else annotation
        if annotation is None:
            return None
    return annotation


def _keys_at(cls: type[BaseModel], location: tuple) -> list[str]:
    model = _model_in(_annotation_at(cls, location))
    return list(model.model_fields) if model else []


def _literal_options(cls: type[BaseModel], location: tuple) -> list[str]:
    options: list[str] = []
    stack = [_annotation_at(cls, location)]
    while stack:
        annotation = stack.pop()
        if typing.get_origin(annotation) is typing.Literal:
            options += [str(option) for option in typing.get_args(annotation)]
        else:
            stack += list(typing.get_args(annotation))
    return options


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `Stage | None`, if there is one."""
    annotation = _aliased(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, Annotated):
        for argument in typing.get_args(annotation):
            model = _model_in(argument)
            if model is not None:
                return model
    return None


def _item_type(annotation: Any) -> Any:
    """The element type of `tuple[X, ...]`, `list[X]` or `dict[str, X]` (through unions)."""
    annotation = _aliased(annotation)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (tuple, list) and arguments:
        return arguments[0]
    if origin is dict and len(arguments) == 2:
        return arguments[1]
    if origin in (typing.Union, types.UnionType, Annotated):
        for argument in arguments:
            item = _item_type(argument)
            if item is not None:
                return item
    return None


def _aliased(annotation: Any) -> Any:
    """What a recursive type alias (`InputStructure`) stands for; anything else as it is."""
    return getattr(annotation, "__value__", annotation)
