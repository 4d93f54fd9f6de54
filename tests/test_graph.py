"""Graph recipes: any Functional model to a recipe and back, and broken graphs located."""

import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import yaml
from conftest import COMMAND_LINE, ROOT
from round_trip import assert_same_model, round_trip, sample_inputs, string_inputs_refused

import kgraphs
from kgraphs import ConfigError
from kgraphs.recipe.files import dump_yaml

# ------------------------------------------------------------------ factories and shared layers
FACTORY_VARIANTS = [
    ("ticket_priority", {}),
    ("ticket_priority", {"mask_zero": True, "dropout": 0.1, "metadata_units": 0}),
    ("image_multitask", {"pooling": "global_average", "bbox_activation": "sigmoid"}),
    ("siamese_text", {}),
    ("siamese_text", {"share_encoder": True, "similarity": "l1", "mask_zero": True}),
    ("siamese_text", {"share_embedding": False, "similarity": "cosine"}),
    ("residual_cnn", {}),
    (
        "residual_cnn",
        {"batch_norm": True, "stages": [{"filters": 8}, {"filters": 16, "stride": 2}]},
    ),
]


@pytest.mark.parametrize(("name", "fields"), FACTORY_VARIANTS, ids=lambda v: str(v))
def test_factory_models_round_trip(name, fields):
    model = getattr(kgraphs, name)(**fields)
    rebuilt, _ = round_trip(model)
    assert_same_model(model, rebuilt, sample_inputs(model))


def test_shared_layer_becomes_reuse_and_keeps_one_set_of_weights():
    model = kgraphs.siamese_text(share_encoder=True)
    recipe = kgraphs.to_recipe(model)
    reuses = [node for node in recipe["config"]["nodes"] if "reuse" in node]
    assert [node["reuse"] for node in reuses] == ["shared_embed", "lstm"]
    rebuilt, _ = round_trip(model)
    assert len(rebuilt.get_layer("lstm")._inbound_nodes) == 2


def nested_tower_model() -> keras.Model:
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(500, 8, mask_zero=True, name="embed")(tokens)
    x = keras.layers.GRU(6, name="gru")(x)
    tower = keras.Model(tokens, keras.layers.Dense(4, name="project")(x), name="tower")
    left = keras.Input((None,), dtype="int32", name="left")
    right = keras.Input((None,), dtype="int32", name="right")
    joined = keras.layers.Concatenate(name="joined")([tower(left), tower(right)])
    score = keras.layers.Dense(1, activation="sigmoid", name="score")(joined)
    return keras.Model([left, right], score, name="nested")


def test_nested_shared_tower_round_trips():
    model = nested_tower_model()
    recipe = kgraphs.to_recipe(model)
    nodes = recipe["config"]["nodes"]
    assert nodes[0]["name"] == "tower" and "graph" in nodes[0]
    assert nodes[1] == {"name": "tower_call2", "reuse": "tower", "inputs": "right"}
    rebuilt, _ = round_trip(model)
    assert_same_model(model, rebuilt, sample_inputs(model))


def test_defaults_are_left_out():
    inputs = keras.Input((4,), name="x")
    dense = keras.layers.Dense(3, name="d")(inputs)
    pool = keras.layers.MaxPooling1D(3, strides=2, name="p")(keras.layers.Reshape((4, 1))(inputs))
    model = keras.Model(inputs, [dense, pool])
    nodes = {node["name"]: node for node in kgraphs.to_recipe(model)["config"]["nodes"]}
    assert nodes["d"]["args"] == {"units": 3}
    # strides defaults to pool_size, so it must stay when it differs from it
    assert nodes["p"]["args"] == {"pool_size": [3], "strides": [2]}


