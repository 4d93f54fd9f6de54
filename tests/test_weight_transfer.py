"""`kgraphs.transfer_weights`: weights carried across recipe edits, layer by layer.

The reference is the source model itself, through Keras: each copied layer's variables equal
the source layer's, and the target's sub-model up to an unchanged layer gives the source's
activations on the same data. Keras's own position-based loading is shown wrong on the same
edits, so the tests cannot pass by copying in order.
"""

import copy

import keras
import numpy as np
import pytest
from conftest import run_kgraphs
from keras import layers

import kgraphs
from kgraphs import ConfigError
from kgraphs.building.saving import save_model
from kgraphs.introspection.layer_graph import layer_graph

SMALL_IMAGE = {"input_shape": [32, 32, 3]}
# Which layer is which, and what the report says, is structure: the same on every backend. The
# values copied (BatchNormalization's statistics, a Normalization's state, outputs) are checked
# on each backend by the tests left unmarked.
ONCE = pytest.mark.backend_independent(reason="the pairing and the report are structure")


def trained(model):
    """`model` after one step of training on data made here, so no weight is its initializer's."""
    inputs, targets = kgraphs.example_data(model, batch_size=8)
    model.compile(optimizer="adam", loss="mse")
    model.fit(inputs, targets, epochs=1, verbose=0)
    return model


def graph_of(name, **overrides):
    """The chapter model `name` as a graph recipe dict, to edit node by node."""
    return kgraphs.to_recipe(kgraphs.build(name, compile=False, **overrides))


def node(recipe, name):
    return next(n for n in recipe["config"]["nodes"] if n["name"] == name)


def activations(model, layer, data):
    """What `layer` of `model` outputs on `data`: the sub-model up to it, through Keras."""
    return keras.Model(model.inputs, model.get_layer(layer).output).predict(data, verbose=0)


def assert_same_weights(source, target, name, target_name=None):
    for before, after in zip(
        source.get_layer(name).weights,
        target.get_layer(target_name or name).weights,
        strict=True,
    ):
        np.testing.assert_array_equal(before.numpy(), after.numpy())


def inserted_dense(recipe):
    """A Dense(64) between the features and the class head."""
    edited = copy.deepcopy(recipe)
    nodes = edited["config"]["nodes"]
    at = nodes.index(node(edited, "class_label"))
    nodes.insert(
        at, {"name": "extra", "layer": "Dense", "args": {"units": 64}, "inputs": "features"}
    )
    node(edited, "class_label")["inputs"] = "extra"
    return edited


def added_input(recipe):
    """A second metadata input, concatenated with the rest: the head's input widens."""
    edited = copy.deepcopy(recipe)
    edited["config"]["inputs"].append({"name": "history", "shape": [3]})
    node(edited, "combined_features")["inputs"] = ["text_lstm", "metadata_dense", "history"]
    return edited


def renamed(recipe):
    edited = copy.deepcopy(recipe)
    node(edited, "conv_1")["name"] = "first_conv"
    node(edited, "pool_1")["inputs"] = "first_conv"
    return edited


