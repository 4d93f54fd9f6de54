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
from conftest import RECIPES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kgraphs
from kgraphs import ConfigError
from kgraphs.recipe_files import read_recipe_file
from kgraphs.registry import MAX_PARAMETERS

EXAMPLES = int(os.environ.get("KGRAPHS_FUZZ_EXAMPLES", 400))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BUILDS = settings(FAST, max_examples=max(20, EXAMPLES // 10))

SHIPPED = [yaml.safe_load(json.dumps(read_recipe_file(path))) for path in RECIPES]

nasty_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "ticket_priority",
            "relu",
            "Dense",
            "os.system",
            "!!python/name:os",
            "\u202e\u0000\U0001f600",
            "null",
            "graph",
            "adam",
            "mse",
        ]
    ),
)
nasty_values = st.recursive(
    nasty_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def paths(data, prefix=()):
    """Every path to a value inside nested dicts and lists."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, (*prefix, index))


def mutate(data, path, action, value, typo):
    if not path:
        return value if action == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif action == "wrap":
        parent[last] = [parent[last]]
    elif action == "nest":
        parent[last] = {"nested": parent[last]}
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{last}{typo}"] = parent.pop(last)
    elif action == "add" and isinstance(parent, dict):
        parent[f"unknown{typo}"] = value
    return data


@st.composite
def mutated_recipes(draw):
    data = json.loads(json.dumps(draw(st.sampled_from(SHIPPED))))
    for _ in range(draw(st.integers(1, 3))):
        all_paths = list(paths(data))
        path = draw(st.sampled_from(all_paths))
        action = draw(
            st.sampled_from(["replace", "replace", "delete", "wrap", "nest", "rename", "add"])
        )
        data = mutate(data, path, action, draw(nasty_values), draw(st.text(min_size=1, max_size=3)))
    return data


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


@st.composite
def graphs(draw):
    """Random small DAGs of Dense, Concatenate, Add, Dropout and reuse, sometimes mis-wired."""
    inputs = [
        {"name": f"in{i}", "shape": [draw(st.integers(1, 6))]}
        for i in range(draw(st.integers(1, 2)))
    ]
    names = [item["name"] for item in inputs]
    dense_nodes, nodes = [], []
    for index in range(draw(st.integers(1, 6))):
        name = f"n{index}"
        kind = draw(
            st.sampled_from(["Dense", "Dense", "Concatenate", "Add", "Dropout", "reuse", "op"])
        )
        pick = (
            st.sampled_from([*names, "missing"])
            if draw(st.integers(0, 9)) == 0
            else st.sampled_from(names)
        )
        if kind in ("Concatenate", "Add"):
            node = {
                "name": name,
                "layer": kind,
                "inputs": draw(st.lists(pick, min_size=2, max_size=3)),
            }
        elif kind == "reuse" and dense_nodes:
            node = {"name": name, "reuse": draw(st.sampled_from(dense_nodes)), "inputs": draw(pick)}
        elif kind == "op":
            op = draw(st.sampled_from(["relu", "negative", "multiply", "add", "maximum"]))
            if op in ("relu", "negative"):
                node = {"name": name, "op": op, "inputs": draw(pick)}
            elif draw(st.booleans()):  # a tensor and a constant
                constant = draw(st.floats(-3, 3, allow_nan=False))
                node = {
                    "name": name,
                    "op": op,
                    "inputs": {"x1": draw(pick)},
                    "args": {"x2": constant},
                }
            else:
                node = {"name": name, "op": op, "inputs": {"x1": draw(pick), "x2": draw(pick)}}
        elif kind == "Dropout":
            node = {"name": name, "layer": "Dropout", "args": {"rate": 0.5}, "inputs": draw(pick)}
        else:
            node = {
                "name": name,
                "layer": "Dense",
                "args": {"units": draw(st.integers(1, 8))},
                "inputs": draw(pick),
            }
            dense_nodes.append(name)
        nodes.append(node)
        names.append(name)
    outputs = draw(
        st.lists(st.sampled_from(names[len(inputs) :]), min_size=1, max_size=2, unique=True)
    )
    return {
        "version": 1,
        "architecture": "graph",
        "config": {"inputs": inputs, "nodes": nodes, "outputs": outputs},
    }


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
