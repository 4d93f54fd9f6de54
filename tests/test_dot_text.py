"""`kgraphs.drawing.dot_text`: the exact Graphviz source of a view, box by box.

The layer graphs and views here are written by hand (plain data, no model), so every count,
shape and colour in the expected text is known in advance.
"""

import pytest

from kgraphs.drawing.dot_text import (
    HIGHLIGHT_COLOURS,
    HIGHLIGHT_FILLS,
    SHARED_COLOUR,
    boundary_shapes,
    dot_text,
    quote,
)
from kgraphs.drawing.grouping import Group
from kgraphs.drawing.style import DEFAULT_STYLE, Style
from kgraphs.drawing.view import Box, Frame, View
from kgraphs.introspection.layer_graph import LayerGraph, LayerInfo

pytestmark = pytest.mark.backend_independent(
    reason="hand-written layer graphs: no model is built and no backend computes"
)

HEADER = (
    "digraph {\n"
    '  graph [rankdir=TB, nodesep=0.3, ranksep=0.35, fontname="Helvetica"];\n'
    '  node [shape=plaintext, fontname="Helvetica", fontsize=11];\n'
    '  edge [color="#495057", arrowsize=0.7];\n'
)
TABLE = '<table border="1" cellborder="0" cellspacing="0" cellpadding="3" '
SMALL = '<tr><td><font point-size="9">'


def info(key, class_name, *, parameters=0, calls=1, shapes=("", ""), **more):
    values = {
        "name": key,
        "activation": None,
        "trainable": True,
        "dtype": "float32",
        "arguments": {},
        "model": "",
        "auto_named": False,
    } | more
    return LayerInfo(
        key=key,
        class_name=class_name,
        parameters=parameters,
        calls=calls,
        input_shape=shapes[0],
        output_shape=shapes[1],
        **values,
    )


def small_graph() -> LayerGraph:
    """text (None, 10) -> embed (shared, 640) -> dense (relu, 1,234,567) -> head (33)."""
    layers = [
        info("text", "InputLayer", shapes=("(None, 10)", "(None, 10)")),
        info("embed", "Embedding", parameters=640, calls=2, shapes=("(None, 10)", "(None, 10, 8)")),
        info(
            "dense",
            "Dense",
            parameters=1_234_567,
            activation="relu",
            trainable=False,
            shapes=("(None, 10, 8)", "(None, 10, 32)"),
        ),
        info(
            "head", "Dense", parameters=33, activation="linear", shapes=("(None, 32)", "(None, 1)")
        ),
    ]
    return LayerGraph(
        name="small",
        layers={layer.key: layer for layer in layers},
        edges=[("text", "embed"), ("embed", "dense"), ("dense", "head")],
        output_layers=["head"],
    )


def every_layer(graph: LayerGraph) -> View:
    boxes = {key: Box(id=key, kind="layer", label=key, layers=[key]) for key in graph.layers}
    return View(boxes=boxes, top=list(boxes), edges=list(graph.edges), box_of={k: k for k in boxes})


def layer_label(graph, key, style=DEFAULT_STYLE, highlight=None):
    """The label of one layer's box, as it stands in the DOT text of every layer drawn."""
    text = dot_text(graph, every_layer(graph), style=style, highlight=highlight)
    (line,) = [line for line in text.splitlines() if line.startswith(f'  "{key}" [label=<')]
    return line.removeprefix(f'  "{key}" [label=<').removesuffix(">];")