# (name, source recipe, edit of it, renames, expected statuses, an unchanged layer to compare
# activations at, the layers Keras's by-position loading gets wrong)
EDITS = [
    (
        "unchanged",
        lambda: graph_of("image_multitask", **SMALL_IMAGE),
        lambda recipe: recipe,
        None,
        {"conv_1": "copied", "conv_2": "copied", "class_label": "copied", "bounding_box": "copied"},
        "class_label",
    ),
    (
        "new head",
        lambda: graph_of("image_multitask", **SMALL_IMAGE),
        lambda recipe: graph_of("image_multitask", **SMALL_IMAGE, num_classes=3),
        None,
        {
            "conv_1": "copied",
            "conv_2": "copied",
            "class_label": "changed",
            "bounding_box": "copied",
        },
        "bounding_box",
    ),
    (
        "inserted layer",
        lambda: graph_of("image_multitask", **SMALL_IMAGE),
        inserted_dense,
        None,
        {
            "conv_1": "copied",
            "conv_2": "copied",
            "extra": "new",
            "class_label": "changed",
            "bounding_box": "copied",
        },
        "bounding_box",
    ),
    (
        "widened block",
        lambda: graph_of("image_multitask", **SMALL_IMAGE),
        lambda recipe: graph_of("image_multitask", **SMALL_IMAGE, conv_filters=[32, 96]),
        None,
        {
            "conv_1": "copied",
            "conv_2": "changed",
            "class_label": "changed",
            "bounding_box": "changed",
        },
        "pool_1",
    ),
    (
        "added input",
        lambda: graph_of("ticket_priority", vocab_size=500),
        added_input,
        None,
        {
            "text_embedding": "copied",
            "text_lstm": "copied",
            "metadata_dense": "copied",
            "priority": "changed",
        },
        "text_lstm",
    ),
    (
        "renamed layer, with a map",
        lambda: graph_of("image_multitask", **SMALL_IMAGE),
        renamed,
        {"conv_1": "first_conv"},
        {
            "first_conv": "copied",
            "conv_2": "copied",
            "class_label": "copied",
            "bounding_box": "copied",
        },
        "class_label",
    ),
    (
        "renamed layer, no map",
        lambda: graph_of("image_multitask", **SMALL_IMAGE),
        renamed,
        None,
        {
            "conv_1": "dropped",
            "first_conv": "new",
            "conv_2": "copied",
            "class_label": "copied",
            "bounding_box": "copied",
        },
        "pool_1",  # a pooling of a conv that kept its initialization: differs, checked below
    ),
]


@ONCE
@pytest.mark.parametrize(
    ("source_recipe", "edit", "renames", "expected", "unchanged"),
    [row[1:] for row in EDITS],
    ids=[row[0] for row in EDITS],
)
def test_each_unchanged_layer_gets_the_source_weights(
    source_recipe, edit, renames, expected, unchanged
):
    recipe = source_recipe()
    source = trained(kgraphs.build(recipe, compile=False))
    target = kgraphs.build(edit(recipe), compile=False)
    report = kgraphs.transfer_weights(source, target, renames=renames)
    assert {layer.key: layer.status for layer in report.layers} == expected
    for layer in report.copied:
        assert_same_weights(source, target, layer.source, layer.target)
    data = kgraphs.example_data(source, batch_size=4)[0]
    target_data = kgraphs.example_data(target, batch_size=4)[0]
    if isinstance(target_data, dict):
        target_data = {**target_data, **{k: v for k, v in data.items() if k in target_data}}
    same = np.array_equal(
        activations(source, unchanged, data), activations(target, unchanged, target_data)
    )
    # Every path into `unchanged` was copied, so the target computes the source's values;
    # with no map, the renamed conv kept its initialization and its pooling differs.
    assert same == (renames is not None or "first_conv" not in expected)
    assert report.counts() == {
        status: list(expected.values()).count(status)
        for status in ("copied", "changed", "new", "dropped")
    }


def test_unchanged_recipe_gives_the_source_outputs():
    source = trained(kgraphs.build("image_multitask", compile=False, **SMALL_IMAGE))
    target = kgraphs.build("image_multitask", compile=False, **SMALL_IMAGE)
    report = kgraphs.transfer_weights(source, target)
    assert report.counts() == {"copied": 4, "changed": 0, "new": 0, "dropped": 0}
    data = kgraphs.example_data(source, batch_size=4)[0]
    for expected, given in zip(
        source.predict(data, verbose=0), target.predict(data, verbose=0), strict=True
    ):
        np.testing.assert_array_equal(expected, given)


@ONCE
def test_keras_position_loading_misplaces_what_transfer_gets_right(tmp_path):
    """Keras 3 loads a weights file by position: one inserted layer and `skip_mismatch=True`
    leave the head without its trained weights, silently. The transfer gives them back."""
    recipe = graph_of("image_multitask", **SMALL_IMAGE)
    edited = inserted_dense(recipe)
    node(edited, "extra")["args"]["units"] = 4  # so by position, shapes line up wrongly
    source = trained(kgraphs.build(recipe, compile=False))
    source.save_weights(tmp_path / "old.weights.h5")
    by_position = kgraphs.build(edited, compile=False)
    with pytest.warns(UserWarning):
        by_position.load_weights(tmp_path / "old.weights.h5", skip_mismatch=True)
    by_layer = kgraphs.build(edited, compile=False)
    kgraphs.transfer_weights(source, by_layer)
    kernel = source.get_layer("bounding_box").weights[0].numpy()
    assert not np.array_equal(by_position.get_layer("bounding_box").weights[0].numpy(), kernel)
    np.testing.assert_array_equal(by_layer.get_layer("bounding_box").weights[0].numpy(), kernel)


