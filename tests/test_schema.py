"""The recipes' JSON Schema (`kgraphs schema`) against kgraphs, through an independent validator.

jsonschema's Draft7Validator reads the schema as VS Code's YAML extension does (draft 7). The
schema may be looser than kgraphs, never stricter: whatever kgraphs accepts (the shipped
recipes, the property-test generators' recipes, recipes with search spaces) it accepts too,
and what kgraphs refuses for a reason types can say, it refuses too.
"""

import json
import os
import subprocess
import sys

import pytest
from conftest import RECIPES, ROOT, clean_environment, recipe_id
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from recipe_strategies import graphs, mutated_recipes, searched_recipes

import kgraphs
from kgraphs import ConfigError
from kgraphs.recipe.files import read_recipe_file
from kgraphs.recipe.schema import SCHEMA_FILE, modeline, recipe_schema, schema_text
from kgraphs.recipe.search_space import KINDS

pytestmark = pytest.mark.backend_independent(
    reason="the JSON Schema against validation; exports are test_graph's, on each backend"
)

SCHEMA = recipe_schema()
TEXT = schema_text()
VALIDATOR = Draft7Validator(SCHEMA)
DEFINITIONS = SCHEMA["definitions"]
SEARCH = {"$ref": "#/definitions/SearchSpace"}
# The generators' recipes, each kgraphs' verdict then the schema's: about a second a test.
# KGRAPHS_FUZZ_EXAMPLES=5000 digs deeper.
AGREEMENT = settings(
    max_examples=int(os.environ.get("KGRAPHS_FUZZ_EXAMPLES", 200)),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def schema_problems(data):
    return sorted(
        f"{'.'.join(map(str, error.absolute_path)) or '(recipe)'}: {error.message}"
        for error in VALIDATOR.iter_errors(data)
    )


def kgraphs_accepts(data):
    try:
        kgraphs.load_recipe(data)
    except ConfigError:
        return False
    return True


def recipe(architecture="ticket_priority", config=None, **envelope):
    return {"version": 1, "architecture": architecture, "config": config or {}, **envelope}


def test_the_schema_is_draft_7():
    Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = json.dumps(SCHEMA)
    for newer in ('"$defs"', '"prefixItems"', '"unevaluated', '"dependentSchemas"', "$defs/"):
        assert newer not in text


def test_the_committed_schema_is_what_kgraphs_schema_writes():
    # kgraphs/recipe.schema.json ships in the package; recipe.schema.json at the root links to it.
    stale = "a model changed: run `python -m kgraphs schema -o kgraphs/recipe.schema.json`"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == TEXT, stale
    assert (ROOT / "recipe.schema.json").read_text(encoding="utf-8") == TEXT
    assert schema_text() == TEXT  # the same bytes every time


@pytest.mark.parametrize("path", RECIPES, ids=recipe_id)
def test_shipped_recipes_are_valid_under_the_schema(path):
    assert schema_problems(read_recipe_file(path)) == []


@pytest.mark.parametrize("path", [p for p in RECIPES if p.suffix == ".yaml"], ids=recipe_id)
def test_shipped_yaml_recipes_name_the_schema_in_their_first_line(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), f"a shipped YAML recipe starts with {prefix}PATH"
    target = first.removeprefix(prefix)
    # An editor joins the path to the folder as written (recipes/ links to kgraphs/recipes/):
    # the root's link; Python resolving the link first: the package's file. Both are the schema.
    for folder in (os.path.normpath(path.parent), path.parent.resolve()):
        with open(os.path.normpath(os.path.join(folder, target)), encoding="utf-8") as file:
            assert file.read() == TEXT


@pytest.mark.parametrize("where", ["recipe.yaml", "deep/er/recipe.yaml", "../up.yaml"])
def test_modeline_names_the_packaged_schema_relative_to_the_file(tmp_path, where):
    file = tmp_path / "project" / where
    line = modeline(file)
    target = line.removeprefix("# yaml-language-server: $schema=").removesuffix("\n")
    assert not os.path.isabs(target)
    assert os.path.normpath(file.parent / target) == str(SCHEMA_FILE)
    assert modeline() == f"# yaml-language-server: $schema={SCHEMA_FILE.as_posix()}\n"


@AGREEMENT
@given(mutated_recipes())
def test_mutated_recipes_kgraphs_accepts_are_valid_under_the_schema(data):
    if kgraphs_accepts(data):
        assert schema_problems(data) == []


@AGREEMENT
@given(graphs())
def test_generated_graphs_kgraphs_accepts_are_valid_under_the_schema(data):
    if kgraphs_accepts(data):
        assert schema_problems(data) == []


@AGREEMENT
@given(searched_recipes())
def test_recipes_with_search_spaces_kgraphs_accepts_are_valid_under_the_schema(data):
    if kgraphs_accepts(data):
        assert schema_problems(data) == []


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (recipe("ticket_priorty"), "architecture"),
        ({"architecture": "ticket_priority"}, ""),
        (recipe(extra=1), ""),
        (recipe(**{"$schema": "recipe.schema.json"}), ""),
        (recipe(name="no spaces"), "name"),
        (recipe(config={"lstm_unit": 8}), "config"),
        (recipe(config={"lstm_units": "32"}), "config.lstm_units"),
        (recipe(config={"lstm_units": 0}), "config.lstm_units"),
        (recipe(config={"dropout": 1.0}), "config.dropout"),
        (recipe(config={"mask_zero": "yes"}), "config.mask_zero"),
        (recipe("residual_cnn", {"stages": {"filters": 8}}), "config.stages"),
        (recipe("residual_cnn", {"stages": [{"filter": 8}]}), "config.stages.0"),
        (recipe("residual_cnn", {"input_shape": [32, 32]}), "config.input_shape"),
        (recipe("residual_cnn", {"input_shape": [32, 32, 3, 1]}), "config.input_shape"),
        (recipe("image_multitask", {"pooling": "max"}), "config.pooling"),
        (recipe("image_multitask", {"bbox_activation": "sigmoud"}), "config.bbox_activation"),
        (recipe(compile={"optimizer": "adamm"}), "compile.optimizer"),
        (recipe(compile={"optimizer": {"name": "adam", "learning_rate": [1]}}), None),
        (recipe(compile={"loss": {"priority": "mse2"}}), "compile.loss"),
        (recipe(compile={"metrics": ["acurracy"]}), "compile.metrics"),
        (recipe(compile={"loss_weights": "1"}), "compile.loss_weights"),
        (recipe(compile={"optimiser": "adam"}), "compile"),
        # search spaces malformed as spaces
        (recipe(config={"lstm_units": {"search": "integer", "min": 8, "max": 64}}), None),
        (recipe(config={"lstm_units": {"search": "int", "min": 8}}), None),
        (recipe(config={"lstm_units": {"search": "int", "min": 8, "max": 64, "stp": 8}}), None),
        (recipe(config={"dropout": {"search": "float", "min": 0, "max": 0.5, "sampling": "exp"}}),
         None),
        (recipe("siamese_text", {"similarity": {"search": "choice", "values": []}}), None),
        (recipe(config={"mask_zero": {"search": "bool", "values": [True]}}), None),
        (recipe(name={"search": "choice", "values": ["a", "b"]}), "name"),
    ],
)  # fmt: skip
def test_what_types_refuse_both_refuse(data, where):
    assert not kgraphs_accepts(data)
    assert schema_problems(data)
    if where is not None:  # the problem a validator reports first is at the same place
        best = best_match(VALIDATOR.iter_errors(data))
        assert ".".join(map(str, best.absolute_path)).startswith(where), best