@pytest.mark.parametrize(
    ("key", "style", "expected"),
    [
        pytest.param(
            "text",
            Style(),
            TABLE + 'bgcolor="white" color="#868e96">'
            "<tr><td><b>text</b> (InputLayer)</td></tr>"
            # An input has nothing coming in: its output shape only.
            f"{SMALL}(None, 10)</font></td></tr></table>",
            id="input: output shape only",
        ),
        pytest.param(
            "dense",
            Style(),
            TABLE + 'bgcolor="white" color="#868e96">'
            "<tr><td><b>dense</b> (Dense)</td></tr>"
            f"{SMALL}Activation: relu</font></td></tr>"
            f"{SMALL}(None, 10, 8) → (None, 10, 32)</font></td></tr></table>",
            id="default: name, class, activation, shapes",
        ),
        pytest.param(
            "head",
            Style(),
            TABLE + 'bgcolor="white" color="#868e96">'
            "<tr><td><b>head</b> (Dense)</td></tr>"
            f"{SMALL}(None, 32) → (None, 1)</font></td></tr></table>",
            id="a linear activation is not shown",
        ),
        pytest.param(
            "dense",
            Style(show_params=True, show_dtype=True, show_trainable=True, show_shapes=False),
            TABLE + 'bgcolor="white" color="#868e96">'
            "<tr><td><b>dense</b> (Dense)</td></tr>"
            f"{SMALL}Activation: relu · 1,234,567 params · dtype: float32 · frozen"
            "</font></td></tr></table>",
            id="params, dtype and trainable in one row",
        ),
        pytest.param(
            "dense",
            Style(show_layer_names=False, show_layer_activations=False, show_shapes=False),
            TABLE + 'bgcolor="white" color="#868e96"><tr><td><b>Dense</b></td></tr></table>',
            id="class only",
        ),
        pytest.param(
            "embed",
            Style(show_params=True),
            TABLE + f'bgcolor="white" color="{SHARED_COLOUR}">'
            "<tr><td><b>embed</b> (Embedding)</td></tr>"
            f"{SMALL}640 params</font></td></tr>"
            f"{SMALL}(None, 10) → (None, 10, 8)</font></td></tr>"
            f'<tr><td bgcolor="{SHARED_COLOUR}"><font color="white" point-size="9">'
            "<b>shared: 2 calls</b></font></td></tr></table>",
            id="shared layer: orange border and row",
        ),
    ],
)
def test_layer_box_label(key, style, expected):
    assert layer_label(small_graph(), key, style) == expected


@pytest.mark.parametrize("status", ["added", "removed", "changed"])
def test_a_highlighted_layer_is_filled_and_bordered_in_its_colour(status):
    label = layer_label(small_graph(), "embed", highlight={"embed": status})
    # The highlight colour wins over the shared layer's orange border.
    assert label.startswith(
        TABLE + f'bgcolor="{HIGHLIGHT_FILLS[status]}" color="{HIGHLIGHT_COLOURS[status]}">'
    )
    assert "<b>shared: 2 calls</b>" in label


def test_highlight_colours_are_the_legends():
    assert HIGHLIGHT_COLOURS == {"added": "#2f9e44", "removed": "#e03131", "changed": "#f08c00"}
    assert HIGHLIGHT_FILLS == {"added": "#ebfbee", "removed": "#fff5f5", "changed": "#fff9db"}
    text = dot_text(small_graph(), every_layer(small_graph()), highlight={"head": "added"})
    assert text.endswith(
        '  graph [label=<<table border="0" cellspacing="4"><tr>'
        '<td bgcolor="#ebfbee"><font color="#2f9e44"><b>added</b></font></td>'
        '<td bgcolor="#fff5f5"><font color="#e03131"><b>removed</b></font></td>'
        '<td bgcolor="#fff9db"><font color="#f08c00"><b>changed</b></font></td>'
        "</tr></table>>, labelloc=b];\n}\n"
    )


def test_whole_text_of_every_layer_drawn():
    graph = small_graph()
    text = dot_text(graph, every_layer(graph), style=Style(rankdir="LR", show_shapes=False))
    white = TABLE + 'bgcolor="white" color="#868e96">'
    assert text == (
        HEADER.replace("rankdir=TB", "rankdir=LR")
        + f'  "text" [label=<{white}<tr><td><b>text</b> (InputLayer)</td></tr></table>>];\n'
        + f'  "embed" [label=<{TABLE}bgcolor="white" color="{SHARED_COLOUR}">'
        "<tr><td><b>embed</b> (Embedding)</td></tr>"
        f'<tr><td bgcolor="{SHARED_COLOUR}"><font color="white" point-size="9">'
        "<b>shared: 2 calls</b></font></td></tr></table>>];\n"
        + f'  "dense" [label=<{white}<tr><td><b>dense</b> (Dense)</td></tr>'
        f"{SMALL}Activation: relu</font></td></tr></table>>];\n"
        + f'  "head" [label=<{white}<tr><td><b>head</b> (Dense)</td></tr></table>>];\n'
        '  "text" -> "embed";\n'
        '  "embed" -> "dense";\n'
        '  "dense" -> "head";\n'
        "}\n"
    )


