"""Search spaces: recipe fields that hold a range or a set of values to tune instead of a value.

Any field under `config` or `compile` may be a search space (a mapping with a `search` key):

    lstm_units: {search: int, min: 16, max: 128, step: 16}
    dropout: {search: float, min: 0.0, max: 0.5}
    similarity: {search: choice, values: [concat, cosine]}
    share_encoder: {search: bool}
    learning_rate: {search: float, min: 1.0e-4, max: 1.0e-2, sampling: log}
    embedding_dim: {search: int, min: 16, max: 64, when: {similarity: cosine}}

Each space has a default (`default:`, else `min`, the first value, or false: KerasTuner's
own defaults), and `when: {field: value}` makes it active only when another searched field
has that value (or one of a list of values); `field` is a dotted path under `config` (or a
full one, `compile.optimizer.name`). Inactive, a field takes its default.

A recipe's spaces are checked here without TensorFlow: the space itself (bounds, sampling,
choices, conditions), then every value it can produce, put in the recipe and validated as
the recipe is, so a space cannot produce a value its field refuses. The extremes of a range
stand for it (field bounds are intervals); every choice is tried.

Example:
    >>> spaces = find_spaces({"config": {"lstm_units": {"search": "int", "min": 8, "max": 32}}})
    >>> list(spaces), spaces["config.lstm_units"].default_value()
    (['config.lstm_units'], 8)
    >>> spaces["config.lstm_units"].candidates()
    [8, 32]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from kgraphs.config.validation import Bool, Float, Int, Str, StrictConfig, validate
from kgraphs.recipe.overrides import with_overrides
from kgraphs.util.errors import ConfigError, did_you_mean, format_location, given

Scalar = int | float | str | bool
Condition = Annotated[Scalar | list[Scalar], Field()]
KINDS = ("int", "float", "choice", "bool")
SECTIONS = ("config", "compile")


class _Space(StrictConfig):
    # {field: value or list of values}: searched only while those searched fields take them.
    when: dict[Str, Condition] | None = None

    def conditions(self) -> list[tuple[str, str, list[Any]]]:
        """`(field as written, its full path, the values it must take)` for each condition."""
        return [
            (field, condition_path(field), wanted if isinstance(wanted, list) else [wanted])
            for field, wanted in (self.when or {}).items()
        ]

    def candidates(self) -> list[Any]:
        """Values that stand for everything the space can produce, default first."""
        raise NotImplementedError

    def default_value(self) -> Any:
        raise NotImplementedError

    def problems(self) -> list[tuple[str, str]]:
        """Problems of the space on its own, located relative to it."""
        return []

    def can_produce(self, value: Any) -> bool:
        raise NotImplementedError


class IntSpace(_Space):
    # An integer from min to max.
    search: Literal["int"]
    # The smallest value, and the default unless `default` says otherwise.
    min: Int
    # The largest value (reached when a whole number of steps from min).
    max: Int
    # Linear sampling only: the values are min, min + step, ... (none: every integer).
    step: Annotated[Int, Field(ge=1)] | None = None
    # log samples a range of several orders of magnitude evenly in the exponent.
    sampling: Literal["linear", "log"] = "linear"
    # The value before tuning, and while the space is inactive (none: min).
    default: Int | None = None

    def top(self) -> int:
        """The largest value the steps reach."""
        step = self.step or 1
        return self.min + (self.max - self.min) // step * step

    def candidates(self) -> list[Any]:
        return list(dict.fromkeys([self.default_value(), self.min, self.top()]))

    def default_value(self) -> Any:
        return self.min if self.default is None else self.default

    def can_produce(self, value: Any) -> bool:
        step = self.step or 1
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.min <= value <= self.max
            and (value - self.min) % step == 0
        )

    def problems(self) -> list[tuple[str, str]]:
        return _range_problems(self)


class FloatSpace(_Space):
    # A number from min to max.
    search: Literal["float"]
    # The smallest value, and the default unless `default` says otherwise.
    min: Float
    # The largest value.
    max: Float
    # Linear sampling only: the values are min, min + step, ... (none: any number).
    step: Annotated[Float, Field(gt=0)] | None = None
    # log for learning rates and other scales; reverse_log crowds values near max.
    sampling: Literal["linear", "log", "reverse_log"] = "linear"
    # The value before tuning, and while the space is inactive (none: min).
    default: Float | None = None

    def candidates(self) -> list[Any]:
        top = self.max
        if self.step is not None:
            top = self.min + math.floor((self.max - self.min) / self.step + 1e-9) * self.step
        return list(dict.fromkeys([self.default_value(), float(self.min), float(top)]))

    def default_value(self) -> Any:
        return float(self.min if self.default is None else self.default)

    def can_produce(self, value: Any) -> bool:
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and (self.min <= value <= self.max)
        )

    def problems(self) -> list[tuple[str, str]]:
        return _range_problems(self)


class ChoiceSpace(_Space):
    # One of a list of values.
    search: Literal["choice"]
    # The values to choose from, each one the field accepts; none repeated.
    values: Annotated[list[Any], Field(min_length=1, max_length=1000)]
    # The value before tuning, and while the space is inactive (none: the first value).
    default: Any = None

    def candidates(self) -> list[Any]:
        return [self.default_value(), *(v for v in self.values if v != self.default_value())]

    def default_value(self) -> Any:
        return self.values[0] if self.default is None else self.default

    def can_produce(self, value: Any) -> bool:
        return any(_same(value, option) for option in self.values)

    def problems(self) -> list[tuple[str, str]]:
        problems = []
        for index, value in enumerate(self.values):
            if any(_same(value, earlier) for earlier in self.values[:index]):
                problems.append((f"values[{index}]", f"repeats an earlier value, {given(value)}"))
            if isinstance(value, Mapping) and "search" in value:
                problems.append((f"values[{index}]", "a search space cannot hold another"))
        if self.default is not None and not self.can_produce(self.default):
            problems.append(("default", f"expected one of the values; given {given(self.default)}"))
        return problems

    def is_plain(self) -> bool:
        """Values KerasTuner's Choice takes as they are: scalars all of one type."""
        kinds = {type(value) for value in self.values}
        return len(kinds) == 1 and kinds <= {int, float, str, bool}


