"""Where each problem stands in its recipe file, so it reads `FILE:LINE:COLUMN: location: ...`.

Validation works on parsed data and reports dotted locations (`config.nodes[3].args.units`).
When the recipe came from a file, this module maps those locations back to a 1-based line and
column there, the form that editors' problem matchers and terminals' links jump to:

- YAML: PyYAML composes the text into nodes, which carry their marks.
- JSON: the standard library keeps no positions, so a small scanner walks the text; it is
  trusted only when it finds exactly the keys and items that `json` read.
- TOML: `tomllib` keeps no positions either; a scanner walks the text in the same way and is
  trusted on the same terms. Where it is not, a problem gets the line of its key only when
  that key is written once in the file and names one value in the recipe.

A scalar is placed at its value (`units: 8x` points at `8x`), a mapping or list at its key
(the line where it begins), and a missing key at the mapping that lacks it. Anything that goes
wrong while locating leaves the problem without a position: positions help a reader, and must
never turn a located `ConfigError` into a crash.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from json.decoder import scanstring
from pathlib import Path
from typing import Any

import yaml

from kgraphs.recipe.files import MAX_RECIPE_BYTES, SUFFIXES, parse_text
from kgraphs.util.errors import ConfigError, Problem

Parts = tuple[str | int, ...]
Position = tuple[int, int]  # (line, column), both from 1
Locator = Callable[[Parts], Position | None]

# The pieces `format_location` writes: a plain name (the same pattern it tests), `[3]`, and
# `["any key"]` as JSON.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_INDEX = re.compile(r"\[(-?\d+)\]")
_QUOTED = re.compile(r'\[("(?:[^"\\]|\\.)*")\]')


def parse_location(text: str) -> Parts | None:
    """The path that `format_location` wrote as `text`; None for text it cannot have written
    (`(recipe)`, `(file)`, `line 3, column 5`, an empty location).

    Example:
        >>> parse_location('config.nodes[3]["a.b"].units')
        ('config', 'nodes', 3, 'a.b', 'units')
        >>> parse_location("(recipe)") is None
        True
    """
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "[":
            index = _INDEX.match(text, pos)
            if index:
                parts.append(int(index[1]))
                pos = index.end()
                continue
            quoted = _QUOTED.match(text, pos)
            if not quoted:
                return None
            parts.append(json.loads(quoted[1]))
            pos = quoted.end()
            continue
        if parts:  # a name after the first part follows a dot
            if text[pos] != ".":
                return None
            pos += 1
        name = _NAME.match(text, pos)
        if not name:
            return None
        parts.append(name[0])
        pos = name.end()
    return tuple(parts) if parts else None


def override_parts(path: str) -> Parts:
    """The parts of a `--set` path (`config.stages[0].filters`), as the overrides read it."""
    return tuple(
        name if name else int(index) for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    )


def with_positions(
    error: ConfigError,
    path: str | os.PathLike,
    data: object,
    *,
    overridden: Iterable[str] = (),
) -> ConfigError:
    """`error` with each problem placed in the recipe file at `path`, which held `data`.

    Problems at or under an `overridden` path get no position: their value came from the
    command line or a keyword, not from the file.
    """
    locator = file_locator(path, data)
    if locator is None:
        return error
    skipped = [override_parts(text) for text in overridden]

    def position(location: str) -> Position | None:
        parts = parse_location(location)
        if parts is None or any(parts[: len(skip)] == skip for skip in skipped):
            return None
        try:
            return locator(parts)
        except Exception:  # a position is a convenience; the error must still be raised
            return None

    return error.located(position)


_SYNTAX_LOCATION = re.compile(r"line (\d+)(?:, column (\d+))?")
_SYNTAX_MESSAGE = re.compile(r"\(at line (\d+), column (\d+)\)$")  # how tomllib says where


def with_syntax_positions(error: ConfigError) -> ConfigError:
    """A file's parse error (`line 3, column 7: invalid YAML: ...`) placed at that line."""
    problems = []
    for problem in error.problems:
        found = _SYNTAX_LOCATION.fullmatch(problem.location)
        if found is None and problem.location == "(file)":
            found = _SYNTAX_MESSAGE.search(problem.message)
        line, column = (int(found[1]), int(found[2] or 1)) if found else (None, None)
        problems.append(Problem(problem.location, problem.message, line, column))
    return ConfigError(problems, source=error.source)


