"""Graph recipes beyond one tensor in, one tensor out: keyword tensors, several outputs, ops.

Each feature is checked against a reference written without kgraphs: the same model in
hand-written Keras (weights copied), or NumPy for what an op computes. Mistakes are located
without importing TensorFlow, like every other recipe problem.
"""

import keras
import numpy as np
import pytest
from conftest import ROOT
from round_trip import assert_same_model, call, round_trip

import kgraphs
from kgraphs import ConfigError
from kgraphs.graph_format.ops import OPS, format_key, parse_key


def outputs_match(by_hand: keras.Model, recipe_model: keras.Model, inputs: list) -> None:
    assert recipe_model.count_params() == by_hand.count_params()
    recipe_model.set_weights(by_hand.get_weights())
    for a, b in zip(
        keras.tree.flatten(call(by_hand, inputs)),
        keras.tree.flatten(call(recipe_model, inputs)),
        strict=True,
    ):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_seq2seq_recipe_is_the_keras_io_model():
    # examples/nlp/lstm_seq2seq.py, sizes as in recipes/graph/seq2seq.yaml
    encoder_inputs = keras.Input(shape=(None, 20))
    _, state_h, state_c = keras.layers.LSTM(32, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, 24))
    decoded = keras.layers.LSTM(32, return_sequences=True)(
        decoder_inputs, initial_state=[state_h, state_c]
    )
    outputs = keras.layers.Dense(24, activation="softmax")(decoded)
    by_hand = keras.Model([encoder_inputs, decoder_inputs], outputs)
    rng = np.random.default_rng(0)
    inputs = [rng.random((2, 5, 20), "float32"), rng.random((2, 7, 24), "float32")]
    outputs_match(by_hand, kgraphs.build("graph/seq2seq"), inputs)


def test_transformer_recipe_is_the_keras_io_encoder_block():
    # examples/timeseries/timeseries_classification_transformer.py, one block
    inputs = keras.Input(shape=(50, 4))
    x = keras.layers.MultiHeadAttention(key_dim=16, num_heads=2, dropout=0.1)(inputs, inputs)
    x = keras.layers.LayerNormalization(epsilon=1e-6)(x)
    res = x + inputs
    x = keras.layers.Conv1D(filters=8, kernel_size=1, activation="relu")(res)
    x = keras.layers.Conv1D(filters=4, kernel_size=1)(x)
    x = keras.layers.LayerNormalization(epsilon=1e-6)(x)
    x = keras.layers.GlobalAveragePooling1D()(x + res)
    by_hand = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    series = np.random.default_rng(1).random((2, 50, 4), "float32")
    outputs_match(by_hand, kgraphs.build("graph/transformer_encoder"), [series])


def ops_recipe(nodes, outputs, inputs=None):
    return {
        "version": 1,
        "architecture": "graph",
        "config": {
            "inputs": inputs or [{"name": "image", "shape": [4, 4, 3]}],
            "nodes": nodes,
            "outputs": outputs,
        },
    }


def test_ops_compute_what_numpy_computes():
    model = kgraphs.build(
        ops_recipe(
            [
                {
                    "name": "bgr",
                    "op": "get_item",
                    "inputs": "image",
                    "args": {"key": "[..., ::-1]"},
                },
                {
                    "name": "centred",
                    "op": "add",
                    "inputs": {"x1": "bgr"},
                    "args": {"x2": [-1.0, -2.0, -3.0]},
                },
                {
                    "name": "inverted",
                    "op": "subtract",
                    "inputs": {"x2": "image"},
                    "args": {"x1": 1.0},
                },
                {"name": "rows", "op": "mean", "inputs": "inverted", "args": {"axis": [1, 2]}},
                {"name": "wide", "op": "expand_dims", "inputs": "rows", "args": {"axis": 1}},
                {"name": "positive", "op": "relu", "inputs": "centred"},
            ],
            ["positive", "wide"],
        )
    )
    image = np.random.default_rng(2).random((2, 4, 4, 3), "float32") * 4
    positive, wide = (np.asarray(t) for t in model([image]))
    np.testing.assert_allclose(positive, np.maximum(image[..., ::-1] + [-1, -2, -3], 0), rtol=1e-6)
    np.testing.assert_allclose(wide, (1.0 - image).mean(axis=(1, 2))[:, None, :], rtol=1e-6)
    assert model.output_names == ["positive", "wide"]  # ops keep their node's name


