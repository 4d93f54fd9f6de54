"""`ConfigError`: every problem with a recipe, located and explained.

A problem is a `(location, message)` pair. The location is a dotted path into the recipe
(`config.stages[1].filters`), and the message says what was expected, what was given and,
for a misspelt key or name, the closest valid one. All problems found in one pass are
reported together, so a user fixes a recipe in one edit rather than one error at a time.
"""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Iterable, Sequence
from typing import Any

Location = tuple[str | int, ...]
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")

# Recipes may hold deeply nested or huge values; echo a bounded preview of them.
_preview = reprlib.Repr()
_preview.maxlevel, _preview.maxstring, _preview.maxother = 3, 60, 60
_preview.maxlist = _preview.maxdict = _preview.maxtuple = 6


class ConfigError(ValueError):
    """A recipe, config or override that kgraphs cannot build.

    Attributes:
        problems: `(location, message)` pairs, in the order they were found.
        source: the recipe file (or a description of where the config came from).

    Example:
        >>> error = ConfigError([("config.lstm_units", "expected an integer; given '32'")],
        ...                     source="recipes/ticket.yaml")
        >>> print(error)
        recipes/ticket.yaml: 1 problem
          config.lstm_units: expected an integer; given '32'
    """

    def __init__(self, problems: Iterable[tuple[str, str]], *, source: str | None = None):
        # One line per problem, whatever characters a user's keys and values hold; a problem
        # found twice (by two validation passes) is reported once.
        self.problems: list[tuple[str, str]] = list(
            dict.fromkeys(
                (_one_line(location), _one_line(message)) for location, message in problems
            )
        )
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        header = f"{self.source or 'recipe'}: {count} problem{'s' if count != 1 else ''}"
        lines = [f"  {location or '(recipe)'}: {message}" for location, message in self.problems]
        return "\n".join([header, *lines])

    def with_source(self, source: str | None) -> ConfigError:
        """The same problems, attributed to `source` (kept if it is already set)."""
        return ConfigError(self.problems, source=self.source or source)


def format_location(location: Sequence[str | int]) -> str:
    """`("config", "stages", 1, "filters")` -> `"config.stages[1].filters"`.

    Keys that are not plain names are quoted and escaped (`config["a.b\\n"]`), so a hostile
    key can neither hide nor forge a line of the error message.
    """
    text = ""
    for part in location:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(str(part), ensure_ascii=True)}]"
    return text


def _one_line(text: object) -> str:
    return str(text).replace("\r", "\\r").replace("\n", "\\n")


def given(value: Any) -> str:
    """A short, safe preview of a user's value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return _preview.repr(value)


def close_match(word: object, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word` (case-insensitive), or None if nothing is close."""
    if not isinstance(word, str):
        return None
    import difflib  # only once a word is misspelt

    # Keras has names that differ only in case ("accuracy", "Accuracy"): offer the one written
    # in the word's case, the same one whatever order a set iterates in.
    by_lower: dict[str, str] = {}
    for candidate in sorted(candidates, key=lambda name: (name.islower() != word.islower(), name)):
        by_lower.setdefault(candidate.lower(), candidate)
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` when a candidate is close to `word`, else `""`."""
    match = close_match(word, candidates)
    return f"; did you mean {match!r}?" if match else ""


def first_line(error: BaseException, *, limit: int = 500) -> str:
    """The first line of an exception's message (its class name if it has none), cut at
    `limit` characters: what a located problem quotes of an error Keras raised."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:limit]