class BoolSpace(_Space):
    # true or false.
    search: Literal["bool"]
    # The value before tuning, and while the space is inactive (none: false).
    default: Bool | None = None

    def candidates(self) -> list[Any]:
        return [self.default_value(), not self.default_value()]

    def default_value(self) -> Any:
        return bool(self.default)

    def can_produce(self, value: Any) -> bool:
        return isinstance(value, bool)


SearchSpace = IntSpace | FloatSpace | ChoiceSpace | BoolSpace
SPACE_CLASSES: dict[str, type[_Space]] = {
    "int": IntSpace,
    "float": FloatSpace,
    "choice": ChoiceSpace,
    "bool": BoolSpace,
}


def is_space(value: object) -> bool:
    """Whether a recipe value is a search space (a mapping with a `search` key)."""
    return isinstance(value, Mapping) and "search" in value


def find_spaces(data: object) -> dict[str, SearchSpace]:
    """The search spaces of raw recipe data, by dotted path; `ConfigError` if any is malformed."""
    found: dict[str, Any] = {}
    _collect(data, (), found)
    problems: list[tuple[str, str]] = []
    spaces: dict[str, SearchSpace] = {}
    for path, raw in found.items():
        if path.split(".", 1)[0].split("[", 1)[0] not in SECTIONS:
            problems.append((path, "search spaces go under config or compile"))
            continue
        kind = raw.get("search")
        if not isinstance(kind, str) or kind not in SPACE_CLASSES:  # `search: []` too
            problems.append(
                (
                    f"{path}.search",
                    f"expected one of {list(KINDS)}; given {given(kind)}"
                    f"{did_you_mean(kind, KINDS)}",
                )
            )
            continue
        try:
            space = validate(SPACE_CLASSES[kind], dict(raw))
        except ConfigError as error:
            problems += [(f"{path}.{where}", message) for where, message in error.problems]
            continue
        problems += [(f"{path}.{where}", message) for where, message in space.problems()]
        spaces[path] = space
    problems += condition_problems(spaces)
    if problems:
        raise ConfigError(problems)
    return spaces