# ------------------------------------------------------------------ keras.applications families
# A round trip is between an application's Keras configs and a recipe, each side built and run
# by Keras on the same backend (as test_real_models' models): run once. Graph recipes build and
# run on JAX in this module's other tests, test_graph_calls and test_recipes; ResNet50 and
# MobileNetV2 took 20 s more there.
ONCE = pytest.mark.backend_independent(
    reason="configs to a recipe and back, each side built by Keras on the same backend"
)
APPLICATIONS = [
    pytest.param("ResNet50", (64, 64, 3), id="ResNet50", marks=ONCE),  # residual
    pytest.param("MobileNetV2", (96, 96, 3), id="MobileNetV2", marks=ONCE),  # depthwise-separable
    pytest.param("DenseNet121", (64, 64, 3), id="DenseNet121", marks=ONCE),  # densely connected
    pytest.param("InceptionV3", (96, 96, 3), id="InceptionV3", marks=ONCE),  # multi-branch
    # Every other family of keras.applications made of built-in layers (ops included).
    *(
        pytest.param(name, shape, id=name, marks=ONCE)
        for name, shape in [
            ("EfficientNetB0", (64, 64, 3)),  # Rescaling, Normalization, squeeze-excite
            ("EfficientNetV2B0", (64, 64, 3)),
            ("MobileNet", (64, 64, 3)),
            ("MobileNetV3Small", (64, 64, 3)),  # hard swish written as ops
            ("NASNetMobile", (64, 64, 3)),
            ("ResNet50V2", (64, 64, 3)),
            ("VGG16", (64, 64, 3)),
            ("Xception", (71, 71, 3)),
        ]
    ),
]
# The families with a layer class of their own, which recipes cannot hold: refused there.
CUSTOM_LAYER_APPLICATIONS = [
    (
        "ConvNeXtTiny",
        r"\(model\)\.convnext_tiny_stage_0_block_0_layer_scale: LayerScale is a layer class "
        r"of Keras.s keras.src.applications.convnext that keras.layers does not export",
    ),
    (
        "InceptionResNetV2",
        r"\(model\)\.custom_scale_layer\w*: CustomScaleLayer is a layer class of Keras.s "
        r"keras.src.applications.inception_resnet_v2 that keras.layers does not export",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("application", "shape"), APPLICATIONS)
def test_keras_applications_round_trip_and_are_short(application, shape):
    model = getattr(keras.applications, application)(weights=None, input_shape=shape, classes=5)
    rebuilt, text = round_trip(model)
    assert_same_model(model, rebuilt, [np.random.default_rng(0).random((2, *shape), "float32")])
    assert len(text) < len(model.to_json()) / 5


@pytest.mark.slow
@ONCE
@pytest.mark.parametrize(("application", "refusal"), CUSTOM_LAYER_APPLICATIONS)
def test_keras_applications_with_custom_layers_are_refused_at_them(application, refusal):
    model = getattr(keras.applications, application)(
        weights=None, include_top=False, input_shape=(75, 75, 3)
    )
    with pytest.raises(ConfigError) as caught:
        kgraphs.to_recipe(model)
    problems = [f"{location}: {message}" for location, message in caught.value.problems]
    assert any(re.match(refusal, problem) for problem in problems), problems[:3]
    assert all(location.startswith("(model).") for location, _ in caught.value.problems)


# ------------------------------------------------------------------ recipes/graph
@pytest.mark.parametrize(
    "name", ["ticket_priority", "image_multitask", "siamese_text", "residual_cnn"]
)
def test_graph_recipes_build_the_factories_models(name):
    factory_model = kgraphs.build(f"recipes/{name}.yaml")
    graph_model = kgraphs.build(f"recipes/graph/{name}.yaml")
    assert graph_model.count_params() == factory_model.count_params()
    graph_model.set_weights(factory_model.get_weights())
    inputs = sample_inputs(factory_model)
    for a, b in zip(
        keras.tree.flatten(factory_model(inputs)),
        keras.tree.flatten(graph_model(inputs)),
        strict=True,
    ):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    assert (
        dict(graph_model.loss) == dict(factory_model.loss)
        if isinstance(graph_model.loss, dict)
        else graph_model.loss == factory_model.loss
    )


def test_public_example_multi_input_multi_output_with_per_output_losses():
    """The keras.io Functional-API guide's ticket model, by hand and as a graph recipe."""
    title = keras.Input(shape=(None,), name="title")
    body = keras.Input(shape=(None,), name="body")
    tags = keras.Input(shape=(12,), name="tags")
    title_features = keras.layers.Embedding(10000, 64, name="title_embed")(title)
    body_features = keras.layers.Embedding(10000, 64, name="body_embed")(body)
    title_features = keras.layers.LSTM(128, name="title_lstm")(title_features)
    body_features = keras.layers.LSTM(32, name="body_lstm")(body_features)
    x = keras.layers.Concatenate(name="merged")([title_features, body_features, tags])
    priority = keras.layers.Dense(1, name="priority")(x)
    department = keras.layers.Dense(4, name="department")(x)
    by_hand = keras.Model([title, body, tags], [priority, department])

    recipe = yaml.safe_load("""
    version: 1
    architecture: graph
    config:
      inputs:
        - {name: title, shape: [null]}
        - {name: body, shape: [null]}
        - {name: tags, shape: [12]}
      nodes:
        - {name: title_embed, layer: Embedding, args: {input_dim: 10000, output_dim: 64}, inputs: title}
        - {name: body_embed, layer: Embedding, args: {input_dim: 10000, output_dim: 64}, inputs: body}
        - {name: title_lstm, layer: LSTM, args: {units: 128}, inputs: title_embed}
        - {name: body_lstm, layer: LSTM, args: {units: 32}, inputs: body_embed}
        - {name: merged, layer: Concatenate, inputs: [title_lstm, body_lstm, tags]}
        - {name: priority, layer: Dense, args: {units: 1}, inputs: merged}
        - {name: department, layer: Dense, args: {units: 4}, inputs: merged}
      outputs: [priority, department]
    compile:
      optimizer: {name: rmsprop, learning_rate: 0.001}
      loss: {priority: binary_crossentropy, department: categorical_crossentropy}
      loss_weights: {priority: 1.0, department: 0.2}
    """)
    model = kgraphs.build(recipe)
    assert model.count_params() == by_hand.count_params()
    model.set_weights(by_hand.get_weights())
    inputs = [
        np.random.randint(0, 10000, (2, 10)).astype("float32"),
        np.random.randint(0, 10000, (2, 20)).astype("float32"),
        np.random.rand(2, 12).astype("float32"),
    ]
    for a, b in zip(by_hand(inputs), model(inputs), strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    x, y = kgraphs.example_data(model)
    history = model.fit(x, y, epochs=1, verbose=0)
    assert {"priority_loss", "department_loss"} <= set(history.history)


# ------------------------------------------------------------------ what cannot be exported
def test_lambda_layer_cannot_be_exported():
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2, name="double")(inputs))
    with pytest.raises(ConfigError, match="double: Lambda is refused: it runs Python code"):
        kgraphs.to_recipe(model)