def test_ops_are_drawn_as_nodes():
    recipe = ops_recipe(
        [
            {"name": "flat", "layer": "Flatten", "inputs": "image"},
            {"name": "doubled", "op": "multiply", "inputs": {"x1": "flat"}, "args": {"x2": 2.0}},
        ],
        "doubled",
    )
    from kgraphs.drawing.plot import dot_source

    source = dot_source(kgraphs.build(recipe))
    assert "<b>doubled</b> (Multiply)" in source
    assert '"flat" -> "doubled"' in source and '"image" -> "flat"' in source
    assert b"doubled" in kgraphs.plot(recipe).data


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ((Ellipsis, slice(None, None, -1)), "[..., ::-1]"),
        ((slice(None), slice(1, 3), Ellipsis, 0, None), "[:, 1:3, ..., 0, None]"),
        (slice(-2, None), "[-2:]"),
        ([Ellipsis, 2], "[..., 2]"),  # a .keras file gives keys back as lists
    ],
)
def test_get_item_keys_are_written_as_python_reads_them(key, text):
    assert format_key(key) == text
    assert parse_key(text) == (tuple(key) if isinstance(key, (tuple, list)) else (key,))


def test_the_op_snapshot_matches_keras():
    import inspect

    from keras.src.ops import core, image, math, nn, numpy

    from kgraphs.graph_format.ops import op_function

    for name, signature in OPS.items():
        function = op_function(name)
        parameters = inspect.signature(function).parameters
        assert tuple(parameters) == signature.parameters, name
        required = tuple(p for p, v in parameters.items() if v.default is inspect.Parameter.empty)
        assert required == signature.required, name
        cls_name = "".join(part.capitalize() for part in name.split(".")[-1].split("_"))
        modules = (image,) if name.startswith("image.") else (numpy, nn, math, core)
        cls = next(getattr(m, cls_name) for m in modules if hasattr(m, cls_name))
        operands = tuple(inspect.signature(cls.call).parameters)[1:]
        if name == "get_item":
            operands = ("x",)  # the key is plain data, written as text
        assert operands == signature.operands, name


# ------------------------------------------------------------------ mistakes, located
def node(name, inputs, **fields):
    return {"name": name, "inputs": inputs, **fields}


BROKEN = [
    (
        "unknown op",
        [node("out", "image", op="expnd_dims", args={"axis": 1})],
        "config.nodes[0].op",
        "'expnd_dims' is not an op recipes may call; expected one of the allowed keras.ops "
        "functions; did you mean 'expand_dims'? (or use a layer: Activation, Add, Multiply, "
        "Reshape, Permute ...)",
    ),
    (
        "op given a list",
        [node("out", ["image", "image"], op="add")],
        "config.nodes[0].inputs",
        "an op takes its tensors by parameter name, e.g. inputs: {x1: ..., x2: ...}",
    ),
    (
        "unknown operand",
        [node("out", {"x1": "image", "y": "image"}, op="add")],
        "config.nodes[0].inputs.y",
        "add has no tensor operand 'y'; expected one of ['x1', 'x2']",
    ),
    (
        "missing argument",
        [node("out", "image", op="expand_dims")],
        "config.nodes[0].args",
        "expand_dims needs axis",
    ),
    (
        "malformed key",
        [node("out", "image", op="get_item", args={"key": "[0; __import__('os')]"})],
        "config.nodes[0].args.key",
        "expected integers, slices (start:stop:step), '...' or None separated by commas; "
        "given \"[0; __import__('os')]\"",
    ),
    (
        "call on an op",
        [node("out", "image", op="relu", call={"training": True})],
        "config.nodes[0].call",
        "an op takes everything in inputs (tensors) and args",
    ),
    (
        "node with several outputs used whole",
        [
            node(
                "lstm",
                "image",
                layer="LSTM",
                args={"units": 2, "return_state": True},
                outputs=["seq", "h", "c"],
            ),
            node("out", "lstm", layer="Dense", args={"units": 1}),
        ],
        "config.nodes[1].inputs",
        "'lstm' has several outputs; use one of ['seq', 'h', 'c']",
    ),
    (
        "output name taken",
        [
            node(
                "out",
                "image",
                layer="LSTM",
                args={"units": 2, "return_state": True},
                outputs=["image", "h", "c"],
            )
        ],
        "config.nodes[0].outputs[0]",
        "duplicate name 'image' (first at inputs[0])",
    ),
    (
        "reuse of an op",
        [node("a", "image", op="relu"), node("out", "a", reuse="a")],
        "config.nodes[1].reuse",
        "'a' is not a layer or graph node; only those can be called again",
    ),
    (
        "keyword tensor unknown",
        [
            node(
                "out",
                {"query": "image", "value": "imag"},
                layer="MultiHeadAttention",
                args={"num_heads": 1, "key_dim": 2},
            )
        ],
        "config.nodes[0].inputs.value",
        "unknown name 'imag'; did you mean 'image'?",
    ),
    (
        "constant too large",
        [node("out", {"x1": "image"}, op="add", args={"x2": [0.0] * 10_001})],
        "config.nodes[0].args.x2",
        "expected at most 10,000 values in a constant; given 10,001 (weights belong in a layer)",
    ),
]