def collapsed(graph: LayerGraph, *, open_frame: bool, shared_calls: int = 1) -> View:
    """text, then `encoder` (embed and dense) as one box or an open frame, then head."""
    encoder = Group(key="encoder", label="encoder", kind="name", children=["embed", "dense"])
    encoder.shared_calls = shared_calls
    boxes = {key: Box(id=key, kind="layer", label=key, layers=[key]) for key in ("text", "head")}
    if open_frame:
        boxes |= {k: Box(id=k, kind="layer", label=k, layers=[k]) for k in ("embed", "dense")}
        top = ["text", Frame(group=encoder, items=["embed", "dense"]), "head"]
        box_of = {key: key for key in graph.layers}
        edges = list(graph.edges)
    else:
        boxes["group:encoder"] = Box(
            id="group:encoder",
            kind="group",
            label="encoder",
            layers=["embed", "dense"],
            groups=[encoder],
        )
        top = ["text", "group:encoder", "head"]
        box_of = {"text": "text", "embed": "group:encoder", "dense": "group:encoder"}
        box_of["head"] = "head"
        edges = [("text", "group:encoder"), ("group:encoder", "head")]
    return View(boxes=boxes, top=top, edges=edges, box_of=box_of)


def box_line(text: str, box_id: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(f"  {quote(box_id)} [")]
    return line


def test_collapsed_group_box_counts_its_layers_and_parameters_and_shows_boundary_shapes():
    graph = small_graph()
    line = box_line(dot_text(graph, collapsed(graph, open_frame=False)), "group:encoder")
    assert line == (
        '  "group:encoder" [label=<' + TABLE + 'style="rounded" bgcolor="#e7f5ff" color="#1c7ed6">'
        "<tr><td><b>encoder</b></td></tr>"
        # 640 + 1,234,567 parameters; text's (None, 10) enters, dense's (None, 10, 32) leaves.
        f"{SMALL}2 layers · 1,235,207 params</font></td></tr>"
        f"{SMALL}(None, 10) → (None, 10, 32)</font></td></tr></table>>];"
    )


def test_a_shared_group_box_gets_the_shared_row_and_a_highlight_its_colour():
    graph = small_graph()
    drawn = collapsed(graph, open_frame=False, shared_calls=3)
    line = box_line(dot_text(graph, drawn, highlight={"dense": "removed"}), "group:encoder")
    assert 'style="rounded" bgcolor="#fff5f5" color="#e03131">' in line
    assert line.endswith(
        f'<tr><td bgcolor="{SHARED_COLOUR}"><font color="white" point-size="9">'
        "<b>shared: 3 calls</b></font></td></tr></table>>];"
    )
    # Layers with different statuses make the group "changed".
    mixed = dot_text(graph, drawn, highlight={"dense": "removed", "embed": "added"})
    assert 'bgcolor="#fff9db" color="#f08c00">' in box_line(mixed, "group:encoder")


def test_a_run_box_is_filled_darker_than_a_group():
    graph = small_graph()
    drawn = collapsed(graph, open_frame=False)
    drawn.boxes["group:encoder"].kind = "run"
    assert 'bgcolor="#d0ebff" color="#1c7ed6">' in box_line(dot_text(graph, drawn), "group:encoder")