def test_ops_outside_the_allow_list_cannot_be_exported():
    inputs = keras.Input((3,), name="x")
    product = keras.ops.einsum("bi,bj->bij", inputs, inputs)
    model = keras.Model(inputs, keras.layers.Flatten(name="f")(product))
    with pytest.raises(
        ConfigError, match=r"\(model\).einsum: Einsum \(keras.ops.einsum\) is not an op"
    ):
        kgraphs.to_recipe(model)


def test_every_inexpressible_construct_is_listed_at_once():
    class Doubler(keras.layers.Layer):
        def call(self, inputs):
            return inputs * 2

    def my_activation(x):
        return x

    inputs = keras.Input((4,), name="x")
    x = keras.layers.Dense(3, activation=my_activation, name="named_fn")(inputs)
    x = keras.layers.Dense(3, activation=lambda t: t, name="lambda_fn")(x)
    x = Doubler(name="doubler")(x)
    x = keras.ops.einsum("bi,bj->bij", x, x)
    model = keras.Model(inputs, keras.layers.Flatten(name="f")(x), name="messy")
    # Keras warns about the lambda as it serializes it; kgraphs then refuses it.
    with pytest.warns(UserWarning, match="lambda"), pytest.raises(ConfigError) as caught:
        kgraphs.to_recipe(model)
    locations = [location for location, _ in caught.value.problems]
    assert locations[:3] == [
        "(model).named_fn.args.activation",
        "(model).lambda_fn.args.activation",
        "(model).doubler",
    ]
    assert re.fullmatch(r"\(model\)\.einsum(_\d+)?", locations[3])  # Keras numbers op names
    assert str(caught.value).startswith("model 'messy': 4 problems")
    assert "recipes never carry code" in caught.value.problems[1][1]