def file_locator(path: str | os.PathLike, data: object) -> Locator | None:
    """A function from a path in the recipe to its position in the file at `path`; None when
    the file cannot be read again or no longer holds `data` (it changed since it was read)."""
    syntax = SUFFIXES.get(Path(path).suffix.lower())
    if syntax is None:
        return None
    try:
        # Read again only now that there are problems to place, so a valid recipe costs nothing.
        with open(path, "rb") as stream:
            raw = stream.read(MAX_RECIPE_BYTES + 1)
        text = raw.decode("utf-8-sig")
        if len(raw) > MAX_RECIPE_BYTES or parse_text(text, syntax=syntax) != data:
            return None
        if syntax == "yaml":
            return _yaml_locator(text)
        scan = _scan_json if syntax == "json" else _scan_toml
        try:
            entries = scan(text)
        except Exception:  # a construct the scanner does not know: no scanned positions
            entries = None
        if entries is not None and set(entries) == set(_all_paths(data)):
            return _entry_locator(text, entries)
        return _key_line_locator(text, data) if syntax == "toml" else None
    except Exception:  # an unreadable or changed file, an unexpected construct: no positions
        return None


def _all_paths(data: object, prefix: Parts = ()) -> Iterator[Parts]:
    """Every path in parsed data: the root, each key and each item, at every depth."""
    yield prefix
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _all_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _all_paths(value, (*prefix, index))


# ---- YAML: the composer's nodes carry their marks --------------------------------------------


def _yaml_locator(text: str) -> Locator:
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    constructor = yaml.constructor.SafeConstructor()

    def locate(parts: Parts) -> Position | None:
        if root is None:
            return None
        node, mark = root, root.start_mark
        for part in parts:
            child = _yaml_child(node, part, constructor, set())
            if child is None:
                break  # a missing key: the mapping that lacks it
            key_node, node = child
            scalar = isinstance(node, yaml.ScalarNode)
            mark = node.start_mark if scalar or key_node is None else key_node.start_mark
        return mark.line + 1, mark.column + 1

    return locate


