"""Collapsed diagrams of every shipped recipe and four keras.applications models.

The keras.io models of `real_models.py` are drawn the same way.
Each picture is drawn by real Graphviz and read back from its SVG: it must be non-empty, fit
a screen (at most 40 boxes, 4000 px on the long side at 96 dpi), name every group it draws,
and be the quotient of the model's layer graph: its edges are exactly the edges between the
boxes' layers, as Keras's own `model_to_dot(expand_nested=True)` draws them.
"""

from __future__ import annotations

import html
import re
import struct
from pathlib import Path

import keras
import pytest
from real_models import MODELS

import kgraphs
from kgraphs.drawing.collapsed import MAX_BOXES, MAX_SCREEN_PX, SCREEN_DPI, collapsed
from kgraphs.drawing.graphviz import MAX_RASTER_PX, RenderError, render
from kgraphs.drawing.grouping import group_tree
from kgraphs.drawing.plot import _layers
from kgraphs.drawing.view import Frame, view
from kgraphs.introspection.layer_graph import layer_graph
from kgraphs.util.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
RECIPES = sorted(
    str(path.relative_to(ROOT))
    for path in (ROOT / "recipes").rglob("*")
    if path.suffix in {".yaml", ".json", ".toml"}
)
APPLICATIONS = ["ResNet50", "DenseNet121", "InceptionV3", "MobileNetV2"]
# A picture is drawn from a model's layers and their connections, which the backend does not
# change: test_structure_only and test_graph check, on each backend, that what kgraphs builds is
# the model Keras builds. Drawn on JAX too, the applications took 5 to 10 s a build there.
pytestmark = pytest.mark.backend_independent(
    reason="drawings of layers and connections, which no backend changes"
)
KERAS_IO = [f"keras.io:{name}" for name in MODELS]  # models written by others


@pytest.fixture(scope="module")
def models(application):
    built = {}

    def get(name):
        if name in APPLICATIONS:
            return application(name)  # shared: tests/conftest.py
        if name not in built:
            if name in KERAS_IO:
                built[name] = MODELS[name.split(":", 1)[1]][0]()[0]
            else:
                built[name] = kgraphs.build(name, compile=False, weights=False)
        return built[name]

    return get