def test_weights_hidden_in_an_initializer_are_refused():
    matrix = np.random.default_rng(0).random((200, 64))  # pretrained embeddings, 12,800 values
    inputs = keras.Input((None,), dtype="int32", name="tokens")
    embed = keras.layers.Embedding(
        200, 64, embeddings_initializer=keras.initializers.Constant(matrix), name="pretrained"
    )
    with pytest.raises(ConfigError) as caught:
        kgraphs.to_recipe(keras.Model(inputs, embed(inputs)))
    ((location, message),) = caught.value.problems
    # Keras serializes the array as {class_name: __numpy__, config: {value: ...}}
    assert location == "(model).pretrained.args.embeddings_initializer.config.value.config.value"
    assert message.startswith("a constant of 12,800 values; recipes carry no weights")


@pytest.mark.parametrize("size", [50, 100_001])
def test_lookup_vocabularies_travel_up_to_the_limit(size):
    lookup = keras.layers.StringLookup(name="lookup")
    lookup.adapt(np.array([f"t{i}" for i in range(size)]))
    words = keras.Input((1,), dtype="string", name="words")
    model = keras.Model(words, lookup(words))
    if size > 100_000:
        with pytest.raises(ConfigError) as caught:
            kgraphs.to_recipe(model)
        assert caught.value.problems == [
            (
                "(model).lookup.args.vocabulary",
                "a vocabulary of 100,001 tokens is over the 100,000 a recipe carries; "
                "save the model as .keras instead",
            )
        ]
        return
    recipe = kgraphs.to_recipe(model)
    assert len(recipe["config"]["nodes"][0]["args"]["vocabulary"]) == size
    if string_inputs_refused(dump_yaml(recipe), model):
        return
    rebuilt = kgraphs.build(recipe)
    probe = np.array([["t7"], ["t49"], ["unknown"]])
    np.testing.assert_array_equal(np.asarray(rebuilt(probe)), np.asarray(model(probe)))


def test_subclassed_models_cannot_be_exported():
    class Tiny(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ConfigError, match="not a Functional model"):
        kgraphs.to_recipe(Tiny())


# ------------------------------------------------------------------ broken graphs
def graph_recipe(nodes, outputs="out", inputs=None):
    return {
        "version": 1,
        "architecture": "graph",
        "config": {
            "inputs": inputs or [{"name": "x", "shape": [8]}],
            "nodes": nodes,
            "outputs": outputs,
        },
    }


def dense(node, source, **args):
    return {"name": node, "layer": "Dense", "args": {"units": 4, **args}, "inputs": source}


