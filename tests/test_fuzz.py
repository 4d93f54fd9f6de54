"""Property tests: malformed recipes of every shape give a located ConfigError or a valid model.

Examples per test come from KGRAPHS_FUZZ_EXAMPLES (a few hundred by default, a few thousand in
all); `KGRAPHS_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py` digs deeper.
"""

import json
import math
import os

import keras
import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recipe_strategies import graphs, mutated_recipes

import kgraphs
from kgraphs import ConfigError
from kgraphs.config.limits import MAX_PARAMETERS

EXAMPLES = int(os.environ.get("KGRAPHS_FUZZ_EXAMPLES", 400))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BUILDS = settings(FAST, max_examples=max(20, EXAMPLES // 10))


def assert_clean_outcome(source):
    """A valid recipe within the parameter budget, or a located ConfigError: nothing else."""
    try:
        recipe = kgraphs.load_recipe(source)
    except ConfigError as error:
        assert error.problems
        assert all(isinstance(location, str) and message for location, message in error.problems)
        assert str(error).count("\n") == len(error.problems)
        return None
    count = recipe.config.parameter_count()
    assert count is None or count <= MAX_PARAMETERS
    return recipe


@FAST
@given(mutated_recipes())
def test_mutated_recipes_validate_or_fail_cleanly(recipe):
    assert_clean_outcome(recipe)


@FAST
@given(mutated_recipes(), st.sampled_from(["yaml", "json"]), st.data())
def test_mutated_and_corrupted_files_validate_or_fail_cleanly(
    tmp_path_factory, recipe, syntax, data
):
    text = yaml.safe_dump(recipe, allow_unicode=True) if syntax == "yaml" else json.dumps(recipe)
    cut = data.draw(st.integers(0, len(text)))
    corrupt = data.draw(
        st.sampled_from(
            ["", "", ":", "- ", "{", "!!python/object:os.system", "&a [*a]", "\t", "\x00", "\ufeff"]
        )
    )
    path = tmp_path_factory.mktemp("fuzz") / f"recipe.{syntax}"
    path.write_text(text[:cut] + corrupt + text[cut:], encoding="utf-8")
    assert_clean_outcome(path)


@FAST
@given(st.binary(max_size=300), st.sampled_from([".yaml", ".json", ".toml"]))
def test_random_bytes_fail_cleanly(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"recipe{suffix}"
    path.write_bytes(content)
    assert_clean_outcome(path)


@BUILDS
@given(mutated_recipes())
def test_mutated_recipes_that_validate_also_build(recipe):
    validated = assert_clean_outcome(recipe)
    count = validated.config.parameter_count() if validated is not None else None
    if validated is None or (count is not None and count > 5_000_000):
        return  # valid but slow to build here; the budget itself is checked above
    try:
        model = kgraphs.build(validated)
    except ConfigError as error:
        assert error.problems
        return
    assert isinstance(model, keras.Model)


@BUILDS
@given(graphs())
def test_generated_graphs_build_or_fail_cleanly(recipe):
    try:
        model = kgraphs.build(recipe)
    except ConfigError as error:
        assert error.problems and all(loc.startswith("config") for loc, _ in error.problems)
        return
    inputs, _ = kgraphs.example_data(model, batch_size=2)
    outputs = keras.tree.flatten(model.predict(inputs, verbose=0))
    assert all(math.isfinite(float(abs(output).sum())) for output in outputs)
    # ... and whatever builds exports, and rebuilds to the same outputs
    rebuilt = kgraphs.build(kgraphs.to_recipe(model))
    rebuilt.set_weights(model.get_weights())
    again = keras.tree.flatten(rebuilt.predict(inputs, verbose=0))
    for a, b in zip(outputs, again, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("architecture", "fields"),
    [
        ("ticket_priority", {"vocab_size": 10_000_000, "embedding_dim": 4096}),
        ("image_multitask", {"input_shape": [8192, 8192, 3], "conv_filters": [4096]}),
        ("siamese_text", {"vocab_size": 9_000_000, "embedding_dim": 512}),
        ("residual_cnn", {"stages": [{"filters": 4096, "blocks": 100}]}),
    ],
)
def test_sizes_that_would_exhaust_memory_are_refused_before_building(architecture, fields):
    with pytest.raises(ConfigError, match="over the limit of 250,000,000"):
        kgraphs.load_recipe(architecture, **fields)


@pytest.mark.parametrize(
    ("architecture", "fields"),
    [
        ("ticket_priority", {"num_priorities": 3, "metadata_units": 0}),
        ("image_multitask", {"pooling": "global_average", "conv_filters": [8]}),
        ("siamese_text", {"share_embedding": False, "similarity": "l1"}),
        (
            "residual_cnn",
            {
                "batch_norm": True,
                "stages": [{"filters": 8}, {"filters": 16, "stride": 2, "blocks": 2}],
            },
        ),
    ],
)
def test_parameter_count_formulas_are_exact(architecture, fields):
    recipe = kgraphs.load_recipe(architecture, **fields)
    assert kgraphs.build(recipe).count_params() == recipe.config.parameter_count()


def test_oversized_graph_layer_is_refused_before_allocation():
    recipe = {
        "version": 1,
        "architecture": "graph",
        "config": {
            "inputs": [{"name": "x", "shape": [100_000]}],
            "nodes": [{"name": "wide", "layer": "Dense", "args": {"units": 50_000}, "inputs": "x"}],
            "outputs": "wide",
        },
    }
    with pytest.raises(
        ConfigError, match=r"config.nodes\[0\]: the graph reaches about 5,000,050,000"
    ):
        kgraphs.build(recipe)
