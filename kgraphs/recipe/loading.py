"""Recipes: validated, TensorFlow-free descriptions of a model and how to compile it.

A recipe is a mapping (from a YAML, JSON or TOML file, or a dict):

    version: 1
    architecture: ticket_priority
    name: ticket_priority          # optional Keras model name
    description: One line.         # optional
    config: {lstm_units: 32}       # the architecture's fields; the rest take the defaults
    compile: {optimizer: adam, loss: {priority: binary_crossentropy}}   # optional

Validation runs in three passes that all report into one `ConfigError`: the envelope, the
architecture's config, then the compile keys against the model's output names.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from kgraphs.config.validation import Str, StrictConfig, validate
from kgraphs.models import registry
from kgraphs.models.registry import ArchitectureConfig
from kgraphs.recipe.compile_spec import CompileSpec
from kgraphs.recipe.files import SUFFIXES, read_recipe_file
from kgraphs.recipe.overrides import with_overrides
from kgraphs.recipe.positions import with_positions, with_syntax_positions
from kgraphs.recipe.search_space import (
    SearchSpace,
    defaults,
    find_spaces,
    produced,
    under,
    value_problems,
)
from kgraphs.recipe.shipped import presets
from kgraphs.util.errors import ConfigError, did_you_mean, given

ModelName = Annotated[Str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")]


def _integer_version(value: object) -> object:
    if type(value) is not int:
        raise ValueError("expected the integer 1")
    return value


class Envelope(StrictConfig):
    # `true` and `1.0` equal 1 in Python; a recipe's version is the integer 1 only.
    version: Annotated[Literal[1], BeforeValidator(_integer_version)]
    architecture: Str
    name: ModelName | None = None
    description: Annotated[Str, Field(max_length=500)] | None = None
    config: dict[Str, Any] = Field(default_factory=dict)
    compile: CompileSpec | None = None


@dataclass(frozen=True)
class Recipe:
    """A validated recipe. `config` is the architecture's typed, frozen config object.

    Example:
        >>> import kgraphs
        >>> recipe = kgraphs.load_recipe("siamese_text_cosine")
        >>> recipe.model_name, recipe.config.similarity, recipe.output_names
        ('siamese_text_cosine', 'cosine', ('similarity',))
        >>> recipe.to_dict()["config"]["lstm_units"]
        64
    """

    architecture: str
    config: ArchitectureConfig
    name: str | None = None
    description: str | None = None
    compile: CompileSpec | None = None
    source: str | None = None
    # Fields that are search spaces, by dotted path; `config` holds their defaults.
    search_spaces: Mapping[str, SearchSpace] = dataclasses.field(default_factory=dict)

    @property
    def model_name(self) -> str:
        return self.name or self.architecture

    @property
    def output_names(self) -> tuple[str, ...]:
        return self.config.output_names()

    def to_dict(self) -> dict[str, Any]:
        """The recipe as plain data (what a file would hold), defaults included."""
        data: dict[str, Any] = {"version": 1, "architecture": self.architecture}
        if self.name is not None:
            data["name"] = self.name
        if self.description is not None:
            data["description"] = self.description
        data["config"] = self.config.model_dump(mode="json")
        if self.compile is not None:
            data["compile"] = self.compile.model_dump(mode="json", exclude_none=True)
        if self.search_spaces:  # put back as written, where the defaults stand in for them
            data = with_overrides(
                data,
                {
                    path: space.model_dump(mode="json", exclude_none=True)
                    for path, space in self.search_spaces.items()
                },
            )
        return data


def load_recipe(source: object, /, **overrides: Any) -> Recipe:
    """Read and validate a recipe without importing TensorFlow.

    `source` is the name of a shipped recipe (see `kgraphs.presets()`) or of an architecture
    (its defaults), a path to a `.yaml`/`.yml`/`.json`/`.toml` file, a recipe mapping or a
    `Recipe`. `overrides` replace fields of its `config`.

    Example:
        >>> recipe = load_recipe("ticket_priority", lstm_units=8)
        >>> recipe.architecture, recipe.config.lstm_units, recipe.output_names
        ('ticket_priority', 8, ('priority',))
        >>> load_recipe({"version": 1, "architecture": "ticket_priorty"})
        Traceback (most recent call last):
        ...
        kgraphs.util.errors.ConfigError: <dict>: 1 problem
          architecture: unknown architecture 'ticket_priorty'; ...; did you mean 'ticket_priority'?
    """
    if isinstance(source, Recipe) and not overrides:
        return source
    return load_with_assignments(
        source, {f"config.{key}": value for key, value in overrides.items()}
    )


def load_with_assignments(source: object, assignments: Mapping[str, Any]) -> Recipe:
    """`load_recipe` with `{"config.stages[0].filters": 8}`-style assignments applied first."""
    data, where = read_source(source)
    read = data
    if assignments:
        try:
            data = with_overrides(data, assignments)
        except ConfigError as error:
            raise error.with_source(where) from None
    try:
        return validate_recipe(data, source=where)
    except ConfigError as error:
        # A recipe read from a file: each problem at its line and column there (a shipped
        # recipe's name has no recipe suffix, so it is not taken for a file).
        if not isinstance(source, (str, os.PathLike)) or Path(where).suffix.lower() not in SUFFIXES:
            raise
        raise with_positions(error, where, read, overridden=assignments) from None


def read_source(source: object) -> tuple[object, str]:
    """The raw recipe data behind `source`, and a name for it in error messages."""
    if isinstance(source, Recipe):
        return source.to_dict(), source.source or "<recipe>"
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source)), "<dict>"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if isinstance(source, str) and path.suffix.lower() not in SUFFIXES and not path.is_file():
            return _read_name(source)
        try:
            return read_recipe_file(path), str(path)
        except ConfigError as error:  # `line 3, column 7: invalid YAML`: placed there too
            raise with_syntax_positions(error) from None
    raise ConfigError(
        [
            (
                "(recipe)",
                "expected a recipe name, a recipe path or a mapping; "
                f"given {type(source).__name__}",
            )
        ]
    )


def _read_name(name: str) -> tuple[object, str]:
    """A shipped recipe by name, else a registered architecture's defaults."""
    shipped = presets()
    if name in shipped:
        return read_recipe_file(shipped[name]), name
    if name in registry.names():
        return {"version": 1, "architecture": name}, name
    known = [*shipped, *registry.names()]
    raise ConfigError(
        [
            (
                "(recipe)",
                f"{name!r} is not a shipped recipe (`kgraphs list` shows them), an "
                f"architecture, or a recipe file ({', '.join(sorted(SUFFIXES))})"
                f"{did_you_mean(name, known)}",
            )
        ],
        source=name,
    )


