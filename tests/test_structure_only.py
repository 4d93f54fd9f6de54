"""Structure-only builds (`kgraphs.build(recipe, weights=False)`, and what `plot`, `summary`,
`diff`, `validate --shapes` and the gallery build): the same layers, shapes, parameter counts,
pictures and diffs as the model built with weights, checked against that model (Keras's own
`count_params`, `summary` and drawing of it); no weight allocated, and running refused.
"""

import io
import resource

import keras
import numpy as np
import pytest
from conftest import ALLOCATABLE, RECIPES, ROOT, recipe_id, run_kgraphs_measured
from real_models import MODELS
from test_real_models import REFUSED

import kgraphs
from kgraphs.building.structure_only import NEEDS_WEIGHTS, NoWeightsError, is_structure_only
from kgraphs.config.limits import over_parameter_limit
from kgraphs.drawing.collapsed import collapsed
from kgraphs.drawing.plot import dot_source
from kgraphs.introspection.layer_graph import layer_graph

DECODER = "recipes/decoder_7b.yaml"
DECODER_PARAMETERS = 7_241_732_096
SEVENTY_B = ROOT / "benchmarks" / "decoder_70b.yaml"  # Llama-2-70B's shapes
ROUND_TRIPS = sorted(set(MODELS) - set(REFUSED))


def summary_text(model):
    lines = io.StringIO()
    model.summary(print_fn=lambda line, **_: lines.write(line + "\n"), line_length=120)
    return lines.getvalue()


def both_ways(recipe):
    """The model of `recipe` built with weights, then as structure only, each from a fresh
    session, so that the names Keras makes up (`dense_1`) are the same."""
    keras.backend.clear_session()
    weighted = kgraphs.build(recipe, compile=False)
    keras.backend.clear_session()
    structure = kgraphs.build(recipe, compile=False, weights=False)
    return weighted, structure


def assert_same_structure(weighted, structure):
    assert is_structure_only(structure) and not is_structure_only(weighted)
    assert structure.count_params() == weighted.count_params()
    assert [(layer.name, type(layer)) for layer in structure.layers] == [
        (layer.name, type(layer)) for layer in weighted.layers
    ]
    assert keras.tree.map_structure(lambda t: t.shape, structure.outputs) == (
        keras.tree.map_structure(lambda t: t.shape, weighted.outputs)
    )
    assert summary_text(structure) == summary_text(weighted)
    assert dot_source(structure, show_params=True) == dot_source(weighted, show_params=True)


@pytest.mark.backend_independent(reason="structure; JAX builds the 7B structure below")
@pytest.mark.parametrize("path", ALLOCATABLE, ids=recipe_id)
def test_every_shipped_recipe_is_the_same_model_without_weights(path):
    assert_same_structure(*both_ways(path))


@pytest.mark.slow
@pytest.mark.backend_independent(reason="the shipped recipes' structures are checked on both")
@pytest.mark.parametrize("name", ROUND_TRIPS)
# Keras's test_deeply_nested_model keys its inputs "1", "2", "3", not by their names: Keras
# warns each time it is built, as it should.
@pytest.mark.filterwarnings("ignore:When providing `inputs` as a dict:UserWarning")
def test_every_real_model_is_the_same_model_without_weights(name):
    model, _ = MODELS[name][0]()
    recipe = kgraphs.to_recipe(model)
    weighted, structure = both_ways(recipe)
    assert structure.count_params() == model.count_params()
    assert_same_structure(weighted, structure)
    # What is exported from the structure is what is exported from the model.
    assert kgraphs.to_recipe(structure) == kgraphs.to_recipe(weighted)


def test_diffs_of_structures_are_the_diffs_of_the_models():
    a, b = "ticket_priority", "ticket_priority_levels"
    keras.backend.clear_session()  # each pair gets the same names Keras makes up
    weighted = kgraphs.diff(kgraphs.build(a), kgraphs.build(b))
    keras.backend.clear_session()
    structure = kgraphs.diff(kgraphs.build(a, weights=False), kgraphs.build(b, weights=False))
    assert structure.text() == weighted.text()
    assert structure.parameters == weighted.parameters == (652_561, 652_568)
    # A diff of recipes compares their structures: the same report under other labels.
    keras.backend.clear_session()
    recipes = kgraphs.diff(a, b)
    assert recipes.text().splitlines()[2:] == weighted.text().splitlines()[2:]