@pytest.mark.parametrize(
    ("nodes", "location", "message"), [row[1:] for row in BROKEN], ids=[row[0] for row in BROKEN]
)
def test_mistakes_are_located_before_building(nodes, location, message):
    with pytest.raises(ConfigError) as caught:
        kgraphs.load_recipe(ops_recipe(nodes, "out", [{"name": "image", "shape": [3, 4]}]))
    assert (location, message) in caught.value.problems, caught.value.problems


def test_a_wrong_count_of_output_names_is_located_when_building():
    recipe = ops_recipe(
        [
            node(
                "out",
                "image",
                layer="LSTM",
                args={"units": 2, "return_state": True},
                outputs=["seq", "h"],
            )
        ],
        "seq",
        [{"name": "image", "shape": [3, 4]}],
    )
    with pytest.raises(ConfigError) as caught:
        kgraphs.build(recipe)
    assert caught.value.problems == [
        ("config.nodes[0].outputs", "the call returns 3 tensors; given 2 names")
    ]


def test_recipes_with_ops_validate_without_tensorflow(tmp_path):
    import subprocess
    import sys

    from conftest import clean_environment

    code = (
        "import sys, kgraphs\n"
        "kgraphs.load_recipe('graph/transformer_encoder'); kgraphs.load_recipe('graph/seq2seq')\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_environment(), capture_output=True
    )
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ round trips of the new forms
def explicit_mask():
    tokens = keras.Input((6,), dtype="int32")
    mask = keras.ops.not_equal(tokens, 0)  # an op, passed as the mask: kept as a node
    encoded = keras.layers.LSTM(3)(keras.layers.Embedding(20, 4)(tokens), mask=mask)
    return keras.Model(tokens, encoded), [np.array([[1, 2, 0, 0, 0, 0], [3, 4, 5, 0, 0, 0]])]


def automatic_masks_through_attention():
    # Masking's mask (ops Keras records itself) flows into Attention and pooling: not written
    x = keras.Input((5, 4))
    masked = keras.layers.Masking()(x)
    attended = keras.layers.Attention(use_scale=True)([masked, masked])
    return keras.Model(x, keras.layers.GlobalAveragePooling1D()(attended)), [RNG.random((2, 5, 4))]


def attention_with_scores_masks_and_ops():
    query, value = keras.Input((5, 8), name="q"), keras.Input((7, 8), name="v")
    mask = keras.Input((5, 7), dtype="bool", name="mask")
    out, scores = keras.layers.MultiHeadAttention(2, 4)(query, value, return_attention_scores=True)
    masked = keras.layers.MultiHeadAttention(2, 4)(query, value, attention_mask=mask)
    causal = keras.layers.MultiHeadAttention(2, 4)(query, query, use_causal_mask=True)
    x = keras.layers.Concatenate()([out, masked, causal])
    last = x[:, -1, :] / 255.0 + keras.ops.sum(scores, axis=[1, 2, 3])[:, None]
    folded = keras.ops.transpose(keras.ops.reshape(x, (-1, 5, 4, 6)), (0, 2, 1, 3))
    flags = keras.ops.cast(x > 0.5, "float32")
    model = keras.Model(
        [query, value, mask], [last, 1.0 - keras.ops.mean(x, axis=1), folded, flags]
    )
    return model, [RNG.random((2, 5, 8)), RNG.random((2, 7, 8)), RNG.random((2, 5, 7)) > 0.3]


def recurrent_states_and_wrappers():
    tokens = keras.Input((6,), dtype="int32")
    embedded = keras.layers.Embedding(30, 8, mask_zero=True)(tokens)
    sequence, state = keras.layers.GRU(4, return_sequences=True, return_state=True)(embedded)
    both, forward_h, _, _, backward_c = keras.layers.Bidirectional(
        keras.layers.LSTM(3, return_state=True)
    )(embedded)
    per_step = keras.layers.TimeDistributed(keras.layers.Dense(2))(sequence)
    joined = keras.layers.Concatenate()([state, both, forward_h, backward_c])
    return keras.Model(tokens, [per_step, joined]), [RNG.integers(0, 30, (2, 6))]


def split_and_resize_ops():
    x = keras.Input((8, 8, 6))
    left, right = keras.ops.split(x, 2, axis=-1)  # an op with several outputs
    small = keras.ops.image.resize(left + right, (4, 4))
    return keras.Model(x, small), [RNG.random((2, 8, 8, 6))]


RNG = np.random.default_rng(3)
BUILDERS = [
    explicit_mask,
    automatic_masks_through_attention,
    attention_with_scores_masks_and_ops,
    recurrent_states_and_wrappers,
    split_and_resize_ops,
]


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda builder: builder.__name__)
def test_new_forms_round_trip(builder):
    model, inputs = builder()
    inputs = [np.asarray(a, "float32") if a.dtype == "float64" else a for a in inputs]
    rebuilt, _ = round_trip(model)
    assert_same_model(model, rebuilt, inputs)