BROKEN = [
    (
        "duplicate name",
        [dense("out", "x"), dense("out", "out")],
        "out",
        "config.nodes[1].name",
        "duplicate name 'out'",
    ),
    (
        "duplicate of an input",
        [dense("x", "x"), dense("out", "x")],
        "out",
        "config.nodes[0].name",
        "duplicate name 'x'",
    ),
    (
        "unknown reference",
        [dense("out", "xx")],
        "out",
        "config.nodes[0].inputs",
        "unknown name 'xx'; did you mean 'x'?",
    ),
    (
        "use before definition",
        [dense("a", "b"), dense("b", "x"), dense("out", "a")],
        "out",
        "config.nodes[0].inputs",
        "used before it is defined",
    ),
    (
        "unknown reference in a list",
        [{"name": "out", "layer": "Concatenate", "inputs": ["x", "y"]}],
        "out",
        "config.nodes[0].inputs[1]",
        "unknown name 'y'",
    ),
    (
        "unknown layer",
        [{"name": "out", "layer": "Dens", "args": {"units": 2}, "inputs": "x"}],
        "out",
        "config.nodes[0].layer",
        "did you mean 'Dense'?",
    ),
    (
        "Lambda refused",
        [{"name": "out", "layer": "Lambda", "args": {"function": "x"}, "inputs": "x"}],
        "out",
        "config.nodes[0].layer",
        "runs Python code",
    ),
    (
        "unknown argument",
        [{"name": "out", "layer": "Dense", "args": {"unit": 2}, "inputs": "x"}],
        "out",
        "config.nodes[0].args.unit",
        "did you mean 'units'?",
    ),
    (
        "module import",
        [dense("out", "x", kernel_initializer={"class_name": "Zeros", "module": "os"})],
        "out",
        "config.nodes[0].args.kernel_initializer.module",
        "only Keras's own modules",
    ),
    (
        "custom object",
        [
            dense(
                "out", "x", kernel_initializer={"class_name": "Mine", "registered_name": "pkg>Mine"}
            )
        ],
        "out",
        "config.nodes[0].args.kernel_initializer.registered_name",
        "custom registered",
    ),
    (
        "name argument",
        [dense("out", "x", name="other")],
        "out",
        "config.nodes[0].args.name",
        "named after its node",
    ),
    (
        "reuse of an input",
        [{"name": "out", "reuse": "x", "inputs": "x"}],
        "out",
        "config.nodes[0].reuse",
        "is an input",
    ),
    (
        "reuse of unknown",
        [{"name": "out", "reuse": "dense", "inputs": "x"}],
        "out",
        "config.nodes[0].reuse",
        "unknown name 'dense'",
    ),
    (
        "layer and reuse",
        [{"name": "out", "layer": "Dense", "reuse": "x", "inputs": "x"}],
        "out",
        "config.nodes[0]",
        "exactly one of layer, op, reuse or graph",
    ),
    (
        "unknown output",
        [dense("out", "x")],
        ["out", "ot"],
        "config.outputs[1]",
        "unknown name 'ot'; did you mean 'out'?",
    ),
    (
        "unused node",
        [dense("out", "x"), dense("dangling", "x")],
        "out",
        "config.nodes[1]",
        "does not lead to any output",
    ),
    (
        "incompatible Add",
        [dense("a", "x"), {"name": "out", "layer": "Add", "inputs": ["a", "x"]}],
        "out",
        "config.nodes[1]",
        "x (None, 8)",
    ),
    (
        "incompatible Concatenate",
        [
            {"name": "img", "layer": "Reshape", "args": {"target_shape": [2, 4]}, "inputs": "x"},
            {"name": "out", "layer": "Concatenate", "inputs": ["img", "x"]},
        ],
        "out",
        "config.nodes[1]",
        "Concatenate failed on inputs img (None, 2, 4), x (None, 8)",
    ),
    (
        "nested graph problem",
        [
            {
                "name": "out",
                "inputs": "x",
                "graph": {
                    "inputs": [{"name": "y", "shape": [8]}],
                    "nodes": [dense("z", "w")],
                    "outputs": "z",
                },
            }
        ],
        "out",
        "config.nodes[0].graph.nodes[0].inputs",
        "unknown name 'w'",
    ),
]


@pytest.mark.parametrize(
    ("nodes", "outputs", "location", "phrase"),
    [row[1:] for row in BROKEN],
    ids=[row[0] for row in BROKEN],
)
def test_broken_graph_is_located(nodes, outputs, location, phrase):
    with pytest.raises(ConfigError) as caught:
        kgraphs.build(graph_recipe(nodes, outputs))
    problems = dict(caught.value.problems)
    assert location in problems, caught.value.problems
    assert phrase in problems[location]


