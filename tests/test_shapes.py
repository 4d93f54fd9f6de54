"""Shapes checked by Keras, all at once, and without weights.

`check_shapes` (`kgraphs validate --shapes`) builds a recipe's model as structure only: Keras
makes and calls every layer, but allocates no weight. Keras itself is the reference: on good
recipes its shapes and parameter counts equal those of a real `kgraphs.build`. On bad ones,
`build` and `check_shapes` report every node that fails, located there, and no node that only
depends on one that failed. The parameter limit guards memory, so it applies where weights
are allocated (`build`, wrappers included), not to a structure.
"""

import resource

import keras
import pytest
import yaml
from conftest import COMMAND_LINE, run_kgraphs, run_kgraphs_measured
from keras import layers

import kgraphs
from kgraphs.building.from_recipe import check_shapes
from kgraphs.config.limits import over_parameter_limit
from kgraphs.graph_format.builder import estimated_weights
from kgraphs.util.errors import ConfigError


def graph(inputs, *nodes, outputs):
    """A graph recipe of `inputs` ({name: shape}) and `nodes`."""
    return {
        "version": 1,
        "architecture": "graph",
        "config": {
            "inputs": [{"name": name, "shape": list(shape)} for name, shape in inputs.items()],
            "nodes": list(nodes),
            "outputs": outputs,
        },
    }


def dense(name, units, inputs):
    return {"name": name, "layer": "Dense", "args": {"units": units}, "inputs": inputs}


# (what the case is, a recipe, {location of each problem: a word its message holds}): nothing
# else may be reported, so a node that depends on a failed one must not be.
BAD = [
    (
        "two independent branches fail, their dependents are skipped",
        graph(
            {"x": [8], "s": [5, 3]},
            dense("a", 4, "x"),
            dense("b", 6, "x"),
            {"name": "sum", "layer": "Add", "inputs": ["a", "b"]},  # (4,) + (6,)
            dense("after_sum", 2, "sum"),
            {"name": "lstm", "layer": "LSTM", "args": {"units": 3}, "inputs": "x"},  # rank 2
            dense("after_lstm", 2, "lstm"),
            {"name": "fine", "layer": "LSTM", "args": {"units": 3}, "inputs": "s"},
            {"name": "out", "layer": "Concatenate", "inputs": ["after_sum", "after_lstm", "fine"]},
            outputs="out",
        ),
        {"config.nodes[2]": "incompatible", "config.nodes[4]": "ndim=3"},
    ),
    (
        "a failure inside a nested graph, another outside, a reuse of the failed graph",
        graph(
            {"x": [8]},
            {
                "name": "tower",
                "graph": graph(
                    {"t": [8]},
                    {"name": "flat", "layer": "Reshape", "args": {"target_shape": [7]}},
                    outputs="flat",
                )["config"],
                "inputs": "x",
            },
            {"name": "again", "reuse": "tower", "inputs": "x"},
            {"name": "conv", "layer": "Conv1D", "args": {"filters": 2, "kernel_size": 3}},
            {"name": "out", "layer": "Concatenate", "inputs": ["tower", "again", "conv"]},
            outputs="out",
        ),
        {"config.nodes[0].graph.nodes[0]": "total size", "config.nodes[2]": "ndim"},
    ),
    (
        "Keras refuses a constructor argument: located at it, without Keras's config dump",
        graph(
            {"s": [10, 3]},
            {"name": "conv", "layer": "Conv1D", "args": {"filters": 2, "kernel_size": [3, 3]}},
            {
                "name": "both",
                "layer": "Bidirectional",
                "args": {"layer": {"class_name": "Dense", "config": {"units": 3}}},
            },
            {"name": "out", "layer": "Concatenate", "inputs": ["conv", "both"]},
            outputs="out",
        ),
        {"config.nodes[0].args.kernel_size": "tuple of 1", "config.nodes[1].args.layer": "Dense"},
    ),
    (
        "a wrong number of output names",
        graph(
            {"s": [10, 3]},
            {
                "name": "encode",
                "layer": "LSTM",
                "args": {"units": 4, "return_state": True},
                "inputs": "s",
                "outputs": ["sequence", "state"],
            },
            dense("score", 1, "state"),
            outputs="score",
        ),
        {"config.nodes[0].outputs": "returns 3 tensors"},
    ),
]


def with_inputs(config):
    """Nodes written without `inputs` take their graph's first input (nested graphs too)."""
    for node in config["nodes"]:
        node.setdefault("inputs", config["inputs"][0]["name"])
        if "graph" in node:
            with_inputs(node["graph"])


for _, recipe, _ in BAD:
    with_inputs(recipe["config"])


