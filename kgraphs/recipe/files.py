"""Reading recipe files: YAML, JSON or TOML into plain Python data, safely.

A recipe is data, never code. YAML goes through PyYAML's safe loader on libyaml (tags naming
Python objects are errors), JSON through the standard library, TOML through `tomllib`. On top
of the parsers, a recipe file is refused when it is too large, binary, not UTF-8, has duplicate
keys (the parsers would silently keep the last one), nests deeper than 1,000 levels, or uses
so many YAML aliases that expanding them could exhaust memory. Every failure is a `ConfigError`
naming the file and the line.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from kgraphs.util.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the locked environment is 3.11
    import tomli as tomllib

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
# Real recipes are a few kilobytes; a graph recipe of a large application model is ~100 KB.
MAX_RECIPE_BYTES = 2_000_000
# Anchors and aliases are fine, but a "billion laughs" file of a few hundred bytes expands to
# billions of values; refuse documents whose expanded size passes this many values.
MAX_EXPANDED_VALUES = 200_000


# libyaml (PyYAML's C parser) reads recipes about 8x faster than PyYAML's Python parser, but
# composes nested collections by C recursion with no limit: a deeply nested file would overflow
# the stack and crash the process instead of raising. Texts that nest deeper than this are
# refused before they are composed.
MAX_NESTING = 1000
_NESTING_INDICATORS = "[{-:?"  # each level of nesting needs one of these characters at least


class _RecipeChecks:
    """Refuse duplicate keys and alias bombs (a mixin for PyYAML's safe loaders)."""

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_EXPANDED_VALUES:
            raise yaml.YAMLError(
                f"its aliases expand to more than {MAX_EXPANDED_VALUES:,} values; "
                "refusing what looks like an alias bomb"
            )
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be plain values", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _RecipeYamlLoader(_RecipeChecks, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's parser (PyYAML's Python one where PyYAML was built without libyaml)."""


# PyYAML follows YAML 1.1, where `1e-4` (no dot) is a string; JSON, TOML, YAML 1.2 and every
# reader of a learning rate take it as a number. Resolve such exponents as floats too.
_RecipeYamlLoader.yaml_implicit_resolvers = {
    key: list(resolvers) for key, resolvers in _RecipeYamlLoader.yaml_implicit_resolvers.items()
}
_RecipeYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _read_booleans_as_yaml_1_2(loader: type) -> None:
    """Only true and false (any case) are booleans, as in YAML 1.2, JSON and TOML.

    YAML 1.1 (PyYAML) also reads yes, no, on, off, y and n as booleans; yaml-language-server,
    which checks recipes against their schema in editors, reads YAML 1.2, where they are
    strings. Reading them as strings here too makes kgraphs and the editor agree: `use_bias:
    yes` is an error in both ("expected true or false"), never true in one and a string in the
    other (and `country: no` stays Norway).
    """
    boolean = "tag:yaml.org,2002:bool"
    for first, resolvers in loader.yaml_implicit_resolvers.items():
        loader.yaml_implicit_resolvers[first] = [pair for pair in resolvers if pair[0] != boolean]
    loader.add_implicit_resolver(
        boolean, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )


_read_booleans_as_yaml_1_2(_RecipeYamlLoader)


def _check_nesting(text: str) -> None:
    """RecursionError when `text` nests deeper than `MAX_NESTING`, before it is composed."""
    if sum(text.count(indicator) for indicator in _NESTING_INDICATORS) <= MAX_NESTING:
        return  # too few indicators to nest that deep
    # The event parser keeps its own stack (no recursion), and stopping at the limit bounds
    # the time a hostile file takes.
    depth = 0
    for event in yaml.parse(text, Loader=_RecipeYamlLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise RecursionError(f"nested more than {MAX_NESTING} deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` stands for once every alias is expanded (memoised, so linear)."""
    if id(node) not in sizes:
        sizes[id(node)] = 0  # a recursive alias counts as nothing more while it is measured
        children: list = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        sizes[id(node)] = min(1 + sum(_expanded_size(c, sizes) for c in children), 10**12)
    return sizes[id(node)]


def parse_text(text: str, *, syntax: str) -> object:
    """Parse recipe text written in `syntax` ("yaml", "json" or "toml")."""
    try:
        if syntax == "yaml":
            _check_nesting(text)
            return yaml.load(text, Loader=_RecipeYamlLoader)
        if syntax == "json":
            return json.loads(text, object_pairs_hook=_json_object, parse_constant=_json_constant)
        return tomllib.loads(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError([(where, f"invalid YAML: {error.problem or error}")]) from None
    except yaml.YAMLError as error:
        raise ConfigError([("(file)", f"invalid YAML: {error}")]) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ConfigError([(where, f"invalid JSON: {error.msg}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([("(file)", f"invalid TOML: {error}")]) from None
    except ValueError as error:  # duplicate JSON keys, NaN constants
        raise ConfigError([("(file)", f"invalid {syntax.upper()}: {error}")]) from None
    except RecursionError:
        raise ConfigError([("(file)", "nested too deeply")]) from None


def read_recipe_file(path: str | os.PathLike) -> object:
    """The parsed content of a recipe file; `ConfigError` (naming the file) for any problem."""
    path = Path(path)
    source = str(path)
    syntax = SUFFIXES.get(path.suffix.lower())
    if syntax is None:
        raise ConfigError(
            [
                (
                    "(file)",
                    f"unknown recipe suffix {path.suffix!r}; expected one of {sorted(SUFFIXES)}",
                )
            ],
            source=source,
        )
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_RECIPE_BYTES + 1)
    except OSError as error:
        raise ConfigError(
            [("(file)", f"cannot read: {error.strerror or error}")], source=source
        ) from None
    try:
        return parse_text(_decode(data), syntax=syntax)
    except ConfigError as error:
        raise error.with_source(source) from None


def _decode(data: bytes) -> str:
    if len(data) > MAX_RECIPE_BYTES:
        raise ConfigError(
            [
                (
                    "(file)",
                    f"expected a recipe of at most {MAX_RECIPE_BYTES:,} bytes; given a larger file",
                )
            ]
        )
    if not data.strip():
        raise ConfigError([("(file)", "expected a recipe; given an empty file")])
    if b"\x00" in data:
        raise ConfigError([("(file)", "expected UTF-8 text; given a binary file")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            [(f"line {line}", f"expected UTF-8 text; given byte 0x{data[error.start]:02x}")]
        ) from None


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _json_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a recipe can use")


def dump_yaml(data: Any) -> str:
    """Recipe data as block-style YAML with keys in the order given."""
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)


def expand_recipe_paths(paths: Sequence[str | os.PathLike]) -> list[str]:
    """Recipe files named directly, plus every recipe file under the folders named (sorted)."""
    found: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(
                str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        else:
            found.append(name)
    return found
