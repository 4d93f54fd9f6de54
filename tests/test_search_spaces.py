"""Search spaces in recipes: validated without TensorFlow, located, and never buildable as is."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import kgraphs
from kgraphs import ConfigError
from kgraphs.recipe.loading import validate_recipe

pytestmark = pytest.mark.backend_independent(
    reason="search spaces are validated, refused or set to their defaults before a build"
)

SEARCHED = {
    "version": 1,
    "architecture": "siamese_text",
    "config": {
        "lstm_units": {"search": "int", "min": 16, "max": 64, "step": 16},
        "similarity": {"search": "choice", "values": ["concat", "cosine"]},
        "embedding_dim": {"search": "int", "min": 8, "max": 32, "when": {"similarity": "cosine"}},
    },
    "compile": {
        "optimizer": {
            "name": "adam",
            "learning_rate": {"search": "float", "min": 1e-4, "max": 1e-2, "sampling": "log"},
        },
        "loss": "binary_crossentropy",
    },
}


def searched(**config) -> dict:
    return {"version": 1, "architecture": "siamese_text", "config": config}


def test_a_recipe_with_search_spaces_validates_to_its_defaults():
    recipe = kgraphs.load_recipe(SEARCHED)
    assert list(recipe.search_spaces) == [
        "config.lstm_units",
        "config.similarity",
        "config.embedding_dim",
        "compile.optimizer.learning_rate",
    ]
    assert (recipe.config.lstm_units, recipe.config.similarity, recipe.config.embedding_dim) == (
        16,
        "concat",
        8,
    )
    assert recipe.compile.optimizer.arguments == {"learning_rate": 1e-4}
    # Written back, the spaces stand where they were; reloaded, the recipe is the same.
    data = recipe.to_dict()
    assert data["config"]["lstm_units"] == {
        "search": "int",
        "min": 16,
        "max": 64,
        "step": 16,
        "sampling": "linear",
    }
    assert data["compile"]["optimizer"]["learning_rate"]["sampling"] == "log"
    assert kgraphs.load_recipe(data).to_dict() == data


MALFORMED = [
    (
        {"lstm_units": {"search": "int", "min": 128, "max": 16}},
        "config.lstm_units.min",
        "expected at most max (16); given 128",
    ),
    (
        {"lstm_units": {"search": "int", "min": 0, "max": 16}},
        "config.lstm_units",
        "this search can produce 0, which the field refuses: expected a value >= 1; given 0",
    ),
    (
        {"lstm_units": {"search": "int", "min": 8, "max": 70000, "step": 8}},
        "config.lstm_units",
        "this search can produce 70000, which the field refuses: expected a value <= 65536",
    ),
    (
        {"similarity": {"search": "choice", "values": ["concat", "cosin"]}},
        "config.similarity",
        "can produce 'cosin', which the field refuses: expected one of 'concat', 'cosine' or "
        "'l1'; given 'cosin'; did you mean 'cosine'?",
    ),
    (
        {"lstm_units": {"search": "float", "min": 0.0, "max": 1.0, "sampling": "log"}},
        "config.lstm_units.min",
        "log sampling needs min > 0; given 0.0",
    ),
    (
        {
            "lstm_units": {
                "search": "int",
                "min": 8,
                "max": 16,
                "sampling": "log",
                "default": 9,
                "step": 2,
            }
        },
        "config.lstm_units.default",
        "expected a value the search can produce; given 9",
    ),
    (
        {"lstm_units": {"search": "int", "min": 8, "max": 16, "step": 0}},
        "config.lstm_units.step",
        "expected a value >= 1; given 0",
    ),
    (
        {
            "embedding_dim": {
                "search": "int",
                "min": 8,
                "max": 16,
                "when": {"similarity": "cosine"},
            }
        },
        "config.embedding_dim.when.similarity",
        "'similarity' is not searched",
    ),
    (
        {
            "similarity": {"search": "choice", "values": ["concat", "l1"]},
            "embedding_dim": {
                "search": "int",
                "min": 8,
                "max": 16,
                "when": {"similarity": "cosine"},
            },
        },
        "config.embedding_dim.when.similarity",
        "config.similarity never takes 'cosine'; its search cannot produce it",
    ),
    (
        {"lstm_unit": {"search": "int", "min": 8, "max": 16}},
        "config.lstm_unit",
        "unknown key; did you mean 'lstm_units'?",
    ),
    (
        {"lstm_units": {"search": "integer", "min": 8, "max": 16}},
        "config.lstm_units.search",
        "expected one of ['int', 'float', 'choice', 'bool']; given 'integer'",
    ),
    (
        {"lstm_units": {"search": "int", "min": 8}},
        "config.lstm_units.max",
        "missing required key",
    ),
    (
        {"lstm_units": {"search": "int", "min": 8, "max": 16, "stepp": 2}},
        "config.lstm_units.stepp",
        "unknown key; did you mean 'step'?",
    ),
    (
        {"similarity": {"search": "choice", "values": ["l1", "l1"]}},
        "config.similarity.values[1]",
        "repeats an earlier value, 'l1'",
    ),
    (
        {"share_encoder": {"search": "choice", "values": [True, "yes"]}},
        "config.share_encoder",
        "can produce 'yes', which the field refuses: expected true or false",
    ),
    (
        {"lstm_units": {"search": "int", "min": 8, "max": 16, "when": {"lstm_units": 8}}},
        "config.lstm_units.when.lstm_units",
        "a search space cannot depend on itself",
    ),
]


@pytest.mark.parametrize(("config", "location", "message"), MALFORMED)
def test_malformed_search_spaces_are_located(config, location, message):
    with pytest.raises(ConfigError) as caught:
        validate_recipe(searched(**config), source="search.yaml")
    problems = dict(caught.value.problems)
    assert location in problems, caught.value
    assert message in problems[location], caught.value


def test_search_spaces_go_under_config_or_compile():
    data = dict(searched(), name={"search": "choice", "values": ["a", "b"]})
    with pytest.raises(ConfigError, match="name: search spaces go under config or compile"):
        validate_recipe(data)


def test_spaces_in_nested_fields_and_graph_node_arguments():
    stages = kgraphs.load_recipe(
        {
            "version": 1,
            "architecture": "residual_cnn",
            "config": {"stages": [{"filters": 8, "blocks": {"search": "int", "min": 1, "max": 3}}]},
        }
    )
    assert list(stages.search_spaces) == ["config.stages[0].blocks"]
    assert stages.config.stages[0].blocks == 1
    graph = kgraphs.load_recipe("recipes/graph/transformer_encoder.yaml").to_dict()
    node = next(n for n in graph["config"]["nodes"] if n.get("layer") == "Dense")
    node.setdefault("args", {})["units"] = {"search": "choice", "values": [16, 32]}
    recipe = kgraphs.load_recipe(graph)
    assert len(recipe.search_spaces) == 1
    assert next(iter(recipe.search_spaces)).endswith(".args.units")


def test_build_refuses_a_recipe_with_search_spaces_and_says_what_to_do():
    with pytest.raises(ConfigError) as caught:
        kgraphs.build(SEARCHED)
    problems = dict(caught.value.problems)
    assert list(problems) == [
        "config.lstm_units",
        "config.similarity",
        "config.embedding_dim",
        "compile.optimizer.learning_rate",
    ]
    assert "kgraphs.best_recipe(tuner)" in problems["config.lstm_units"]
    assert "--set config.lstm_units=VALUE" in problems["config.lstm_units"]


def test_plot_draws_the_defaults():
    assert b"<b>lstm</b> (LSTM)" in kgraphs.plot(SEARCHED, format="dot").data


def test_malformed_spaces_are_found_without_importing_tensorflow(tmp_path):
    """Every malformed case of the table above, validated in a process that never loads TF."""
    cases = MALFORMED
    for index, (config, _, _) in enumerate(cases):
        (tmp_path / f"case{index}.json").write_text(json.dumps(searched(**config)))
    code = (
        "import sys\nfrom kgraphs.cli.main import main\n"
        f"for index in range({len(cases)}):\n"
        f"    assert main(['validate', {str(tmp_path)!r} + f'/case{{index}}.json']) == 2\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for _, location, message in cases:
        assert f"{location}: " in result.stderr and message in result.stderr