@pytest.mark.parametrize("method", NEEDS_WEIGHTS)
def test_what_needs_weights_is_refused_saying_how_to_get_them(method):
    model = kgraphs.build("ticket_priority", weights=False)
    with pytest.raises(NoWeightsError, match=r"'ticket_priority' was built as structure only.*"):
        getattr(model, method)()


def test_calling_on_data_is_refused_and_symbolic_calls_work():
    model = kgraphs.build("siamese_text", weights=False)
    data = [np.ones((2, 20), "int32"), np.ones((2, 20), "int32")]
    with pytest.raises(NoWeightsError, match="cannot be called on data"):
        model(data)
    # As a layer of a larger structure: symbolic, so nothing is computed.
    inputs = [keras.Input((20,), dtype="int32"), keras.Input((20,), dtype="int32")]
    assert tuple(model(inputs).shape) == (None, 1)


def test_a_billion_parameter_recipe_builds_as_structure_in_little_memory():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    model = kgraphs.build(DECODER, weights=False)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert model.count_params() == DECODER_PARAMETERS
    assert grown < DECODER_PARAMETERS * 4 / 100, f"peak memory grew by {grown:,} bytes"
    # With weights, it is refused before the first is allocated, with the estimate.
    with pytest.raises(kgraphs.ConfigError) as raised:
        kgraphs.build(DECODER)
    assert raised.value.problems == [
        ("config", over_parameter_limit(DECODER_PARAMETERS)),
    ]
    assert "about 29.0 GB of float32 weights" in str(raised.value)
    assert "`kgraphs plot`, `summary`, `diff`" in str(raised.value)

    # Drawn collapsed, its 32 blocks are one box: 288 layers, the blocks' parameters.
    graph = layer_graph(model)
    drawn, _ = collapsed(graph)
    assert [(box.kind, box.label) for box in drawn.boxes.values()] == [
        ("group", "token"),
        ("run", "block1..32, 32 x the same structure"),
        ("layer", "final_norm"),
        ("layer", "logits"),
    ]
    run = drawn.boxes["run:block1"]
    assert len(run.layers) == 288
    assert sum(graph.layers[key].parameters for key in run.layers) == 32 * 218_112_000


@pytest.mark.slow
@pytest.mark.backend_independent(
    reason="three commands at 70B on each backend would add 30 s; on TensorFlow, a command "
    "imports one backend, not both"
)
def test_commands_take_a_seventy_billion_parameter_recipe_without_allocating(tmp_path):
    """Whole processes, as a user runs them from another folder: summary, diff and plot each
    stay below 1.5 GB, where the weights would take 276 GB."""
    peaks = {}
    summary, peaks["summary"] = run_kgraphs_measured("summary", str(SEVENTY_B), cwd=tmp_path)
    assert summary.returncode == 0, summary.stderr
    assert "Total params: 68,976,648,192" in summary.stdout
    diff, peaks["diff"] = run_kgraphs_measured(
        "diff", "decoder_7b", "decoder_7b", "--set-b", "config.depth=40", cwd=tmp_path
    )
    assert diff.returncode == 1, diff.stderr  # 1: they differ
    assert "parameters 7,241,732,096 -> 8,986,628,096 (+1,744,896,000)" in diff.stdout
    plot, peaks["plot"] = run_kgraphs_measured(
        "plot", str(SEVENTY_B), "-o", "pictures", "--format", "svg", cwd=tmp_path
    )
    assert plot.returncode == 0, plot.stderr
    assert (tmp_path / "pictures" / "decoder_70b.svg").stat().st_size > 0
    assert max(peaks.values()) < 1.5e9, peaks


def test_recipes_too_large_to_allocate_are_shipped_and_drawn_as_structure():
    assert {recipe_id(path) for path in set(RECIPES) - set(ALLOCATABLE)} == {"decoder_7b.yaml"}