def test_an_unused_input_is_kept_as_keras_keeps_it():
    recipe = graph_recipe(
        [dense("out", "x")], inputs=[{"name": "x", "shape": [8]}, {"name": "spare", "shape": [2]}]
    )
    model = kgraphs.build(recipe, compile=False)
    x, spare = keras.Input((8,), name="x"), keras.Input((2,), name="spare")
    reference = keras.Model([x, spare], keras.layers.Dense(4, name="out")(x))
    assert [tuple(t.shape) for t in model.inputs] == [tuple(t.shape) for t in reference.inputs]
    assert model.count_params() == reference.count_params() == 36
    reference.set_weights(model.get_weights())
    batch = [np.ones((2, 8), "float32"), np.zeros((2, 2), "float32")]
    np.testing.assert_allclose(np.asarray(model(batch)), np.asarray(reference(batch)), rtol=1e-6)


def test_a_repeated_output_is_kept_as_keras_keeps_it():
    x = keras.Input((3,), name="x")
    out = keras.layers.Dense(2, name="out")(x)
    reference = keras.Model(x, [out, {"again": out}])
    rebuilt, text = round_trip(reference)
    assert yaml.safe_load(text)["config"]["outputs"] == ["out", {"again": "out"}]
    assert_same_model(reference, rebuilt, [np.ones((2, 3), "float32")])


@pytest.mark.backend_independent(reason="feeds a tf.SparseTensor; the recipe is the same")
def test_a_sparse_input_with_a_fixed_batch_size_round_trips():
    import tensorflow as tf

    tags = keras.Input((5,), batch_size=2, sparse=True, name="tags")
    reference = keras.Model(tags, keras.layers.Dense(3, name="out")(tags))
    rebuilt, text = round_trip(reference)
    assert yaml.safe_load(text)["config"]["inputs"] == {
        "name": "tags",
        "shape": [5],
        "batch_size": 2,
        "sparse": True,
    }
    assert_same_model(reference, rebuilt, [tf.sparse.from_dense(np.eye(2, 5, dtype="float32"))])


def test_classes_and_ops_keras_records_under_other_names_round_trip():
    # keras.layers.GroupQueryAttention is the class GroupedQueryAttention; ops.abs (and
    # Python's abs) is recorded as Absolute.
    x = keras.Input((4, 4, 8), name="x")
    sequence = keras.layers.Reshape((16, 8))(x)
    attention = keras.layers.GroupQueryAttention(
        head_dim=2, num_query_heads=2, num_key_value_heads=1, name="gqa"
    )(sequence, sequence)
    outputs = [
        attention,
        keras.ops.abs(x),
        abs(x),
        keras.ops.zeros_like(x) + keras.ops.ones_like(x),
        keras.ops.space_to_depth(keras.ops.depth_to_space(x, 2), 2),
        keras.ops.image.extract_patches(x, 2),
    ]
    reference = keras.Model(x, outputs)
    rebuilt, text = round_trip(reference)
    assert "layer: GroupQueryAttention" in text and "op: absolute" in text
    assert_same_model(
        reference, rebuilt, [np.random.default_rng(0).random((2, 4, 4, 8), "float32")]
    )


@pytest.mark.backend_independent(reason="feeds a tf.RaggedTensor; elsewhere refused, below")
def test_a_ragged_input_round_trips_on_tensorflow():
    import tensorflow as tf

    ids = keras.Input((None,), ragged=True, dtype="int32", name="ids")
    reference = keras.Model(ids, keras.layers.Embedding(10, 2, name="embed")(ids))
    rebuilt, text = round_trip(reference)
    assert yaml.safe_load(text)["config"]["inputs"]["ragged"] is True
    batch = tf.ragged.constant([[1, 2, 3], [4]])
    np.testing.assert_array_equal(
        reference(batch).to_tensor().numpy(), rebuilt(batch).to_tensor().numpy()
    )