def _yaml_child(
    node: yaml.Node, part: str | int, constructor: Any, seen: set[int]
) -> tuple[yaml.Node | None, yaml.Node] | None:
    """`(key node, value node)` of `part` in `node` (no key node for a list item)."""
    if isinstance(node, yaml.SequenceNode):
        if type(part) is int and 0 <= part < len(node.value):
            return None, node.value[part]
        return None
    if not isinstance(node, yaml.MappingNode) or id(node) in seen:
        return None
    seen.add(id(node))
    merged: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            merged += (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
        elif _same_key(key_node, part, constructor):
            return key_node, value_node
    # `<<: *defaults`: a key not written here comes from the mappings merged in, in order.
    for source in merged:
        found = _yaml_child(source, part, constructor, seen)
        if found is not None:
            return found
    return None


def _same_key(key_node: yaml.Node, part: str | int, constructor: Any) -> bool:
    if not isinstance(key_node, yaml.ScalarNode):
        return False
    try:
        key = constructor.construct_object(key_node, deep=True)
    except yaml.YAMLError:
        key = key_node.value
    if type(part) is int:
        return type(key) is int and key == part
    # `format_location` writes a key that is not a string (`true: x`, `1.5: x`) as its str().
    return key == part if isinstance(key, str) else str(key) == part


# ---- JSON and TOML: scanned offsets -----------------------------------------------------------

# For each path: the offset of its key (None for a list item or the root), of its value, and
# whether the value is a table or list (placed at its key) rather than a scalar (at its value).
Entry = tuple[int | None, int, bool]


def _entry_locator(text: str, entries: dict[Parts, Entry]) -> Locator:
    line_starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def locate(parts: Parts) -> Position | None:
        while parts not in entries:  # a missing key: the nearest mapping that holds the path
            if not parts:
                return None
            parts = parts[:-1]
        key, value, collection = entries[parts]
        offset = key if collection and key is not None else value
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    return locate


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def _scan_json(text: str) -> dict[Parts, Entry]:
    entries: dict[Parts, Entry] = {}
    end = _json_value(text, _JSON_SPACE.match(text).end(), (), None, entries)
    if _JSON_SPACE.match(text, end).end() != len(text):
        raise ValueError("text after the JSON value")
    return entries


def _json_value(
    text: str, pos: int, path: Parts, key: int | None, entries: dict[Parts, Entry]
) -> int:
    """Record the value at `pos` (and everything in it); return the offset after it."""
    char = text[pos]
    entries[path] = (key, pos, char in "[{")
    if char == '"':
        return scanstring(text, pos + 1)[1]
    if char not in "[{":
        scalar = _JSON_SCALAR.match(text, pos)
        if scalar is None:
            raise ValueError(f"unexpected {char!r}")
        return scalar.end()
    close, count = ("}" if char == "{" else "]"), 0
    pos = _JSON_SPACE.match(text, pos + 1).end()
    while text[pos] != close:
        if char == "{":
            name, after = scanstring(text, pos + 1) if text[pos] == '"' else ("", -1)
            colon = _JSON_SPACE.match(text, after).end() if after >= 0 else -1
            if colon < 0 or text[colon] != ":":
                raise ValueError("expected a key and a colon")
            start = _JSON_SPACE.match(text, colon + 1).end()
            end = _json_value(text, start, (*path, name), pos, entries)
        else:
            end = _json_value(text, pos, (*path, count), None, entries)
        count += 1
        pos = _JSON_SPACE.match(text, end).end()
        if text[pos] == ",":
            pos = _JSON_SPACE.match(text, pos + 1).end()
        elif text[pos] != close:
            raise ValueError(f"expected ',' or {close!r}")
    return pos + 1


_TOML_SPACE = re.compile(r"[ \t]*")
_TOML_BLANK = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")  # spaces, newlines and comments
_TOML_BARE = re.compile(r"[A-Za-z0-9_\-]+")
_TOML_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_TOML_LITERAL = re.compile(r"'[^'\n]*'")
_TOML_STRINGS = [
    re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}'),
    re.compile(r"'''(?:[^']|'(?!''))*'{3,5}"),
    _TOML_BASIC,
    _TOML_LITERAL,
]
# Numbers, booleans, inf/nan, dates and times; a date-time may have a space before its time.
_TOML_SCALAR = re.compile(
    r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:\d\d)?|[A-Za-z0-9_+\-.:]+"
)


def _scan_toml(text: str) -> dict[Parts, Entry]:
    entries: dict[Parts, Entry] = {(): (None, 0, True)}
    table: Parts = ()
    counts: dict[Parts, int] = {}  # how many `[[path]]` tables each array has so far

    def resolve(keys: Parts) -> Parts:
        """A header's keys as a path: a name of an array of tables means its last table."""
        path: Parts = ()
        for key in keys:
            path = (*path, key)
            if path in counts:
                path = (*path, counts[path] - 1)
        return path

    pos = _TOML_BLANK.match(text).end()
    while pos < len(text):
        if text[pos] == "[":
            array = text.startswith("[[", pos)
            keys, offsets, end = _toml_key(text, pos + (2 if array else 1))
            closing = "]]" if array else "]"
            if not text.startswith(closing, end):
                raise ValueError("expected the end of a table header")
            end += len(closing)
            if array:
                whole = (*resolve(keys[:-1]), keys[-1])
                counts[whole] = counts.get(whole, 0) + 1
                table = (*whole, counts[whole] - 1)
                entries.setdefault(whole, (offsets[-1], pos, True))
            else:
                table = resolve(keys)
            entries[table] = (offsets[-1], pos, True)
            for depth in range(1, len(table)):  # tables a header creates on its way
                entries.setdefault(table[:depth], (offsets[-1], pos, True))
        else:
            end = _toml_pair(text, pos, table, entries)
        end = _TOML_SPACE.match(text, end).end()
        if end < len(text) and text[end] not in "#\r\n":
            raise ValueError("expected the end of a line")
        pos = _TOML_BLANK.match(text, end).end()
    return entries


