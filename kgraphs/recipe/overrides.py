"""Overrides: `--set config.stages[0].filters=128` and keyword overrides, applied to raw
recipe data before it is validated, so an override is checked exactly as the file's value is."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Mapping
from typing import Any

from kgraphs.recipe.files import parse_text
from kgraphs.util.errors import ConfigError, given


def with_overrides(data: object, assignments: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of recipe data with each `"config.stages[0].filters": value` assignment applied."""
    if not isinstance(data, Mapping):
        raise ConfigError([("(recipe)", f"expected a mapping; given {given(data)}")])
    result = copy.deepcopy(dict(data))
    for path, value in assignments.items():
        _assign(result, path, value)
    return result


def parse_assignment(text: str) -> tuple[str, Any]:
    """`"config.lstm_units=64"` -> `("config.lstm_units", 64)`; the value is read as YAML."""
    path, separator, value = text.partition("=")
    if not separator or not path.strip():
        raise ConfigError(
            [("--set", f"expected KEY=VALUE such as config.lstm_units=64; given {text!r}")]
        )
    return path.strip(), parse_text(value, syntax="yaml") if value.strip() else None


_PATH = re.compile(r"[^.\[\]]+(?:\.[^.\[\]]+|\[\d+\])*")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _assign(data: dict, path: str, value: Any) -> None:
    if not _PATH.fullmatch(path):
        raise ConfigError([(path, "expected a dotted key such as config.stages[0].filters")])
    parts = [name if name else int(index) for name, index in _PART.findall(path)]
    target: Any = data
    for part, following in itertools.pairwise(parts):
        _check_slot(target, part, path)
        if isinstance(part, str) and target.get(part) is None:
            target[part] = [] if isinstance(following, int) else {}
        target = target[part]
    _check_slot(target, parts[-1], path)
    target[parts[-1]] = value


def _check_slot(target: Any, part: str | int, path: str) -> None:
    """Refuse to index `target` by `part` unless it is an existing list item or a mapping."""
    if isinstance(part, int):
        if not isinstance(target, list) or part >= len(target):
            raise ConfigError([(path, f"no item [{part}] to set")])
    elif not isinstance(target, dict):
        raise ConfigError([(path, f"cannot set {part!r} inside a {type(target).__name__}")])