def validate_recipe(data: object, *, source: str = "<dict>") -> Recipe:
    """Validate raw recipe data; every problem is collected into one `ConfigError`.

    Fields that are search spaces (see `kgraphs.recipe.search_space`) are checked as spaces, and
    every value they can produce is checked as the field's value would be; the recipe's
    `config` is then the one the spaces' defaults give.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(
            [("(recipe)", f"expected a mapping of recipe keys; given {given(data)}")], source=source
        )
    try:
        spaces = find_spaces(data)
    except ConfigError as error:
        raise error.with_source(source) from None
    if not spaces:
        return _checked(data, source=source)
    base = defaults(spaces)
    concrete = with_overrides(data, base)
    problems = []
    for location, message in _problems(concrete):
        path = under(location, spaces)
        problems.append(
            (location, message) if path is None else produced(path, base[path], (location, message))
        )
    problems += value_problems(data, spaces, _problems)
    if problems:
        raise ConfigError(problems, source=source)
    return dataclasses.replace(_checked(concrete, source=source), search_spaces=spaces)


def _problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    try:
        _checked(data, source="")
    except ConfigError as error:
        return error.problems
    return []


def _checked(data: Mapping[str, Any], *, source: str) -> Recipe:
    """A concrete recipe (no search spaces), validated in three passes into one error."""
    problems: list[tuple[str, str]] = []
    envelope_data = dict(data)
    config_data = envelope_data.get("config", {})
    # The compile section on its own: its keys are checked against the model's outputs even
    # when another field of the recipe fails.
    compile_data = envelope_data.pop("compile", None)
    try:
        envelope: Envelope | None = validate(Envelope, envelope_data)
    except ConfigError as error:
        envelope = None
        problems += error.problems
    compile_spec = None
    if compile_data is not None:
        try:
            compile_spec = validate(CompileSpec, compile_data, prefix="compile")
        except ConfigError as error:
            problems += error.problems

    architecture = None
    if isinstance(data.get("architecture"), str):
        try:
            architecture = registry.get(data["architecture"])
        except ConfigError as error:
            problems += error.problems
    config = None
    if architecture is not None and isinstance(config_data, Mapping):
        try:
            config = architecture.config(config_data)
        except ConfigError as error:
            problems += error.problems

    if compile_spec is not None:
        output_names = None
        if config is not None:
            # Nested outputs: Keras takes per-output settings only in their shape (`()`).
            output_names = config.output_keys()
            output_names = () if output_names is None else output_names
        elif architecture is not None and isinstance(config_data, Mapping):
            output_names = architecture.config_class.output_names_of(config_data)
        problems += compile_spec.problems(output_names)

    if problems or envelope is None or config is None or architecture is None:
        raise ConfigError(problems, source=source)
    return Recipe(
        architecture=architecture.name,
        config=config,
        name=envelope.name,
        description=envelope.description,
        compile=compile_spec,
        source=source,
    )