def _toml_key(text: str, pos: int) -> tuple[Parts, list[int], int]:
    """A dotted key's parts, their offsets, and the offset after the key."""
    keys: list[str | int] = []
    offsets: list[int] = []
    while True:
        pos = _TOML_SPACE.match(text, pos).end()
        if found := _TOML_BARE.match(text, pos):
            key: str = found[0]
        elif found := _TOML_BASIC.match(text, pos):
            key = json.loads(found[0])  # TOML's \e, \x and \U escapes fail here: no positions
        elif found := _TOML_LITERAL.match(text, pos):
            key = found[0][1:-1]
        else:
            raise ValueError("expected a key")
        keys.append(key)
        offsets.append(pos)
        pos = _TOML_SPACE.match(text, found.end()).end()
        if not text.startswith(".", pos):
            return tuple(keys), offsets, pos
        pos += 1


def _toml_pair(text: str, pos: int, table: Parts, entries: dict[Parts, Entry]) -> int:
    """Record `key = value` in `table`; return the offset after the value."""
    keys, offsets, end = _toml_key(text, pos)
    if not text.startswith("=", end):
        raise ValueError("expected '='")
    for depth in range(1, len(keys)):  # `a.b.c = 1` makes tables a and a.b
        entries.setdefault((*table, *keys[:depth]), (offsets[depth - 1], offsets[depth - 1], True))
    start = _TOML_SPACE.match(text, end + 1).end()
    return _toml_value(text, start, (*table, *keys), offsets[-1], entries)


def _toml_value(
    text: str, pos: int, path: Parts, key: int | None, entries: dict[Parts, Entry]
) -> int:
    char = text[pos]
    entries[path] = (key, pos, char in "[{")
    if char == "[":
        count = 0
        pos = _TOML_BLANK.match(text, pos + 1).end()
        while text[pos] != "]":
            end = _toml_value(text, pos, (*path, count), None, entries)
            count += 1
            pos = _TOML_BLANK.match(text, end).end()
            if text[pos] == ",":
                pos = _TOML_BLANK.match(text, pos + 1).end()
            elif text[pos] != "]":
                raise ValueError("expected ',' or ']'")
        return pos + 1
    if char == "{":
        pos = _TOML_SPACE.match(text, pos + 1).end()
        while text[pos] != "}":
            end = _toml_pair(text, pos, path, entries)
            pos = _TOML_SPACE.match(text, end).end()
            if text[pos] == ",":
                pos = _TOML_SPACE.match(text, pos + 1).end()
            elif text[pos] != "}":
                raise ValueError("expected ',' or '}'")
        return pos + 1
    for pattern in [*_TOML_STRINGS, _TOML_SCALAR]:
        if found := pattern.match(text, pos):
            return found.end()
    raise ValueError(f"unexpected {char!r}")


def _key_line_locator(text: str, data: object) -> Locator:
    """TOML the scanner could not follow: a path's line where its key is written just once in
    the file and ends just one path of the recipe, so the line cannot belong to another."""
    paths = set(_all_paths(data))
    last_keys: dict[str, int] = {}
    for path in paths:
        if path and isinstance(path[-1], str):
            last_keys[path[-1]] = last_keys.get(path[-1], 0) + 1

    def locate(parts: Parts) -> Position | None:
        while parts and parts not in paths:  # a missing key: the mapping that lacks it
            parts = parts[:-1]
        while parts and not isinstance(parts[-1], str):  # a list item: the list's key
            parts = parts[:-1]
        if not parts or last_keys.get(parts[-1]) != 1:
            return None
        spellings = [re.escape(parts[-1]), re.escape(json.dumps(parts[-1]))]
        spellings.append(re.escape(f"'{parts[-1]}'"))
        # the key before `=` (`units = 8`, `a.units = 8`) or ending a header (`[a.units]`)
        pattern = rf"(?<![\w\"'\-])(?:{'|'.join(spellings)})(?=[ \t]*(?:=|\]))"
        found = list(re.finditer(pattern, text))
        if len(found) != 1:
            return None
        offset = found[0].start()
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    return locate
