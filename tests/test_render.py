"""`kgraphs render`: a recipe with every default filled in, in a stable order, re-loadable."""

import gc
import json

import pytest
import yaml
from conftest import run_kgraphs

import kgraphs
from kgraphs.cli.main import main
from kgraphs.models import registry
from kgraphs.recipe.schema import modeline

pytestmark = pytest.mark.backend_independent(reason="validation and text; no model is built")

SHIPPED = list(kgraphs.presets())
ENVELOPE = ["version", "architecture", "name", "description", "config", "compile"]


def render(capsys, *arguments: str) -> str:
    assert main(["render", *arguments]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("format", ["yaml", "json"])
@pytest.mark.parametrize("name", SHIPPED)
def test_a_render_reloads_to_the_same_recipe_and_renders_to_itself(name, format, capsys, tmp_path):
    text = render(capsys, name, "--format", format)
    rendered = tmp_path / f"rendered.{format}"
    rendered.write_text(text)
    assert kgraphs.load_recipe(rendered).to_dict() == kgraphs.load_recipe(name).to_dict()
    assert render(capsys, str(rendered), "--format", format) == text
    keys = list((json.loads if format == "json" else yaml.safe_load)(text))
    assert keys == [key for key in ENVELOPE if key in keys]


@pytest.mark.parametrize("name", sorted(set(registry.names()) - {"graph"}))
def test_every_config_field_is_written_with_its_default_in_declaration_order(
    name, capsys, tmp_path
):
    bare = tmp_path / "bare.yaml"  # the name alone would be the shipped recipe of that name
    bare.write_text(f"version: 1\narchitecture: {name}\n")
    data = yaml.safe_load(render(capsys, str(bare)))
    assert list(data) == ["version", "architecture", "config"]
    config_class = registry.get(name).config_class
    assert list(data["config"]) == list(config_class.model_fields)
    assert data["config"] == config_class().model_dump(mode="json")


def graph_nodes(spec: dict) -> list[dict]:
    """Every node of a graph config, those of nested graphs included."""
    nodes = []
    for node in spec["nodes"]:
        nodes.append(node)
        if "graph" in node:
            nodes += graph_nodes(node["graph"])
    return nodes


@pytest.mark.parametrize("name", [name for name in SHIPPED if name.startswith("graph/")])
def test_graph_nodes_show_the_keys_their_kind_takes(name, capsys):
    config = yaml.safe_load(render(capsys, name))["config"]
    assert all(graph_input["dtype"] for graph_input in config["inputs"])
    for node in graph_nodes(config):
        (kind,) = [key for key in ("layer", "op", "reuse", "graph") if key in node]
        assert None not in node.values(), node
        assert ("args" in node) == (kind in ("layer", "op")), node
        assert ("call" in node) == (kind != "op"), node


def test_graph_renders_cover_every_kind_of_node(capsys):
    kinds = {
        key
        for name in SHIPPED
        if name.startswith("graph/")
        for node in graph_nodes(yaml.safe_load(render(capsys, name))["config"])
        for key in ("layer", "op", "reuse", "graph", "outputs")
        if key in node
    }
    assert kinds == {"layer", "op", "reuse", "graph", "outputs"}


def test_set_applies_before_rendering(capsys):
    data = yaml.safe_load(
        render(
            capsys,
            "ticket_priority",
            "--set",
            "config.lstm_units=8",
            "--set",
            "compile.optimizer={name: sgd, momentum: 0.9}",
        )
    )
    assert data["config"]["lstm_units"] == 8
    assert data["compile"]["optimizer"] == {"name": "sgd", "momentum": 0.9}


def test_search_spaces_are_rendered_as_written(capsys, tmp_path):
    space = {"search": "int", "min": 8, "max": 32, "step": 8}
    recipe = tmp_path / "searched.yaml"
    recipe.write_text(
        yaml.safe_dump(
            {"version": 1, "architecture": "ticket_priority", "config": {"lstm_units": space}}
        )
    )
    data = yaml.safe_load(render(capsys, str(recipe)))
    assert {key: data["config"]["lstm_units"][key] for key in space} == space
    assert data["config"]["embedding_dim"] == 64


def test_output_file_is_written_whole_and_json_by_its_suffix(capsys, tmp_path):
    yaml_text = render(capsys, "siamese_text_cosine")
    assert main(["render", "siamese_text_cosine", "-o", str(tmp_path / "out" / "a.yaml")]) == 0
    assert main(["render", "siamese_text_cosine", "-o", str(tmp_path / "out" / "a.json")]) == 0
    assert capsys.readouterr().out.count("wrote ") == 2
    written = (tmp_path / "out" / "a.yaml").read_text()
    assert written == modeline(tmp_path / "out" / "a.yaml") + yaml_text  # editors find the schema
    as_json = json.loads((tmp_path / "out" / "a.json").read_text())
    assert as_json == yaml.safe_load(yaml_text)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.json", "a.yaml"]


def test_the_same_text_in_every_process_from_any_folder(tmp_path):
    # A relative recipe path from the user's folder, and a shipped name; two hash seeds.
    (tmp_path / "mine.yaml").write_text("version: 1\narchitecture: residual_cnn\n")
    for source in ("mine.yaml", "graph/two_tower_retrieval"):
        outputs = []
        for seed in ("1", "2"):
            result = run_kgraphs("render", source, cwd=tmp_path, PYTHONHASHSEED=seed)
            assert result.returncode == 0, result.stderr
            assert result.stderr == ""
            outputs.append(result.stdout)
        assert outputs[0] == outputs[1]
        assert outputs[0].startswith("version: 1\narchitecture: ")


@pytest.mark.parametrize(
    ("arguments", "phrases"),
    [
        (
            ["bad.yaml"],
            ["bad.yaml: 1 problem", "config.lstm_unit: unknown key; did you mean 'lstm_units'?"],
        ),
        (
            ["ticket_priority", "--set", "config.lstm_units=0"],
            ["config.lstm_units: expected a value >= 1; given 0"],
        ),
        (["ticket_priorty"], ["(recipe):", "did you mean 'ticket_priority'?"]),
        (["ticket_priority", "--format", "toml"], ["invalid choice: 'toml'"]),
    ],
)
def test_bad_input_exits_2_with_a_located_error(arguments, phrases, tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "version: 1\narchitecture: ticket_priority\nconfig: {lstm_unit: 3}\n"
    )
    result = run_kgraphs("render", *arguments, "-o", "out.yaml", cwd=tmp_path)
    assert result.returncode == 2
    for phrase in phrases:
        assert phrase in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == "" and not (tmp_path / "out.yaml").exists()


def test_in_process_calls_leave_the_garbage_collector_alone(capsys):
    # Only the program itself (argv from sys.argv) skips the clean-up at exit.
    frozen = gc.get_freeze_count()
    render(capsys, "ticket_priority")
    assert gc.get_freeze_count() == frozen
