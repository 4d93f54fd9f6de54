"""Regression: `dot_source` (every layer drawn, `depth=None`) replaces only Keras's
`id(layer)` node names by layer names.

It used to rewrite every number of six or more digits in the DOT text, so a shape such as
`(None, 1234567)` in a label was corrupted. Shapes of six and seven digits must now come out
verbatim, in the DOT source and in the SVG Graphviz draws from it, and no id must remain.
"""

import re

import keras
import pytest
from keras import layers

import kgraphs
from kgraphs.drawing.plot import dot_source


@pytest.fixture(scope="module")
def wide_model():
    """Two wide inputs and no large weights: (None, 123456) into a 4-unit Dense, (None,
    1234567) reshaped and averaged; a layer name that ends in seven digits too."""
    six = keras.Input((123_456,), name="six")
    seven = keras.Input((1_234_567,), name="seven")
    a = layers.Dense(4, name="six_dense")(six)
    b = layers.Reshape((1_234_567, 1), name="seven_reshape")(seven)
    b = layers.GlobalAveragePooling1D(name="pool-7654321")(b)
    joined = layers.Concatenate(name="joined")([a, b])
    return keras.Model([six, seven], joined, name="wide")


def layer_ids(model) -> list[str]:
    return [str(id(layer)) for layer in model._operations]


def test_six_and_seven_digit_shapes_stay_verbatim_in_the_dot_source(wide_model):
    source = dot_source(wide_model, show_params=True)
    expected_labels = {
        "six": ["Output shape: <b>(None, 123456)</b>"],
        "seven": ["Output shape: <b>(None, 1234567)</b>"],
        "six_dense": [
            "Input shape: <b>(None, 123456)</b>",
            "Output shape: <b>(None, 4)</b>",
            "493,828 params",  # 123,456 x 4 + 4
        ],
        "seven_reshape": [
            "Input shape: <b>(None, 1234567)</b>",
            "Output shape: <b>(None, 1234567, 1)</b>",
        ],
        "pool-7654321": [
            "Input shape: <b>(None, 1234567, 1)</b>",
            "Output shape: <b>(None, 1)</b>",
        ],
    }
    for name, texts in expected_labels.items():
        (line,) = [line for line in source.splitlines() if line.startswith(f'"{name}" [label=<')]
        for text in texts:
            assert text in line, (name, text)
    assert source.count("(None, 1234567)") == 2
    assert source.count("(None, 1234567, 1)") == 2
    assert source.count("(None, 123456)") == 2


def test_nodes_and_edges_are_named_by_layer_and_no_id_remains(wide_model):
    source = dot_source(wide_model)
    for layer_id in layer_ids(wide_model):
        assert layer_id not in source
    edges = re.findall(r'^("[^"]+") -> ("[^"]+")', source, flags=re.MULTILINE)
    assert sorted(edges) == sorted(
        [
            ('"seven"', '"seven_reshape"'),
            ('"six"', '"six_dense"'),
            ('"seven_reshape"', '"pool-7654321"'),
            ('"six_dense"', '"joined"'),
            ('"pool-7654321"', '"joined"'),
        ]
    )


def test_the_svg_shows_the_shapes_verbatim(wide_model):
    svg = kgraphs.plot(wide_model, depth=None, format="svg").data.decode("utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts.count("(None, 1234567)") == 2
    assert texts.count("(None, 1234567, 1)") == 2
    assert texts.count("(None, 123456)") == 2
    assert "pool&#45;7654321" in svg or "pool-7654321" in svg
    for layer_id in layer_ids(wide_model):
        assert layer_id not in svg


def test_plot_with_depth_none_and_format_dot_is_the_dot_source(wide_model):
    data = kgraphs.plot(wide_model, depth=None, format="dot").data.decode("utf-8")
    assert data == dot_source(wide_model)
