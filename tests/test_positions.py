"""Problems in recipe files are placed at `FILE:LINE:COLUMN`, the form editors jump to.

Each table row is a bad recipe file and, for every problem it has, the line and column
expected and the text that starts there. The positions are checked three ways: against the
numbers written here, against the file itself (the text at that line and column), and for YAML
against the marks PyYAML's own composer gives.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
import subprocess
import sys
import textwrap

import pytest
import yaml

import kgraphs
from kgraphs import ConfigError
from kgraphs.recipe.files import read_recipe_file
from kgraphs.recipe.loading import load_with_assignments
from kgraphs.recipe.positions import file_locator, parse_location, with_positions
from kgraphs.util.errors import Problem, format_location

# A problem line as VS Code's gcc-style problem matchers and terminals read it.
GCC_LINE = re.compile(r"^(.*):(\d+):(\d+):\s+(.*)$")

TICKET_YAML = """\
version: 1
architecture: ticket_priority
name: a/b
config:
  lstm_units: "32"
  dropot: 0.5
compile:
  optimizer: adamm
"""
TICKET_JSON = """\
{
  "version": 1,
  "architecture": "ticket_priority",
  "name": "a/b",
  "config": {"lstm_units": "32",
             "dropot": 0.5},
  "compile": {
    "optimizer": "adamm"
  }
}
"""
TICKET_TOML = """\
version = 1
architecture = "ticket_priority"
name = "a/b"

[config]
lstm_units = "32"   # a string, not a number
dropot = 0.5

[compile]
optimizer = "adamm"
"""
# The same mistakes in each syntax: location -> the text a position must start at.
TICKET_PROBLEMS = {
    "name": '"a/b"',
    "config.lstm_units": '"32"',
    "config.dropot": "0.5",
    "compile.optimizer": '"adamm"',
}

GRAPH_YAML = """\
version: 1
architecture: graph
config:
  inputs:
    - {name: x, shape: [8]}
  nodes:
    - {name: a, layer: Dense, args: {units: 4}, inputs: x}
    - name: b
      layer: Dense
      args: {units: 4, activation: relu2}
      inputs: a
    - name: c
      layer: Dense
      args:
        units: eight
      inputs: b
  outputs: c
"""
GRAPH_JSON = """\
{"version": 1, "architecture": "graph",
 "config": {
  "inputs": [{"name": "x", "shape": [8]}],
  "nodes": [
   {"name": "a", "layer": "Dense", "args": {"units": 4}, "inputs": "x"},
   {"name": "b", "layer": "Dense", "args": {"units": 4, "activation": "relu2"}, "inputs": "a"},
   {
    "name": "c",
    "layer": "Dense",
    "args": {
     "units": "eight"
    },
    "inputs": "b"
   }
  ],
  "outputs": "c"
 }
}
"""
GRAPH_TOML = """\
version = 1
architecture = "graph"

[config]
inputs = [{ name = "x", shape = [8] }]
outputs = "c"

[[config.nodes]]
name = "a"
layer = "Dense"
args = { units = 4 }
inputs = "x"

[[config.nodes]]
name = "b"
layer = "Dense"
args = { units = 4, activation = "relu2" }
inputs = "a"

[[config.nodes]]
name = "c"
layer = "Dense"
inputs = "b"

[config.nodes.args]
units = "eight"
"""
GRAPH_PROBLEMS = {
    "config.nodes[1].args.activation": "relu2",
    "config.nodes[2].args.units": "eight",
}

# Missing keys are placed at the mapping that lacks them.
MISSING_YAML = """\
architecture: graph
config:
  inputs:
    - {name: x}
  nodes:
    - {name: a, args: {units: 4}, inputs: x}
  outputs: a