def graph_config(**node):
    node = {"name": "out", "layer": "Dense", "args": {"units": 2}, "inputs": "x"} | node
    return {"inputs": [{"name": "x", "shape": [4]}], "nodes": [node], "outputs": "out"}


@pytest.mark.parametrize(
    "data",
    [
        recipe(graph_config(layer="Dense2")),
        recipe(graph_config(layer="Lambda")),
        recipe(graph_config(layer=None, op="eval", args={})),
        recipe(graph_config(inputs={"bad name": "x"}, layer="Add")),
    ],
    ids=["unknown layer", "refused layer", "unknown op", "parameter name"],
)
def test_graph_nodes_naming_what_kgraphs_refuses_are_invalid(data):
    data["architecture"] = "graph"
    assert not kgraphs_accepts(data)
    assert schema_problems(data)


SPACES = [
    {"lstm_units": {"search": "int", "min": 16, "max": 128, "step": 16}},
    {"dropout": {"search": "float", "min": 0.0, "max": 0.5}},
    {"metadata_units": {"search": "choice", "values": [0, 8, 16]}},
    {"mask_zero": {"search": "bool"}},
    {
        "mask_zero": {"search": "bool"},
        "dropout": {"search": "float", "min": 0.1, "max": 0.3, "when": {"mask_zero": True}},
    },
]


@pytest.mark.parametrize("config", SPACES)
def test_search_spaces_kgraphs_accepts_are_valid(config):
    data = recipe(config=config, compile={"optimizer": "adam", "loss": "binary_crossentropy"})
    assert kgraphs_accepts(data)
    assert schema_problems(data) == []


