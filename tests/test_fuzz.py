"""Property tests: malformed recipes of every shape give a located ConfigError or a valid model,
and a recipe of a built-in architecture that validates builds.

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
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from recipe_strategies import graphs, mutated_recipes, nearby_recipes

import kgraphs
from kgraphs import ConfigError
from kgraphs.config.limits import MAX_PARAMETERS, over_parameter_limit

EXAMPLES = int(os.environ.get("KGRAPHS_FUZZ_EXAMPLES", 400))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BUILDS = settings(FAST, max_examples=max(20, EXAMPLES // 10))


def assert_clean_outcome(source):
    """A valid recipe, or a located ConfigError: nothing else. (A recipe of any size is
    valid: the memory limit applies where weights are allocated.)"""
    try:
        recipe = kgraphs.load_recipe(source)
    except ConfigError as error:
        assert error.problems
        assert all(isinstance(location, str) and message for location, message in error.problems)
        assert str(error).count("\n") == len(error.problems)
        return None
    count = recipe.config.parameter_count()
    assert count is None or count >= 0
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


# Valid recipes over this many parameters are slow to build here; the budget itself is
# checked by assert_clean_outcome.
QUICK_TO_BUILD = 5_000_000


def validated_quick_recipe(recipe):
    """`recipe` validated, or the example discarded (`assume`) when it does not validate or
    would be slow to build: the build properties below are about the ones that validate."""
    validated = assert_clean_outcome(recipe)
    assume(validated is not None)
    count = validated.config.parameter_count()
    assume(count is None or count <= QUICK_TO_BUILD)
    return validated


def test_architecture_recipes_that_validate_also_build():
    """Validating a recipe of a built-in architecture is a promise: it builds, no ConfigError.

    Examples are shipped recipes with values changed close by (often valid, sometimes just
    past a bound) or broken (mostly invalid); those that do not validate are discarded, and
    the test fails unless at least half of the examples Hypothesis runs did validate and build.
    """
    built = []

    @BUILDS
    @given(st.one_of(nearby_recipes(graph=False), mutated_recipes(graph=False)))
    def validated_recipe_builds(recipe):
        validated = validated_quick_recipe(recipe)
        model = kgraphs.build(validated)  # a ConfigError here is a gap in validation
        assert isinstance(model, keras.Model)
        built.append(validated.name)

    validated_recipe_builds()
    assert len(built) >= BUILDS.max_examples // 2, (
        f"only {len(built)} of {BUILDS.max_examples} examples validated and built; "
        "the strategies no longer make enough valid recipes to test this property"
    )


def test_graph_recipes_that_validate_build_or_fail_at_their_node():
    """Graph recipes promise less: validation checks names, wiring and every layer's arguments
    without Keras, while tensor shapes are Keras's to check when the model is built
    (docs/guide/graphs.md). So a graph recipe that validates builds, or fails with a
    ConfigError at one of its nodes, and most such examples do build."""
    outcomes = {"built": 0, "refused": 0}

    @BUILDS
    @given(st.one_of(nearby_recipes(architectures=False), mutated_recipes(architectures=False)))
    def validated_graph_builds_or_fails_at_a_node(recipe):
        validated = validated_quick_recipe(recipe)
        try:
            model = kgraphs.build(validated)
        except ConfigError as error:
            assert error.problems
            assert all(location.startswith("config.nodes[") for location, _ in error.problems), (
                error.problems
            )
            outcomes["refused"] += 1
            return
        assert isinstance(model, keras.Model)
        outcomes["built"] += 1

    validated_graph_builds_or_fails_at_a_node()
    assert outcomes["built"] >= BUILDS.max_examples // 4, (
        f"only {outcomes} of {BUILDS.max_examples} valid graph recipes built; the "
        "strategies no longer make enough buildable graphs to test this property"
    )


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
    # Any size validates and builds as structure only, with the count the config computes;
    # allocating it is refused, before the first weight, by build and by the factory alike.
    count = kgraphs.load_recipe(architecture, **fields).config.parameter_count()
    assert count > MAX_PARAMETERS
    assert kgraphs.build(architecture, weights=False, **fields).count_params() == count
    for make in (
        lambda: kgraphs.build(architecture, **fields),
        lambda: getattr(kgraphs, architecture)(**fields),
    ):
        with pytest.raises(ConfigError) as raised:
            make()
        assert raised.value.problems == [("config", over_parameter_limit(count))]


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
        ConfigError, match=r"config.nodes\[0\]: here the graph reaches 5,000,050,000 parameters"
    ):
        kgraphs.build(recipe)
