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
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Location = tuple[str | int, ...]
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")

# Recipes may hold deeply nested or huge values; echo a bounded preview of them.
_preview = reprlib.Repr()
_preview.maxlevel, _preview.maxstring, _preview.maxother = 3, 60, 60
_preview.maxlist = _preview.maxdict = _preview.maxtuple = 6


class Problem(tuple):
    """One `(location, message)` pair, with where it stands in the recipe file when known.

    A plain 2-tuple to everything that unpacks or compares it (`location, message = problem`,
    `problem == ("config.x", "...")`), so code and tests written for pairs keep working; `line`
    and `column` (1-based, counted in characters) are extra attributes, `None` when the problem
    has no place in a file (a dict recipe, a `--set` override, a missing file).
    """

    line: int | None
    column: int | None

    def __new__(
        cls, location: str, message: str, line: int | None = None, column: int | None = None
    ) -> Problem:
        problem = super().__new__(cls, (location, message))
        problem.line, problem.column = line, column
        return problem

    def __getnewargs__(self) -> tuple[Any, ...]:  # copy and pickle keep the position
        return (self[0], self[1], self.line, self.column)

    @property
    def location(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]


class ConfigError(ValueError):
    """A recipe, config or override that kgraphs cannot build.

    Attributes:
        problems: `Problem`s (`(location, message)` pairs), in the order they were found. A
            problem found in a recipe file also has the `line` and `column` of its key or
            value there, and is shown as `FILE:LINE:COLUMN: location: message`, the form
            editors and terminals jump to.
        source: the recipe file (or a description of where the config came from).

    Example:
        >>> error = ConfigError([("config.lstm_units", "expected an integer; given '32'")],
        ...                     source="recipes/ticket.yaml")
        >>> print(error)
        recipes/ticket.yaml: 1 problem
          config.lstm_units: expected an integer; given '32'
        >>> error.problems == [("config.lstm_units", "expected an integer; given '32'")]
        True
        >>> located = error.located(lambda location: (4, 15))
        >>> print(located)
        recipes/ticket.yaml: 1 problem
        recipes/ticket.yaml:4:15: config.lstm_units: expected an integer; given '32'
        >>> problem = located.problems[0]
        >>> problem.location, problem.line, problem.column
        ('config.lstm_units', 4, 15)
    """

    def __init__(self, problems: Iterable[tuple[str, str]], *, source: str | None = None):
        # One line per problem, whatever characters a user's keys and values hold; a problem
        # found twice (by two validation passes) is reported once, at its first position.
        self.problems: list[Problem] = list(dict.fromkeys(_clean(problem) for problem in problems))
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        header = f"{self.source or 'recipe'}: {count} problem{'s' if count != 1 else ''}"
        lines = [header]
        for problem in self.problems:
            text = f"{problem.location or '(recipe)'}: {problem.message}"
            if self.source and problem.line is not None:
                # No indent: `^(.*):(\d+):(\d+):\s+(.*)$` (gcc's form, which editors' problem
                # matchers and terminals' link detectors know) must match the whole line.
                lines.append(f"{self.source}:{problem.line}:{problem.column or 1}: {text}")
            else:
                lines.append(f"  {text}")
        return "\n".join(lines)

    def with_source(self, source: str | None) -> ConfigError:
        """The same problems, attributed to `source` (kept if it is already set)."""
        return ConfigError(self.problems, source=self.source or source)

    def located(self, position: Callable[[str], tuple[int, int] | None]) -> ConfigError:
        """The same problems, each at `position(location)`: a 1-based `(line, column)`, or
        None to keep the position it has (if any)."""
        problems = []
        for problem in self.problems:
            found = position(problem.location)
            line, column = found if found is not None else (problem.line, problem.column)
            problems.append(Problem(problem.location, problem.message, line, column))
        return ConfigError(problems, source=self.source)


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


def _clean(problem: tuple[str, str]) -> Problem:
    location, message = problem
    line, column = getattr(problem, "line", None), getattr(problem, "column", None)
    return Problem(_one_line(location), _one_line(message), line, column)


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
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=5, cutoff=0.6)
    if not matches:
        return None
    # difflib's ratio favours longer names ('adma' -> 'adamax'); two letters swapped, one
    # dropped or one added are the typos people make, so the fewest such edits wins, then
    # difflib's order.
    best = min(matches, key=lambda match: _edits(word.lower(), match))
    return by_lower[best]


def _edits(first: str, second: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, and swaps of
    two neighbouring letters, one edit each."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` when a candidate is close to `word`, else `""`."""
    match = close_match(word, candidates)
    return f"; did you mean {match!r}?" if match else ""


def first_line(error: BaseException, *, limit: int = 500) -> str:
    """The first line of an exception's message (its class name if it has none), cut at
    `limit` characters: what a located problem quotes of an error Keras raised."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:limit]