def keras_edges(model, prefix: str = "") -> set[tuple[str, str]]:
    """The edges of Keras's own full drawing, with its `id(layer)` nodes named by layer key.

    Keras's drawing of a model leaves out the inside of a nested model that is called more
    than once (two_tower_retrieval's tower); each nested model's own drawing has them.
    """
    names = {str(id(layer)): prefix + key for layer, key in _layers(model)}
    dot = keras.utils.model_to_dot(model, expand_nested=True)
    edges = {(names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges()}
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            edges |= keras_edges(layer, prefix=f"{prefix}{layer.name}/")
    return edges


def svg_graph(svg: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The node names and edges of a Graphviz SVG."""
    nodes = set(re.findall(r'<g id="node\d+" class="node">\s*<title>(.*?)</title>', svg))
    edges = re.findall(r'<g id="edge\d+" class="edge">\s*<title>(.*?)</title>', svg)
    return {html.unescape(node) for node in nodes}, {
        tuple(html.unescape(edge).split("->")) for edge in edges
    }


def frame_labels(items) -> list[str]:
    labels = []
    for item in items:
        if isinstance(item, Frame):
            labels += [item.group.label, *frame_labels(item.items)]
    return labels


@pytest.mark.slow
@pytest.mark.parametrize("rankdir", ["TB", "LR"])
@pytest.mark.parametrize("name", APPLICATIONS + RECIPES + KERAS_IO)
def test_default_picture_fits_a_screen_and_is_the_quotient_graph(models, name, rankdir):
    model = models(name)
    graph = layer_graph(model)
    drawn, source = collapsed(graph, rankdir=rankdir, show_params=True)
    svg = render(source, "svg", dpi=SCREEN_DPI).decode()

    nodes, edges = svg_graph(svg)
    assert nodes == set(drawn.boxes)  # every box drawn, nothing else
    assert len(nodes) <= MAX_BOXES
    width, height = (
        float(v) for v in re.search(r'viewBox="0\.00 0\.00 (\S+) (\S+)"', svg).groups()
    )
    assert max(width, height) * SCREEN_DPI / 72 <= MAX_SCREEN_PX  # SVG units are points

    # Boxes partition the layers; each picture edge is some layer edge between two boxes.
    members = [layer for box in drawn.boxes.values() for layer in box.layers]
    assert sorted(members) == sorted(graph.layers)
    assert graph.total_parameters() == model.count_params()
    reference = keras_edges(model)
    assert {
        (drawn.box_of[a], drawn.box_of[b])
        for a, b in reference
        if drawn.box_of[a] != drawn.box_of[b]
    } == edges

    text = html.unescape(svg)
    for label in [box.label for box in drawn.boxes.values()] + frame_labels(drawn.top):
        assert label in text


@pytest.mark.slow
@pytest.mark.parametrize("rankdir", ["TB", "LR"])
@pytest.mark.parametrize("name", APPLICATIONS)
def test_default_png_is_within_graphviz_limits(models, name, rankdir):
    data = kgraphs.plot(models(name), format="png", rankdir=rankdir).data
    width, height = struct.unpack(">II", data[16:24])  # the PNG header's IHDR chunk
    assert 100 < max(width, height) <= MAX_RASTER_PX
    assert len(data) > 10_000


@pytest.mark.parametrize(
    ("name", "depth", "expected"),
    [
        ("ResNet50", 2, ["conv3_block2..4, 3 x the same structure", "conv4_block1"]),
        ("DenseNet121", 2, ["conv2_block1..6, 6 x the same structure", "pool4_pool"]),
        ("InceptionV3", 1, ["mixed5..6, 2 x the same structure", "mixed8"]),
        ("MobileNetV2", 2, ["block_14..15, 2 x the same structure"]),
    ],
)
def test_applications_open_at_their_stages(models, name, depth, expected):
    graph = layer_graph(models(name))
    drawn, _ = collapsed(graph)
    assert drawn.boxes.keys() == view(group_tree(graph), graph, depth=depth).boxes.keys()
    labels = [box.label for box in drawn.boxes.values()]
    assert all(label in labels for label in expected), labels


def test_every_depth_is_a_quotient_with_convex_boxes(models):
    graph = layer_graph(models("ResNet50"))
    tree = group_tree(graph)
    reference = keras_edges(models("ResNet50"))
    successors = graph.successors()
    for depth in range(1, tree.height() + 2):
        drawn = view(tree, graph, depth=depth)
        expected = {
            (drawn.box_of[a], drawn.box_of[b])
            for a, b in reference
            if drawn.box_of[a] != drawn.box_of[b]
        }
        assert set(drawn.edges) == expected
        for box in drawn.boxes.values():  # no path leaves a box and comes back
            inside = set(box.layers)
            frontier = [t for layer in inside for t in successors[layer] if t not in inside]
            seen = set(frontier)
            while frontier:
                for target in successors[frontier.pop()]:
                    assert target not in inside, (depth, box.label)
                    if target not in seen:
                        seen.add(target)
                        frontier.append(target)
    assert len(view(tree, graph, depth=tree.height() + 1).boxes) == len(graph.layers)


def test_depth_none_draws_every_layer(models):
    model = models("ResNet50")
    nodes, edges = svg_graph(kgraphs.plot(model, depth=None).data.decode())
    assert len(nodes) == len(model.layers) == 177
    assert len(edges) == len(keras_edges(model)) == 192


def test_full_png_past_the_raster_limit_is_refused_with_what_to_do(models, tmp_path):
    target = tmp_path / "resnet50.png"
    with pytest.raises(ConfigError, match="past Graphviz's 32767 px limit") as caught:
        kgraphs.plot(models("ResNet50"), target, depth=None)
    assert "depth='auto'" in str(caught.value) and "dpi=" in str(caught.value)
    assert not target.exists()


def test_empty_drawing_is_an_error_not_an_empty_file():
    with pytest.raises(RenderError, match="the SVG has no boxes"):
        render("digraph { }", "svg", dpi=96)
    with pytest.raises(RenderError, match="syntax error"):
        render("digraph { a -> }", "png", dpi=96)


def test_unnamed_layers_inside_a_group_join_it_and_interleaved_groups_dissolve():
    inputs = keras.Input((8,), name="features")
    first = keras.layers.Dense(8, name="block1_first")(inputs)
    added = keras.layers.Add()([inputs, first])  # unnamed, between block1's layers
    second = keras.layers.Dense(8, name="block1_second")(added)
    head = keras.layers.Dense(4, name="head_in")(second)
    middle = keras.layers.Dense(4, name="middle")(head)  # named: head_* is not one group
    out = keras.layers.Dense(2, name="head_out")(middle)
    graph = layer_graph(keras.Model(inputs, out))
    tree = group_tree(graph)
    labels = [child.label if hasattr(child, "label") else child for child in tree.children]
    assert labels == ["features", "block1", "head_in", "middle", "head_out"]
    block = tree.children[1]
    assert list(block.layers()) == [
        "block1_first",
        added._keras_history.operation.name,
        "block1_second",
    ]
