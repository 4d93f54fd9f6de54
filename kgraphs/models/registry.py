"""The architecture registry: one decorator registers a builder under its function name.

The decorator also turns the builder into the public factory, so every architecture gets the
same calling convention (`factory(config=None, /, **fields)`), the same validation and the
same error messages, and tests parametrized over `names()` cover a new architecture at once.
Nothing here imports TensorFlow: builders import Keras when they run.

The built-in architectures are the modules of `kgraphs.models.architectures`, one per
architecture and named after it: `BUILTIN` lists them from the folder without importing them, so
`names()` needs no import, and `get(name)` imports an architecture's module (registering it and
building its pydantic config class) only when that architecture is first used. Adding an
architecture is its file and its `@register`: the public factory (`kgraphs.NAME`), the
command line, the schema and the registry-driven tests find it from there.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kgraphs.config.limits import allocates_weights, over_parameter_limit
from kgraphs.config.validation import StrictConfig, validate
from kgraphs.models.builtin import BUILTIN
from kgraphs.util.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import keras


class ArchitectureConfig(StrictConfig):
    """A config whose model's output names are known before anything is built."""

    def parameter_count(self) -> int | None:
        """The model's exact parameter count, computed from the config alone (None: unknown)."""
        return None

    def output_names(self) -> tuple[str, ...]:
        raise NotImplementedError

    def output_keys(self) -> tuple[str, ...] | None:
        """What per-output compile settings are keyed by (the output names, unless the
        outputs are a mapping: its keys); None when Keras takes them only in the outputs'
        own nested shape."""
        return self.output_names()

    @classmethod
    def partial_problems(cls, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Problems of the parts of `data` that validate, when the whole does not: what
        `problems()` would say of them, so one round reports every independent mistake.
        None of the built-in architectures but `graph` has parts to check alone."""
        return []

    @classmethod
    def output_names_of(cls, data: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The output names of a config `data` that failed validation, so that a recipe's
        compile keys are checked all the same; None when they cannot be known.

        The built-in architectures but `graph` name their outputs whatever the config, so the
        defaults' names are theirs; `graph` reads its `outputs`.
        """
        try:
            return cls().output_names()
        except (ValueError, NotImplementedError):  # a field without a default
            return None

    def problems(self) -> list[tuple[str, str]]:
        """Problems types cannot express (references between fields), located in the config."""
        return []


Builder = Callable[..., "keras.Model"]


@dataclass(frozen=True)
class Architecture:
    name: str
    config_class: type[ArchitectureConfig]
    builder: Builder

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.builder) or "").split("\n", 1)[0]

    def make(self, config: ArchitectureConfig, *, name: str) -> keras.Model:
        """The model of a validated `config`, refused before any weight is allocated when its
        weights are over the memory limit (a config of any size validates, and builds inside
        `without_weights`: its structure needs no memory)."""
        count = config.parameter_count()
        refusal = None if count is None else over_parameter_limit(count)
        if refusal and allocates_weights():
            raise ConfigError([("config", refusal)])
        return self.builder(config, name=name)

    def config(self, config: object = None, /, **fields: Any) -> ArchitectureConfig:
        """Validate `config` (a mapping or config object) updated with `fields`."""
        if isinstance(config, self.config_class):
            data: object = config.model_dump() | fields
        elif config is None or isinstance(config, Mapping):
            data = dict(config or {}) | fields
        else:
            raise ConfigError([("config", f"expected a mapping; given {type(config).__name__}")])
        try:
            config = validate(self.config_class, data, prefix="config")
        except ConfigError as error:
            if not isinstance(data, Mapping):
                raise
            partial = [
                (f"config.{location}" if location else "config", message)
                for location, message in self.config_class.partial_problems(data)
            ]
            raise ConfigError([*error.problems, *partial]) from None
        problems = config.problems()
        if problems:
            raise ConfigError(
                [
                    (f"config.{location}" if location else "config", message)
                    for location, message in problems
                ]
            )
        return config


_ARCHITECTURES: dict[str, Architecture] = {}
_FACTORIES: dict[str, Builder] = {}


def register(config_class: type[ArchitectureConfig]) -> Callable[[Builder], Builder]:
    """Register `builder(config, *, name)` under its function name; return the public factory."""

    def decorator(builder: Builder) -> Builder:
        name = builder.__name__
        if name in _ARCHITECTURES or BUILTIN.get(name, builder.__module__) != builder.__module__:
            raise ValueError(f"architecture {name!r} is already registered")
        architecture = Architecture(name, config_class, builder)
        _ARCHITECTURES[name] = architecture

        def factory(config: Mapping[str, Any] | None = None, /, **fields: Any) -> keras.Model:
            try:
                return architecture.make(architecture.config(config, **fields), name=name)
            except ConfigError as error:
                raise error.with_source(f"{name}() arguments") from None

        factory.__name__ = factory.__qualname__ = name
        factory.__module__ = builder.__module__
        factory.__doc__ = builder.__doc__
        factory.architecture = architecture  # type: ignore[attr-defined]
        _FACTORIES[name] = factory
        return factory

    return decorator


def names() -> list[str]:
    """Registered architecture names, sorted (the built-in ones are not imported for this)."""
    return sorted(_ARCHITECTURES.keys() | BUILTIN.keys())


def factory_of(name: str) -> Builder:
    """The public factory of the architecture called `name` (`kgraphs.NAME`)."""
    get(name)  # imports a built-in architecture's module, or refuses with a close match
    return _FACTORIES[name]


def get(name: object) -> Architecture:
    """The registered architecture called `name`; `ConfigError` with a close match otherwise."""
    if isinstance(name, str) and name not in _ARCHITECTURES and name in BUILTIN:
        importlib.import_module(BUILTIN[name])  # registers it
    if isinstance(name, str) and name in _ARCHITECTURES:
        return _ARCHITECTURES[name]
    raise ConfigError(
        [
            (
                "architecture",
                f"unknown architecture {name!r}; expected one of {names()}"
                f"{did_you_mean(name, names())}",
            )
        ]
    )