@pytest.mark.parametrize(
    "data",
    [
        recipe(compile={"optimizer": {"search": "choice", "values": ["adam", "sgd"]}}),
        recipe(
            compile={
                "optimizer": {
                    "name": "adam",
                    "learning_rate": {
                        "search": "float",
                        "min": 1e-4,
                        "max": 1e-2,
                        "sampling": "log",
                    },
                }
            }
        ),
        recipe("residual_cnn", {"stages": [{"filters": {"search": "int", "min": 8, "max": 32}}]}),
        recipe("residual_cnn", {"input_shape": [32, {"search": "int", "min": 16, "max": 32}, 3]}),
        recipe("residual_cnn", {"stages": {"search": "choice", "values": [[{"filters": 8}]]}}),
        recipe(config={"search": "choice", "values": [{}, {"lstm_units": 8}]}),
        recipe(
            "graph",
            graph_config(
                layer={"search": "choice", "values": ["Dense"]},
                args={"units": {"search": "int", "min": 1, "max": 4}},
            ),
        ),
    ],
    ids=["optimizer", "learning rate", "stage field", "tuple item", "list", "config", "graph"],
)
def test_search_spaces_anywhere_under_config_and_compile_are_valid(data):
    assert kgraphs_accepts(data)
    assert schema_problems(data) == []


@pytest.mark.parametrize("version", [True, "1", 1.0])
def test_a_version_that_only_equals_1_is_refused(version):
    data = recipe() | {"version": version}
    assert not kgraphs_accepts(data)
    # JSON Schema compares numbers by value, so 1.0 is its 1: the schema may be looser.
    assert schema_problems(data) or version == 1.0


def test_each_architecture_completes_its_own_fields():
    branches = {
        branch["if"]["properties"]["architecture"]["const"]: branch["then"]["properties"]["config"]
        for branch in SCHEMA["allOf"]
    }
    assert list(branches) == kgraphs.architectures() == SCHEMA["properties"]["architecture"]["enum"]
    ticket = branches["ticket_priority"]
    assert ticket["anyOf"] == [{"$ref": "#/definitions/TicketPriorityConfig"}, SEARCH]
    assert ticket["description"].startswith("Support-ticket priority")
    fields = DEFINITIONS["TicketPriorityConfig"]["properties"]
    assert list(fields) == list(kgraphs.load_recipe("ticket_priority").config.model_dump())
    lstm_units = fields["lstm_units"]
    assert lstm_units["default"] == 32
    assert lstm_units["anyOf"] == [{"type": "integer", "minimum": 1, "maximum": 65536}, SEARCH]
    assert fields["metadata_units"]["description"].startswith("0 feeds the raw metadata")
    assert DEFINITIONS["ImageMultitaskConfig"]["additionalProperties"] is False
    pooling = DEFINITIONS["ImageMultitaskConfig"]["properties"]["pooling"]["anyOf"][0]
    assert pooling["enum"] == ["flatten", "global_average"]


def test_names_are_completed_from_kgraphs_lists():
    node = DEFINITIONS["GraphNode"]["properties"]
    assert node["layer"]["anyOf"][0] == {"$ref": "#/definitions/LayerName"}
    layers = DEFINITIONS["LayerName"]["enum"]
    assert {"Dense", "LSTM", "MultiHeadAttention"} <= set(layers)
    assert "Lambda" not in layers
    assert "add" in DEFINITIONS["OpName"]["enum"]
    assert "relu" in DEFINITIONS["ActivationName"]["enum"]
    assert "binary_crossentropy" in DEFINITIONS["LossName"]["enum"]
    assert {"accuracy", "acc"} <= set(DEFINITIONS["MetricName"]["enum"])
    assert "adam" in DEFINITIONS["OptimizerName"]["enum"]
    assert DEFINITIONS["SearchSpace"]["properties"]["search"]["enum"] == list(KINDS)
    assert DEFINITIONS["IntSpace"]["required"] == ["search", "min", "max"]


def test_schema_command_from_another_folder(tmp_path):
    command = [sys.executable, "-m", "kgraphs", "schema"]
    environment = clean_environment()
    written = subprocess.run(
        [*command, "-o", "editor/recipe.schema.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout == "wrote editor/recipe.schema.json\n"
    assert (tmp_path / "editor" / "recipe.schema.json").read_text(encoding="utf-8") == TEXT
    printed = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, env=environment, timeout=60
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == TEXT


@pytest.mark.slow
def test_exported_recipes_carry_the_modeline_and_are_valid(tmp_path):
    from kgraphs.cli.main import main

    for name in kgraphs.architectures():
        if name != "graph":
            assert schema_problems(kgraphs.to_recipe(kgraphs.build(name, compile=False))) == []
    kgraphs.residual_cnn().save(tmp_path / "model.keras")
    assert main(["export", str(tmp_path / "model.keras"), "-o", str(tmp_path / "out/m.yaml")]) == 0
    text = (tmp_path / "out" / "m.yaml").read_text(encoding="utf-8")
    assert text.startswith(modeline(tmp_path / "out" / "m.yaml"))
    assert schema_problems(read_recipe_file(tmp_path / "out" / "m.yaml")) == []