def test_open_group_is_a_cluster_framing_its_layers():
    graph = small_graph()
    text = dot_text(graph, collapsed(graph, open_frame=True, shared_calls=2))
    lines = text.splitlines()
    start = lines.index("  subgraph cluster_0 {")
    assert lines[start + 1] == (
        '    label=<<b>encoder</b><br/><font point-size="9">2 layers · 1,235,207 params · '
        f'<font color="{SHARED_COLOUR}"><b>shared: 2 calls</b></font></font>>; labeljust=l; '
        'style="rounded"; color="#74c0fc"; fontname="Helvetica"; fontsize=11;'
    )
    assert lines[start + 2].startswith('    "embed" [label=<')
    assert lines[start + 3].startswith('    "dense" [label=<')
    assert lines[start + 4] == "  }"
    highlighted = dot_text(graph, collapsed(graph, open_frame=True), highlight={"embed": "added"})
    assert 'style="rounded"; color="#2f9e44";' in highlighted


@pytest.mark.parametrize(
    ("statuses", "attributes"),
    [
        ({"added"}, ' [color="#2f9e44", style=solid, penwidth=1.6]'),
        ({"removed"}, ' [color="#e03131", style=dashed, penwidth=1.6]'),
        ({"changed"}, ' [color="#f08c00", style=solid, penwidth=1.6]'),
    ],
)
def test_an_edge_whose_layer_edges_all_have_one_status_is_coloured(statuses, attributes):
    graph = small_graph()
    (status,) = statuses
    text = dot_text(graph, every_layer(graph), edge_highlight={("dense", "head"): status})
    assert f'  "dense" -> "head"{attributes};' in text.splitlines()
    assert '  "text" -> "embed";' in text.splitlines()


def test_a_drawn_edge_with_mixed_layer_edges_stays_plain():
    graph = small_graph()
    drawn = collapsed(graph, open_frame=False)
    # text -> encoder holds one layer edge; encoder -> head one; color only where all agree.
    text = dot_text(graph, drawn, edge_highlight={("text", "embed"): "added"})
    assert '  "text" -> "group:encoder" [color="#2f9e44", style=solid, penwidth=1.6];' in text
    graph.edges.append(("text", "dense"))  # a second, unmarked layer edge behind the same box edge
    text = dot_text(graph, drawn, edge_highlight={("text", "embed"): "added"})
    assert '  "text" -> "group:encoder";' in text.splitlines()


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("dense", '"dense"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('end\\"', '"end\\\\\\""'),
        ("group:a/b", '"group:a/b"'),
    ],
)
def test_quote_escapes_backslashes_then_quotes(name, quoted):
    assert quote(name) == quoted


def test_names_with_quotes_backslashes_and_markup_are_escaped_in_ids_and_labels():
    odd = 'a<b>&"c\\'
    graph = LayerGraph(
        name="odd",
        layers={odd: info(odd, "Dense", shapes=("(None, 2)", "(None, 1)"))},
        edges=[],
        output_layers=[odd],
    )
    text = dot_text(graph, every_layer(graph))
    assert (
        '  "a<b>&\\"c\\\\" [label=<'
        + TABLE
        + 'bgcolor="white" color="#868e96"><tr><td><b>a&lt;b&gt;&amp;&quot;c\\</b> (Dense)</td>'
        f"</tr>{SMALL}(None, 2) → (None, 1)</font></td></tr></table>>];"
    ) in text.splitlines()


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"text"}, ("(None, 10)", "(None, 10)")),
        ({"embed", "dense"}, ("(None, 10)", "(None, 10, 32)")),
        ({"head"}, ("(None, 10, 32)", "(None, 1)")),
        (set(), ("?", "?")),
    ],
)
def test_boundary_shapes(members, expected):
    assert boundary_shapes(small_graph(), members) == expected


def test_boundary_shapes_list_three_distinct_shapes_then_a_count():
    sources = [info(f"in{i}", "InputLayer", shapes=("", f"(None, {i})")) for i in range(1, 6)]
    concat = info("concat", "Concatenate", shapes=("", "(None, 15)"))
    graph = LayerGraph(
        name="wide",
        layers={layer.key: layer for layer in [*sources, concat]},
        edges=[(layer.key, "concat") for layer in sources] + [("in1", "concat")],
        output_layers=["concat"],
    )
    entering, leaving = boundary_shapes(graph, {"concat"})
    assert entering == "(None, 1), (None, 2), (None, 3), … (5)"
    assert leaving == "(None, 15)"
