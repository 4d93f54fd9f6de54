"""Griffe extensions (mkdocs.yml) that make the API page say what Python says.

- `ExampleSections`: kgraphs' docstrings head their doctests `Example:`. Google style names
  that section `Examples:`; under any other title Griffe reads an admonition, and the `>>>`
  lines would show as quoted prose. Read as the examples section, they show as code.
- `FactorySignatures`: an architecture's public factory is its builder wrapped by
  `kgraphs.models.registry.register`, so the source shows the builder's signature
  (`config, *, name`). The factory's own, `(config=None, /, **fields)`, is read from the
  factory itself (importing an architecture's module imports no TensorFlow).
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import griffe

HEADING = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
REGISTER = "kgraphs.models.registry.register"


class ExampleSections(griffe.Extension):
    """Renames each `Example:` heading of a docstring to `Examples:` when the object loads."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = HEADING.sub(r"\1Examples:", obj.docstring.value)


class FactorySignatures(griffe.Extension):
    """Gives each function decorated with `register(...)` the signature of the factory."""

    def on_function(
        self, *, func: griffe.Function, loader: griffe.GriffeLoader, **kwargs: Any
    ) -> None:
        if not any(decorator.callable_path == REGISTER for decorator in func.decorators):
            return
        factory = getattr(importlib.import_module(func.module.path), func.name)
        signature = inspect.signature(factory)
        func.parameters = griffe.Parameters(
            *(_parameter(parameter) for parameter in signature.parameters.values())
        )
        func.returns = _text(signature.return_annotation)


def _parameter(parameter: inspect.Parameter) -> griffe.Parameter:
    return griffe.Parameter(
        parameter.name,
        annotation=_text(parameter.annotation),
        kind=griffe.ParameterKind(parameter.kind.description),
        default=None if parameter.default is parameter.empty else repr(parameter.default),
    )


def _text(annotation: Any) -> str | None:
    """An annotation as written (kgraphs' modules postpone them: they are strings)."""
    return None if annotation is inspect.Signature.empty else str(annotation)