def _collect(value: object, location: tuple, found: dict[str, Any]) -> None:
    if is_space(value):
        found[format_location(location)] = value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _collect(item, (*location, key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _collect(item, (*location, index), found)


def condition_path(field: str) -> str:
    """`similarity` -> `config.similarity`; full paths stay as they are."""
    return field if field.split(".", 1)[0].split("[", 1)[0] in SECTIONS else f"config.{field}"


def condition_problems(spaces: Mapping[str, SearchSpace]) -> list[tuple[str, str]]:
    """Conditions must name other searched fields, with values those fields can take."""
    problems = []
    for path, space in spaces.items():
        for field, target, wanted in space.conditions():
            where = f"{path}.when.{field}"
            if target == path:
                problems.append((where, "a search space cannot depend on itself"))
                continue
            if target not in spaces:
                searched = [p.removeprefix("config.") for p in spaces if p != path]
                problems.append(
                    (
                        where,
                        f"{field!r} is not searched; `when` names a searched field: "
                        f"{searched}{did_you_mean(field, searched)}",
                    )
                )
                continue
            for value in wanted:
                if not spaces[target].can_produce(value):
                    problems.append(
                        (
                            where,
                            f"{target} never takes {given(value)}; its search cannot produce it",
                        )
                    )
    # A condition chain that loops back makes no field the first to decide.
    for path in spaces:
        seen, current = set(), path
        while current in spaces and current not in seen:
            seen.add(current)
            parents = [parent for _, parent, _ in spaces[current].conditions()]
            current = parents[0] if parents else ""
        if current == path:
            problems.append((f"{path}.when", "conditions form a loop"))
    return problems


def defaults(spaces: Mapping[str, SearchSpace]) -> dict[str, Any]:
    return {path: space.default_value() for path, space in spaces.items()}


def value_problems(
    data: Mapping[str, Any],
    spaces: Mapping[str, SearchSpace],
    check: Any,
) -> list[tuple[str, str]]:
    """Problems of the values the spaces can produce besides their defaults, each tried in
    the recipe with the other spaces at their defaults. `check(data)` returns the problems
    of one concrete recipe; problems it has at the defaults are not repeated here."""
    base = defaults(spaces)
    baseline = set(check(with_overrides(data, base)))
    problems = []
    for path, space in spaces.items():
        for value in space.candidates():
            if _same(value, base[path]):
                continue
            found = [
                p for p in check(with_overrides(data, base | {path: value})) if p not in baseline
            ]
            if found:
                problems.append(produced(path, value, found[0]))
                break
    return problems


def produced(path: str, value: Any, problem: tuple[str, str]) -> tuple[str, str]:
    """A problem of a value a space produced, located at the space."""
    location, message = problem
    if location == path and message.startswith("unknown key"):
        return problem  # about the field, not about the values
    inside = location.removeprefix(path).lstrip(".")
    which = f"its {inside}" if inside else "the field"
    return (path, f"this search can produce {given(value)}, which {which} refuses: {message}")


def under(location: str, paths: Any) -> str | None:
    """The path among `paths` that `location` is at or inside, if any."""
    for path in paths:
        if location == path or location.startswith((path + ".", path + "[")):
            return path
    return None


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type: choice values `1`, `1.0` and `true` are all different."""
    return type(a) is type(b) and a == b


def _range_problems(space: IntSpace | FloatSpace) -> list[tuple[str, str]]:
    problems = []
    if space.min > space.max:
        problems.append(("min", f"expected at most max ({space.max}); given {given(space.min)}"))
    if space.sampling != "linear" and space.step is not None:
        # KerasTuner reads a step under log sampling as a factor, not as a step.
        problems.append(("step", f"a step goes with linear sampling; given {space.sampling}"))
    if space.sampling != "linear" and space.min <= 0:
        problems.append(
            ("min", f"{space.sampling} sampling needs min > 0; given {given(space.min)}")
        )
    if space.default is not None and not space.can_produce(space.default):
        problems.append(
            ("default", f"expected a value the search can produce; given {given(space.default)}")
        )
    return problems