"""

# name, suffix, text, {location: (line, column)}, {location: text at that position}
CASES = [
    (
        "ticket yaml",
        ".yaml",
        TICKET_YAML,
        {"name": (3, 7), "config.lstm_units": (5, 15), "config.dropot": (6, 11),
         "compile.optimizer": (8, 14)},
        {**TICKET_PROBLEMS, "name": "a/b", "compile.optimizer": "adamm"},
    ),
    (
        "ticket json",
        ".json",
        TICKET_JSON,
        {"name": (4, 11), "config.lstm_units": (5, 28), "config.dropot": (6, 24),
         "compile.optimizer": (8, 18)},
        TICKET_PROBLEMS,
    ),
    (
        "ticket toml",
        ".toml",
        TICKET_TOML,
        {"name": (3, 8), "config.lstm_units": (6, 14), "config.dropot": (7, 10),
         "compile.optimizer": (10, 13)},
        TICKET_PROBLEMS,
    ),
    (
        "graph yaml",
        ".yaml",
        GRAPH_YAML,
        {"config.nodes[1].args.activation": (10, 36), "config.nodes[2].args.units": (15, 16)},
        GRAPH_PROBLEMS,
    ),
    (
        "graph json",
        ".json",
        GRAPH_JSON,
        {"config.nodes[1].args.activation": (6, 71), "config.nodes[2].args.units": (11, 15)},
        {key: f'"{value}"' for key, value in GRAPH_PROBLEMS.items()},
    ),
    (
        "graph toml",
        ".toml",
        GRAPH_TOML,
        {"config.nodes[1].args.activation": (17, 34), "config.nodes[2].args.units": (26, 9)},
        {key: f'"{value}"' for key, value in GRAPH_PROBLEMS.items()},
    ),
    (
        "missing keys yaml",
        ".yaml",
        MISSING_YAML,
        {"version": (1, 1), "config.inputs[0].shape": (4, 7), "config.nodes[0]": (6, 7),
         "config.nodes[0].args": (6, 17)},
        {"version": "architecture", "config.inputs[0].shape": "{name: x}",
         "config.nodes[0]": "{name: a", "config.nodes[0].args": "args"},
    ),
]  # fmt: skip


def _error(path, assignments=None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_with_assignments(str(path), assignments or {})
    return caught.value


def _yaml_mark(text: str, parts: tuple) -> tuple[int, int]:
    """PyYAML's own mark for `parts` (its value if a scalar, else its key; a missing key's
    mapping), found by walking the pure-Python composer's nodes by key text."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    mark = node.start_mark
    for part in parts:
        if isinstance(node, yaml.SequenceNode):
            node = node.value[part]
            mark = node.start_mark
            continue
        pairs = [(key, value) for key, value in node.value if key.value == part]
        if not pairs:
            break
        key, node = pairs[0]
        mark = node.start_mark if isinstance(node, yaml.ScalarNode) else key.start_mark
    return mark.line + 1, mark.column + 1


@pytest.mark.parametrize(
    ("suffix", "text", "expected", "starts"),
    [case[1:] for case in CASES],
    ids=[c[0] for c in CASES],
)
def test_every_problem_is_placed(tmp_path, suffix, text, expected, starts):
    path = tmp_path / f"recipe{suffix}"
    path.write_text(text, encoding="utf-8")
    error = _error(path)
    placed = {problem.location: (problem.line, problem.column) for problem in error.problems}
    assert placed == expected
    lines = text.splitlines()
    rendered = str(error).splitlines()
    assert rendered[0] == f"{path}: {len(expected)} problems"
    for problem in error.problems:
        # The text at the position is the offending value (or key), in the file itself.
        assert lines[problem.line - 1][problem.column - 1 :].startswith(starts[problem.location])
        line = f"{path}:{problem.line}:{problem.column}: {problem.location}: {problem.message}"
        assert line in rendered
        match = GCC_LINE.match(line)
        assert match and match[1] == str(path) and match[4].startswith(problem.location)
        if suffix == ".yaml":
            assert _yaml_mark(text, parse_location(problem.location)) == (
                problem.line,
                problem.column,
            )


def test_problems_still_compare_as_pairs(tmp_path):
    path = tmp_path / "recipe.yaml"
    path.write_text(TICKET_YAML, encoding="utf-8")
    error = _error(path)
    pairs = [(location, message) for location, message in error.problems]
    assert error.problems == pairs
    assert all(type(pair) is tuple for pair in pairs)
    assert ("name", error.problems[0].message) in error.problems
    # Copies and pickles (multiprocessing, caches) keep the positions.
    for problem in error.problems:
        for twin in (copy.deepcopy(problem), pickle.loads(pickle.dumps(problem))):
            assert (twin, twin.line, twin.column) == (problem, problem.line, problem.column)
            assert isinstance(twin, Problem)
    # with_source keeps them too.
    assert error.with_source("other").problems[0].line == error.problems[0].line


def test_dict_recipes_have_no_positions():
    with pytest.raises(ConfigError) as caught:
        kgraphs.load_recipe(yaml.safe_load(TICKET_YAML))
    assert all(problem.line is None for problem in caught.value.problems)
    assert all(line.startswith(("<dict>: ", "  ")) for line in str(caught.value).splitlines())