@ONCE
def test_shared_layers_and_nested_models_are_copied_once():
    def siamese():
        """A nested encoder model called on both sides, and a head: Keras's Siamese shape."""
        tokens = keras.Input((6,), dtype="int32", name="tokens")
        embedded = layers.Embedding(50, 8, name="embedding")(tokens)
        encoder = keras.Model(tokens, layers.LSTM(4, name="lstm")(embedded), name="encoder")
        a = keras.Input((6,), dtype="int32", name="a")
        b = keras.Input((6,), dtype="int32", name="b")
        joined = layers.Concatenate(name="joined")([encoder(a), encoder(b)])
        return keras.Model([a, b], layers.Dense(1, name="score")(joined))

    source, target = trained(siamese()), siamese()
    report = kgraphs.transfer_weights(source, target)
    graph = layer_graph(source)  # nested models opened: `encoder/...` keys
    assert [layer.key for layer in report.copied] == [
        key for key, layer in graph.objects.items() if layer.weights
    ]
    assert any("/" in layer.key for layer in report.copied)
    assert not report.new and not report.changed and not report.dropped
    data = kgraphs.example_data(source, batch_size=4)[0]
    np.testing.assert_array_equal(source.predict(data, verbose=0), target.predict(data, verbose=0))


def test_batch_normalization_statistics_and_adapted_state_are_carried():
    source = trained(
        kgraphs.build("residual_cnn", compile=False, batch_norm=True, input_shape=[16, 16, 3])
    )
    target = kgraphs.build(
        "residual_cnn", compile=False, batch_norm=True, input_shape=[16, 16, 3], num_classes=4
    )
    kgraphs.transfer_weights(source, target)
    for layer in source.layers:
        if isinstance(layer, layers.BatchNormalization):
            assert not np.allclose(layer.moving_mean.numpy(), 0)  # trained: not the initial 0
            assert_same_weights(source, target, layer.name)

    def normalized():
        inputs = keras.Input((3,))
        norm = layers.Normalization(name="norm")
        return keras.Model(inputs, layers.Dense(2, name="out")(norm(inputs))), norm

    source, norm = normalized()
    norm.adapt(np.array([[1.0, 10.0, 100.0], [3.0, 30.0, 300.0]], "float32"))
    target, _ = normalized()
    kgraphs.transfer_weights(source, target)
    mean = keras.ops.convert_to_numpy(target.get_layer("norm").mean)
    np.testing.assert_array_equal(mean, [[2.0, 20.0, 200.0]])


def auto_named(*units):
    inputs = keras.Input((8,))
    x = inputs
    for width in units:
        x = layers.Dense(width, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(2)(x))


@ONCE
def test_auto_named_layers_pair_by_class_arguments_and_shapes():
    source = auto_named(16, 32)
    target = auto_named(16, 24, 32)  # a Dense(24) inserted: nothing ambiguous about it
    report = kgraphs.transfer_weights(source, target)
    assert [layer.status for layer in report.layers] == ["copied", "new", "changed", "copied"]


@ONCE
def test_ambiguous_layers_are_refused_with_their_candidates_and_nothing_copied():
    source = auto_named(16, 16)
    target = auto_named(16, 16, 16)  # which Dense(16 -> 16) is the new one?
    before = [variable.numpy().copy() for variable in target.weights]
    with pytest.raises(ConfigError) as raised:
        kgraphs.transfer_weights(source, target)
    (location, message), *_ = raised.value.problems
    assert location.startswith("target.dense")
    assert "could be any of the source's" in message and "renames=" in message
    for variable, value in zip(target.weights, before, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)


