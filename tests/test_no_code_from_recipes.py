"""A recipe never runs code: every way in is tried, and a canary file must not appear."""

import subprocess
import sys

import keras
import pytest

import kgraphs
from kgraphs import ConfigError

pytestmark = pytest.mark.backend_independent(
    reason="recipes and files are refused while read and validated, before anything computes"
)


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "canary"
    yield path
    assert not path.exists(), "code from a recipe ran"


def yaml_file(tmp_path, text):
    path = tmp_path / "recipe.yaml"
    path.write_text(text)
    return path


GOOD = "version: 1\narchitecture: ticket_priority\n"


@pytest.mark.parametrize(
    "payload",
    [
        "name: !!python/object/apply:os.system ['touch {canary}']\n",
        "name: !!python/object/apply:subprocess.call [['touch', '{canary}']]\n",
        "name: !!python/object/new:subprocess.Popen [['touch', '{canary}']]\n",
        "name: !!python/name:os.system\n",
        "config: !!python/object:builtins.dict {{lstm_units: 3}}\n",
        "description: !!binary aGVsbG8=\n",
    ],
)
def test_yaml_tags_naming_python_objects_are_refused(tmp_path, canary, payload):
    path = yaml_file(tmp_path, GOOD + payload.format(canary=canary))
    # Python tags are refused by the safe loader; !!binary is safe but not a string.
    with pytest.raises(ConfigError, match=r"invalid YAML|expected a string"):
        kgraphs.load_recipe(path)


def graph(node):
    return {
        "version": 1,
        "architecture": "graph",
        "config": {"inputs": [{"name": "x", "shape": [3]}], "nodes": [node], "outputs": "out"},
    }


@pytest.mark.parametrize(
    ("node", "location"),
    [
        (
            {"name": "out", "layer": "Lambda", "args": {"function": "print"}, "inputs": "x"},
            "config.nodes[0].layer",
        ),
        (
            {"name": "out", "layer": "TFSMLayer", "args": {"filepath": "/tmp"}, "inputs": "x"},
            "config.nodes[0].layer",
        ),
        (
            {
                "name": "out",
                "layer": "Dense",
                "inputs": "x",
                "args": {
                    "units": 2,
                    "kernel_initializer": {"module": "os", "class_name": "system", "config": {}},
                },
            },
            "config.nodes[0].args.kernel_initializer.module",
        ),
        (
            {
                "name": "out",
                "layer": "Dense",
                "inputs": "x",
                "args": {
                    "units": 2,
                    "activation": {
                        "module": "builtins",
                        "class_name": "function",
                        "config": "exec",
                        "registered_name": "function",
                    },
                },
            },
            "config.nodes[0].args.activation.module",
        ),
        (
            {
                "name": "out",
                "layer": "Bidirectional",
                "inputs": "x",
                "args": {"layer": {"class_name": "Lambda", "config": {"function": "print"}}},
            },
            "config.nodes[0].args.layer",
        ),
        (
            {
                "name": "out",
                "layer": "Dense",
                "inputs": "x",
                "args": {
                    "units": 2,
                    "kernel_regularizer": {"class_name": "os.system", "config": {}},
                },
            },
            "config.nodes[0].args.kernel_regularizer",
        ),
    ],
)
def test_graph_arguments_cannot_import_or_run_code(canary, node, location):
    with pytest.raises(ConfigError) as caught:
        kgraphs.build(graph(node))
    assert location in dict(caught.value.problems), caught.value.problems


@pytest.mark.parametrize("field", ["activation", "optimizer"])
def test_callables_by_dotted_path_are_unknown_names(field):
    recipe = {"version": 1, "architecture": "image_multitask"}
    if field == "activation":
        recipe["config"] = {"bbox_activation": "os.system"}
    else:
        recipe["compile"] = {"optimizer": "subprocess.call"}
    with pytest.raises(ConfigError, match="unknown"):
        kgraphs.load_recipe(recipe)


@pytest.mark.slow
def test_a_saved_lambda_model_is_not_loaded_by_export(tmp_path, canary):
    """`kgraphs export` loads .keras files in safe mode: a Lambda's bytecode never runs."""
    inputs = keras.Input((2,), name="x")
    touch = f"lambda t: (open({str(canary)!r}, 'w').close(), t)[1]"
    model = keras.Model(inputs, keras.layers.Lambda(eval(touch), name="sneaky")(inputs))
    model.save(tmp_path / "sneaky.keras")
    canary.unlink(missing_ok=True)  # tracing the Lambda while building ran it once, here
    result = subprocess.run(
        [sys.executable, "-m", "kgraphs", "export", str(tmp_path / "sneaky.keras")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "safe_mode" in result.stderr or "Lambda" in result.stderr
