"""With no config, every factory builds the chapter's model exactly."""

import keras
import numpy as np
import pytest
from chapter_models import CHAPTER

import kgraphs


@pytest.fixture(scope="module", params=sorted(CHAPTER))
def pair(request):
    """(kgraphs model, chapter model) for one architecture, built once for this module."""
    chapter_builder, _, _ = CHAPTER[request.param]
    return request.param, getattr(kgraphs, request.param)(), chapter_builder()


# Architectures beyond the chapter, and where their independent reference is.
BEYOND_THE_CHAPTER = {
    "graph": "builds any model: tests/test_real_models.py against the models' own code",
    "decoder_lm": "tests/test_decoder_lm.py, against a decoder written with keras.ops",
}


def test_every_registered_architecture_has_a_reference():
    assert sorted(CHAPTER) == [
        name for name in kgraphs.architectures() if name not in BEYOND_THE_CHAPTER
    ]
    assert set(BEYOND_THE_CHAPTER) <= set(kgraphs.architectures())


def test_parameter_count(pair):
    name, ours, chapter = pair
    assert ours.count_params() == chapter.count_params() == CHAPTER[name][1]


def test_layer_types_in_order(pair):
    _, ours, chapter = pair
    assert [type(layer).__name__ for layer in ours.layers] == [
        type(layer).__name__ for layer in chapter.layers
    ]


def test_weight_shapes_in_order(pair):
    _, ours, chapter = pair
    assert [w.shape for w in ours.weights] == [w.shape for w in chapter.weights]


def test_chapter_names_are_kept(pair):
    name, ours, _ = pair
    names = {layer.name for layer in ours.layers}
    assert set(CHAPTER[name][2]) <= names
    assert ours.name == name


def test_same_outputs_with_copied_weights(pair):
    _, ours, chapter = pair
    for our_layer, chapter_layer in zip(ours.layers, chapter.layers, strict=True):
        our_layer.set_weights(chapter_layer.get_weights())
    inputs, _ = kgraphs.example_data(ours, batch_size=3, seed=1)
    as_list = [inputs[tensor.name] for tensor in ours.inputs]
    expected = keras.tree.flatten(chapter(as_list if len(as_list) > 1 else as_list[0]))
    got = keras.tree.flatten(ours(as_list))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-6, atol=1e-6)


def test_output_structure_matches_the_chapter(pair):
    _, ours, chapter = pair
    inputs, _ = kgraphs.example_data(ours, batch_size=2)
    as_list = [inputs[tensor.name] for tensor in ours.inputs]
    ours_out = ours.predict(inputs, verbose=0)
    chapter_out = chapter.predict(as_list if len(as_list) > 1 else as_list[0], verbose=0)
    assert type(ours_out) is type(chapter_out)


def test_names_are_deterministic_and_descriptive(pair):
    name, ours, _ = pair
    again = getattr(kgraphs, name)()
    assert [layer.name for layer in again.layers] == [layer.name for layer in ours.layers]
    # No Keras auto-names such as "dense_3": every layer is named by kgraphs.
    assert not any(
        layer.name.rsplit("_", 1)[-1].isdigit()
        and layer.name.split("_")[0]
        in {"dense", "conv2d", "lstm", "embedding", "concatenate", "add", "activation", "flatten"}
        for layer in ours.layers
    )