def test_overridden_values_are_not_placed_in_the_file(tmp_path):
    path = tmp_path / "recipe.yaml"
    path.write_text(TICKET_YAML, encoding="utf-8")
    error = _error(path, {"config.lstm_units": "sixty", "config.vocab_size": "many"})
    placed = {problem.location: problem.line for problem in error.problems}
    assert placed["config.lstm_units"] is None  # the value came from --set, not line 5
    assert placed["config.vocab_size"] is None
    assert placed["config.dropot"] == 6
    assert "\n  config.lstm_units: " in str(error)


def test_syntax_errors_are_placed(tmp_path):
    for name, text, position in [
        ("bad.yaml", "version: [1\n", (2, 1)),
        ("bad.json", '{"version": 1,}', (1, 15)),
        ("bad.toml", "version = 1\nversion = 2\n", (2, 12)),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        problem = _error(path).problems[0]
        assert (problem.line, problem.column) == position, name


def test_toml_falls_back_to_unambiguous_key_lines(tmp_path):
    # A key escape tomllib reads and the scanner does not: only unique keys get their line.
    text = textwrap.dedent(
        """\
        version = 1
        architecture = "ticket_priority"
        "\\U00000063onfig" = { lstm_units = "32" }
        [compile]
        optimizer = "adamm"
        loss = { priority = "mse", units = 1 }
        """
    )
    path = tmp_path / "recipe.toml"
    path.write_text(text, encoding="utf-8")
    data = read_recipe_file(path)
    locate = file_locator(path, data)
    assert locate is not None
    assert locate(("config", "lstm_units")) == (3, 23)
    assert locate(("compile", "optimizer")) == (5, 1)
    assert locate(("compile", "loss", "priority")) == (6, 10)
    # A missing key: its mapping, when the mapping's key is unique.
    assert locate(("compile", "metrics")) == (4, 2)
    assert locate(("version",)) == (1, 1)


def test_toml_ambiguous_keys_get_no_line(tmp_path):
    text = 'version = 1\n"\\U00000061" = { units = 1 }\nb = { units = 2 }\n'
    path = tmp_path / "recipe.toml"
    path.write_text(text, encoding="utf-8")
    locate = file_locator(path, read_recipe_file(path))
    assert locate is not None
    assert locate(("b", "units")) is None  # `units =` is written twice
    assert locate(("b",)) == (3, 1)


def test_a_changed_file_gives_no_positions(tmp_path):
    path = tmp_path / "recipe.yaml"
    path.write_text(TICKET_YAML, encoding="utf-8")
    error = _error(path)
    unplaced = ConfigError([(p.location, p.message) for p in error.problems], source=str(path))
    assert with_positions(unplaced, path, {"version": 2}).problems[0].line is None
    assert with_positions(unplaced, tmp_path / "gone.yaml", {}).problems[0].line is None
    assert with_positions(unplaced, path, yaml.safe_load(TICKET_YAML)).problems[0].line == 3


@pytest.mark.parametrize(
    "parts",
    [
        ("config", "nodes", 3, "args", "activation"),
        ("config", "a.b", "c d", 'quote"s', "new\nline", 0),
        (0, "x", -1),
        ("compile", "loss", "bounding-box"),
        ("config", "3", "True", "é"),
    ],
)
def test_parse_location_inverts_format_location(parts):
    assert parse_location(format_location(parts)) == parts


@pytest.mark.parametrize(
    "text", ["", "(recipe)", "(file)", "line 3, column 5", "a..b", "a[", "a b"]
)
def test_parse_location_refuses_other_text(text):
    assert parse_location(text) is None


def test_json_scanner_agrees_with_json_on_tricky_text(tmp_path):
    data = {
        "version": 1,
        "architecture": "ticket_priority",
        "config": {"lstm_units": "x", 'a\\"{[,:': [1, -2.5e3, True, None, {}, []]},
    }
    for indent in (None, 0, 2, "\t"):
        path = tmp_path / "recipe.json"
        path.write_text(json.dumps(data, indent=indent, ensure_ascii=False), encoding="utf-8")
        placed = {p.location: (p.line, p.column) for p in _error(path).problems}
        line, column = placed["config.lstm_units"]
        text = path.read_text(encoding="utf-8").splitlines()[line - 1]
        assert text[column - 1 :].startswith('"x"'), (indent, text)


def test_the_cli_prints_jumpable_lines(tmp_path):
    (tmp_path / "bad.yaml").write_text(GRAPH_YAML, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kgraphs", "validate", "bad.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert "bad.yaml:10:36: config.nodes[1].args.activation: unknown activation 'relu2'" in (
        result.stderr
    )
    assert [GCC_LINE.match(line).groups()[:2] for line in lines[1:]] == [
        ("bad.yaml", "10"),
        ("bad.yaml", "15"),
    ]