@pytest.mark.parametrize("check", [kgraphs.build, check_shapes], ids=["build", "check_shapes"])
@pytest.mark.parametrize(
    ("recipe", "expected"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_every_failing_node_is_reported_at_once_and_only_those(check, recipe, expected):
    with pytest.raises(ConfigError) as raised:
        check(recipe)
    problems = dict(raised.value.problems)
    assert set(problems) == set(expected), raised.value.problems
    for location, word in expected.items():
        assert word in problems[location], problems[location]
        # Keras's own wrapping never reaches a user: no config dump, no "when calling".
        for noise in ("deserializ", "config=", "Exception encountered", "\x1b["):
            assert noise not in problems[location]


GOOD = [
    "graph/inception_module",
    "graph/seq2seq",
    "graph/transformer_encoder",
    "ticket_priority",  # an architecture of Python code, built the same way
    graph(
        {"s": [6, 5]},
        {
            "name": "both",
            "layer": "Bidirectional",
            "args": {
                "layer": {"class_name": "GRU", "config": {"units": 4, "return_sequences": True}}
            },
            "inputs": "s",
        },
        {
            "name": "each",
            "layer": "TimeDistributed",
            "args": {"layer": {"class_name": "Dense", "config": {"units": 3}}},
            "inputs": "both",
        },
        {
            "name": "stack",
            "layer": "RNN",
            "args": {
                "cell": [
                    {"class_name": "LSTMCell", "config": {"units": 2}},
                    {"class_name": "SimpleRNNCell", "config": {"units": 5}},
                ]
            },
            "inputs": "each",
        },
        outputs="stack",
    ),
]


@pytest.mark.parametrize(
    "recipe", GOOD, ids=[r if isinstance(r, str) else "wrappers" for r in GOOD]
)
def test_shapes_and_parameters_are_those_of_the_built_model(recipe):
    structure = check_shapes(recipe)
    model = kgraphs.build(recipe, compile=False)
    assert structure.parameters == model.count_params()
    assert structure.output_shapes == {
        name: tuple(tensor.shape)
        for name, tensor in zip(model.output_names, model.outputs, strict=True)
    }
    assert not structure.over_limit


def pending_variables():
    """The variables Keras would initialize when the next stateless scope closes."""
    from keras.src.backend.common import global_state

    return list(global_state.get_global_attribute("uninitialized_variables") or [])


# Two Dense layers of 40,000 units on 40,000 features: 1.6 billion parameters, 6.4 GB of float32.
BIG = graph(
    {"x": [40_000]}, dense("wide", 40_000, "x"), dense("score", 10, "wide"), outputs="score"
)
BIG_PARAMETERS = 40_001 * 40_000 + 40_001 * 10


def test_a_structure_allocates_nothing_and_leaves_nothing_to_allocate():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    structure = check_shapes(BIG)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert structure.parameters == BIG_PARAMETERS
    assert structure.output_shapes == {"score": (None, 10)}
    assert structure.over_limit  # over what build allows, reported, not refused
    assert grown < BIG_PARAMETERS * 4 / 20, f"peak memory grew by {grown:,} bytes"
    # Keras would initialize the structure's variables when the next stateless scope closes:
    # none may be left for it, and a model built next is whole.
    assert not pending_variables()
    model = kgraphs.build(graph({"x": [3]}, dense("d", 2, "x"), outputs="d"), compile=False)
    assert model.predict(keras.ops.ones((1, 3)), verbose=0).shape == (1, 2)


def test_build_refuses_what_would_pass_the_limit_before_allocating():
    with pytest.raises(ConfigError) as raised:
        kgraphs.build(BIG)
    assert raised.value.problems == [
        (
            "config.nodes[0]",
            over_parameter_limit(1_600_040_000, where="here the graph reaches"),
        )
    ]
    assert raised.value.problems[0][1].startswith(
        "here the graph reaches 1,600,040,000 parameters: about 6.4 GB of float32 weights (this "
        "machine has "
    )
    assert "kgraphs plot`, `summary`, `diff` and `validate --shapes`" in str(raised.value)
    assert not pending_variables()


@pytest.mark.parametrize(
    ("layer", "args", "inputs", "shape"),
    [
        (
            "MultiHeadAttention",
            {"num_heads": 64, "key_dim": 1024},
            {"query": "x", "value": "x"},
            [16, 8192],
        ),
        (
            "GroupQueryAttention",
            {"head_dim": 1024, "num_query_heads": 64, "num_key_value_heads": 8},
            {"query": "x", "value": "x"},
            [16, 8192],
        ),
        (
            "EinsumDense",
            {"equation": "abc,cd->abd", "output_shape": [None, 65536]},
            "x",
            [16, 8192],
        ),
        ("Conv2DTranspose", {"filters": 8192, "kernel_size": 7}, "x", [8, 8, 1024]),
    ],
    ids=["MultiHeadAttention", "GroupQueryAttention", "EinsumDense", "Conv2DTranspose"],
)
def test_layers_without_a_formula_count_exactly_against_the_limit(layer, args, inputs, shape):
    """Keras's own count of the layer built as structure only is what the limit checks."""
    recipe = graph(
        {"x": shape}, {"name": "big", "layer": layer, "args": args, "inputs": inputs}, outputs="big"
    )
    count = kgraphs.build(recipe, weights=False).get_layer("big").count_params()
    assert count > 250_000_000
    with pytest.raises(ConfigError) as raised:
        kgraphs.build(recipe)
    assert raised.value.problems == [
        ("config.nodes[0]", over_parameter_limit(count, where="here the graph reaches"))
    ]
    assert not pending_variables()


def test_a_wrapped_layer_counts_against_the_limit():
    # A GRU of 160,000 units in Bidirectional: 2 x 3 x 160,000 x (160,000 + 160,000 + 2)
    # parameters, which TensorFlow would run out of memory allocating.
    recipe = graph(
        {"s": [10, 160_000]},
        {
            "name": "both",
            "layer": "Bidirectional",
            "args": {"layer": {"class_name": "GRU", "config": {"units": 160_000}}},
            "inputs": "s",
        },
        dense("score", 1, "both"),
        outputs="score",
    )
    with pytest.raises(ConfigError, match="reaches 307,201,920,000 parameters") as raised:
        kgraphs.build(recipe)
    assert [location for location, _ in raised.value.problems] == ["config.nodes[0]"]
    # A structure of it is checked (the node after it too) and counted, never refused.
    assert check_shapes(recipe).parameters == 307_201_920_000 + 320_001


# (what the case is, a layer factory, the input shape without the batch axis)
WRAPPED = [
    ("Bidirectional GRU", lambda: layers.Bidirectional(layers.GRU(8)), (4, 5)),
    (
        "Bidirectional LSTM, another backward layer",
        lambda: layers.Bidirectional(
            layers.LSTM(8), backward_layer=layers.LSTM(3, go_backwards=True)
        ),
        (4, 5),
    ),
    ("TimeDistributed Dense", lambda: layers.TimeDistributed(layers.Dense(7)), (4, 5)),
    (
        "TimeDistributed Conv2D",
        lambda: layers.TimeDistributed(layers.Conv2D(6, 3)),
        (3, 10, 10, 4),
    ),
    (
        "RNN of stacked cells",
        lambda: layers.RNN([layers.LSTMCell(4), layers.GRUCell(3), layers.SimpleRNNCell(2)]),
        (4, 5),
    ),
    ("RNN of a GRU cell", lambda: layers.RNN(layers.GRUCell(3, reset_after=False)), (4, 5)),
]


@pytest.mark.parametrize(
    ("make", "shape"), [case[1:] for case in WRAPPED], ids=[case[0] for case in WRAPPED]
)
def test_wrapped_layers_are_estimated_as_keras_allocates(make, shape):
    layer = make()
    estimate = estimated_weights(layer, [(None, *shape)])
    assert not layer.weights
    layer(keras.Input(shape))
    assert estimate == layer.count_params()


@COMMAND_LINE
def test_validate_shapes_from_another_directory(tmp_path):
    """The command line: a good recipe of 1.6 billion parameters checks in a process whose
    memory never holds its weights; a bad one lists its problems; exit 2 as for any bad
    recipe."""
    (tmp_path / "big.yaml").write_text(yaml.safe_dump(BIG))
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(BAD[0][1]))
    result, peak = run_kgraphs_measured(
        "validate", "--shapes", "big.yaml", "bad.yaml", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout.splitlines() == [
        "ok  big.yaml  (graph, outputs: score (None, 10); 1,600,440,010 parameters, about 6.4 "
        "GB of float32 weights: over the limit of 250,000,000 that build allocates (set "
        "KGRAPHS_MAX_PARAMETERS to allow more))"
    ]
    assert result.stderr.splitlines()[0] == "bad.yaml: 2 problems"
    assert "config.nodes[2]: Add failed on inputs a (None, 4), b (None, 6)" in result.stderr
    # The whole command's peak: the weights alone would be 6.4 GB.
    assert peak < BIG_PARAMETERS * 4 / 4, f"the command peaked at {peak:,} bytes"


def test_validate_without_shapes_is_unchanged(tmp_path):
    """Without --shapes, validate checks what it can without Keras: the shape mistakes pass."""
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(BAD[0][1]))
    result = run_kgraphs("validate", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok  bad.yaml  (graph, outputs: out)\n"