@ONCE
def test_strict_refuses_uncopied_layers_unless_allowed():
    source = kgraphs.build("image_multitask", compile=False, **SMALL_IMAGE)
    target = kgraphs.build(
        inserted_dense(graph_of("image_multitask", **SMALL_IMAGE)), compile=False
    )
    before = target.get_layer("conv_1").weights[0].numpy().copy()
    with pytest.raises(ConfigError) as raised:
        kgraphs.transfer_weights(source, target, strict=True)
    assert [location for location, _ in raised.value.problems] == [
        "target.extra",
        "target.class_label",
    ]
    np.testing.assert_array_equal(target.get_layer("conv_1").weights[0].numpy(), before)
    report = kgraphs.transfer_weights(
        source, target, strict=True, allow_new=["extra", "class_label"]
    )
    assert report.counts()["copied"] == 3


@ONCE
@pytest.mark.parametrize(
    ("source", "location", "message"),
    [
        (42, "source", "expected a keras.Model, a .keras file, or a recipe"),
        ("old.weights.h5", "source", "holds weights by position"),
        ("missing.keras", "(file)", "no such .keras file"),
        ("lambda.keras", "(file)", "Keras cannot load it in safe mode"),
        ("image_multitask", "source_weights", "needs its .weights.h5 file"),
    ],
)
def test_bad_sources_are_config_errors(source, location, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inputs = keras.Input((2,))
    save_model(keras.Model(inputs, layers.Lambda(lambda x: x * 2)(inputs)), "lambda.keras")
    target = kgraphs.build("ticket_priority", compile=False)
    with pytest.raises(ConfigError) as raised:
        kgraphs.transfer_weights(source, target)
    assert [(where, text) for where, text in raised.value.problems if message in text] == [
        (location, next(text for _, text in raised.value.problems if message in text))
    ]


@ONCE
def test_a_recipe_with_its_weights_file_is_a_source(tmp_path):
    source = trained(kgraphs.build("ticket_priority", compile=False, vocab_size=500))
    source.save_weights(tmp_path / "old.weights.h5")
    target = kgraphs.build("ticket_priority", compile=False, vocab_size=500, num_priorities=3)
    report = kgraphs.transfer_weights(
        {"version": 1, "architecture": "ticket_priority", "config": {"vocab_size": 500}},
        target,
        source_weights=tmp_path / "old.weights.h5",
    )
    assert report.counts() == {"copied": 3, "changed": 1, "new": 0, "dropped": 0}
    assert_same_weights(source, target, "text_lstm")


def test_build_carries_weights_and_freezes_the_copied_layers(tmp_path, capsys):
    source = trained(kgraphs.build("image_multitask", compile=False, **SMALL_IMAGE))
    save_model(source, tmp_path / "old.keras")
    model = kgraphs.build(
        "image_multitask",
        weights_from=tmp_path / "old.keras",
        freeze="copied",
        num_classes=3,
        **SMALL_IMAGE,
    )
    printed = capsys.readouterr().out
    assert printed.startswith(f"weights from {tmp_path / 'old.keras'}: 3 copied, 1 changed")
    assert [layer.name for layer in model.layers if layer.weights and layer.trainable] == [
        "class_label"
    ]
    assert_same_weights(source, model, "conv_2")
    history = model.fit(*kgraphs.example_data(model, batch_size=4), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert_same_weights(source, model, "conv_2")  # frozen: training left it as copied


@ONCE
def test_the_command_line_builds_with_weights_from_another_folder(tmp_path):
    source = trained(kgraphs.build("image_multitask", compile=False, **SMALL_IMAGE))
    save_model(source, tmp_path / "old.keras")
    result = run_kgraphs(
        "build",
        "image_multitask",
        "--set",
        "config.num_classes=3",
        "--set",
        "config.input_shape=[32,32,3]",
        "--weights-from",
        "old.keras",
        "-o",
        "new.keras",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "3 copied, 1 changed, 0 new, 0 dropped" in result.stdout
    assert "changed  class_label" in result.stdout
    assert result.stdout.rstrip().endswith("wrote new.keras")
    loaded = keras.saving.load_model(tmp_path / "new.keras")
    assert_same_weights(source, loaded, "conv_1")
    bad = run_kgraphs(
        "build", "image_multitask", "--weights-from", "nope.keras", "-o", "x.keras", cwd=tmp_path
    )
    assert bad.returncode == 2 and "no such .keras file" in bad.stderr
    assert not (tmp_path / "x.keras").exists()