def test_a_ragged_input_is_refused_off_tensorflow_at_its_field():
    recipe = graph_recipe(
        [
            {
                "name": "out",
                "layer": "Embedding",
                "args": {"input_dim": 10, "output_dim": 2},
                "inputs": "ids",
            }
        ],
        inputs={"name": "ids", "shape": [None], "dtype": "int32", "ragged": True},
    )
    if keras.config.backend() == "tensorflow":
        assert kgraphs.build(recipe, compile=False).inputs[0].ragged
        return
    with pytest.raises(ConfigError) as caught:
        kgraphs.build(recipe, compile=False)
    assert [location for location, _ in caught.value.problems] == ["config.inputs.ragged"]


STRUCTURE_MISTAKES = [
    # (inputs, outputs, the one problem's location, words of its message)
    ({"a": {"name": "x", "shape": [8]}, "b": 5}, "out", "config.inputs.b", "expected a mapping"),
    ({"nme": "x", "shape": [8]}, "out", "config.inputs.nme", "did you mean 'name'?"),
    ({"name": "x", "shape": [8]}, {"score": "ot"}, "config.outputs.score", "did you mean 'out'?"),
    ({"name": "x", "shape": [8]}, ["out", {"k": 3}], "config.outputs[1].k", "expected a string"),
]


@pytest.mark.parametrize(("inputs", "outputs", "location", "words"), STRUCTURE_MISTAKES)
def test_a_mistake_in_a_structure_is_located_inside_it(inputs, outputs, location, words):
    with pytest.raises(ConfigError) as caught:
        kgraphs.load_recipe(graph_recipe([dense("out", "x")], outputs=outputs, inputs=inputs))
    assert any(where == location and words in said for where, said in caught.value.problems), (
        caught.value.problems
    )


def test_dict_outputs_compile_and_fit_by_key_as_keras_does():
    # The example: Keras's model, and the recipe's, called, compiled and fitted by key.
    x = keras.Input((3,), name="x")
    model = keras.Model(
        x,
        {
            "a": keras.layers.Dense(1, name="head_a")(x),
            "b": keras.layers.Dense(2, name="head_b")(x),
        },
    )
    recipe = kgraphs.to_recipe(model)
    assert recipe["config"]["inputs"] == {"name": "x", "shape": [3]}
    assert recipe["config"]["outputs"] == {"a": "head_a", "b": "head_b"}
    recipe["compile"] = {"optimizer": "sgd", "loss": {"a": "mse", "b": "mae"}}
    twin = kgraphs.build(recipe)
    twin.set_weights(model.get_weights())
    probe = np.ones((2, 3), "float32")
    got, expected = twin(probe), model(probe)
    assert sorted(got) == ["a", "b"]
    for key in ("a", "b"):
        np.testing.assert_allclose(np.asarray(got[key]), np.asarray(expected[key]), rtol=1e-6)
    model.compile(optimizer="sgd", loss={"a": "mse", "b": "mae"})
    inputs, targets = kgraphs.example_data(twin, batch_size=4)
    assert sorted(targets) == ["a", "b"] and inputs.shape == (4, 3)
    ours = twin.fit(inputs, targets, epochs=1, verbose=0).history
    theirs = model.fit(inputs, targets, epochs=1, verbose=0).history
    assert sorted(ours) == sorted(theirs)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)


def test_compile_keys_are_checked_against_graph_outputs():
    recipe = graph_recipe([dense("out", "x")]) | {"compile": {"loss": {"outt": "mse"}}}
    with pytest.raises(ConfigError, match="did you mean 'out'"):
        kgraphs.load_recipe(recipe)


@pytest.mark.slow
@COMMAND_LINE
def test_export_command_writes_a_recipe_that_builds(tmp_path):
    model = nested_tower_model()
    model.save(tmp_path / "nested.keras")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kgraphs",
            "export",
            str(tmp_path / "nested.keras"),
            "-o",
            str(tmp_path / "nested.yaml"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    rebuilt = kgraphs.build(tmp_path / "nested.yaml")
    assert rebuilt.count_params() == model.count_params()
