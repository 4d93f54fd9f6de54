"""The Graphviz source of a diagram view: HTML-like labels, frames, edges and colours.

Boxes show what a reader needs to follow the model: a layer's name and class, activation,
shapes in and out, and optionally its parameter count; a collapsed group its name, its
number of layers and parameters, and the shapes entering and leaving it. Shared layers (and
shared nested models) get an orange "shared: N calls" row; a diff's added, removed and
changed layers are coloured, and so are the groups holding them.
"""

from __future__ import annotations

import html

from kgraphs.drawing.grouping import Group
from kgraphs.drawing.style import DEFAULT_STYLE, Style
from kgraphs.drawing.view import Box, Frame, View
from kgraphs.introspection.layer_graph import LayerGraph, LayerInfo

SHARED_COLOUR = "#e8590c"
HIGHLIGHT_COLOURS = {"added": "#2f9e44", "removed": "#e03131", "changed": "#f08c00"}
HIGHLIGHT_FILLS = {"added": "#ebfbee", "removed": "#fff5f5", "changed": "#fff9db"}
GROUP_FILL = "#e7f5ff"
RUN_FILL = "#d0ebff"
FRAME_COLOUR = "#74c0fc"


def dot_text(
    graph: LayerGraph,
    drawn: View,
    *,
    style: Style = DEFAULT_STYLE,
    highlight: dict[str, str] | None = None,
    edge_highlight: dict[tuple[str, str], str] | None = None,
) -> str:
    """The Graphviz source of one view (no `concentrate`: it merges edges the model has)."""
    highlight = highlight or {}
    lines = [
        "digraph {",
        f'  graph [rankdir={style.rankdir}, nodesep=0.3, ranksep=0.35, fontname="Helvetica"];',
        '  node [shape=plaintext, fontname="Helvetica", fontsize=11];',
        '  edge [color="#495057", arrowsize=0.7];',
    ]
    counter = iter(range(1_000_000))

    def emit(items: list[Frame | str], indent: str) -> None:
        for item in items:
            if isinstance(item, str):  # a box id
                box = drawn.boxes[item]
                label = _box_label(graph, box, style, highlight)
                lines.append(f"{indent}{quote(box.id)} [label=<{label}>];")
            else:  # a Frame: an open group
                lines.append(f"{indent}subgraph cluster_{next(counter)} {{")
                lines.append(f"{indent}  {_frame_attributes(graph, item.group, highlight)}")
                emit(item.items, indent + "  ")
                lines.append(f"{indent}}}")

    emit(drawn.top, "  ")
    edge_colours = _edge_colours(graph, drawn, edge_highlight or {})
    for edge in drawn.edges:
        lines.append(f"  {quote(edge[0])} -> {quote(edge[1])}{edge_colours.get(edge, '')};")
    if highlight or edge_highlight:
        lines.append(f"  graph [label=<{_legend()}>, labelloc=b];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge_colours(
    graph: LayerGraph, drawn: View, edge_highlight: dict[tuple[str, str], str]
) -> dict[tuple[str, str], str]:
    """Attributes of the drawn edges whose layer edges are all added, or all removed."""
    statuses: dict[tuple[str, str], set[str | None]] = {}
    for source, target in graph.edges:
        edge = (drawn.box_for(source), drawn.box_for(target))
        statuses.setdefault(edge, set()).add(edge_highlight.get((source, target)))
    attributes = {}
    for edge, found in statuses.items():
        if len(found) == 1 and None not in found:
            status = found.pop()
            style = "dashed" if status == "removed" else "solid"
            attributes[edge] = (
                f' [color="{HIGHLIGHT_COLOURS[status]}", style={style}, penwidth=1.6]'
            )
    return attributes


def _frame_attributes(graph: LayerGraph, group: Group, highlight: dict[str, str]) -> str:
    layers = list(group.layers())
    title = f"<b>{_escape(group.label)}</b>"
    facts = f"{len(layers)} layers · {_count(layers, graph)} params"
    if group.shared_calls > 1:
        facts += (
            f' · <font color="{SHARED_COLOUR}"><b>shared: {group.shared_calls} calls</b></font>'
        )
    colour = _highlight_of(layers, highlight)
    border = HIGHLIGHT_COLOURS[colour] if colour else FRAME_COLOUR
    return (
        f'label=<{title}<br/><font point-size="9">{facts}</font>>; labeljust=l; '
        f'style="rounded"; color="{border}"; fontname="Helvetica"; fontsize=11;'
    )


def _box_label(graph: LayerGraph, box: Box, style: Style, highlight: dict[str, str]) -> str:
    colour = _highlight_of(box.layers, highlight)
    if box.kind == "outside":
        return (
            '<table border="1" cellborder="0" cellpadding="3" color="#adb5bd" style="dashed">'
            f'<tr><td><font color="#868e96">{_escape(box.label)}</font></td></tr></table>'
        )
    if box.kind == "layer":
        return _layer_label(graph.layers[box.id], style, colour)
    layers = box.layers
    fill = RUN_FILL if box.kind == "run" else GROUP_FILL
    border = HIGHLIGHT_COLOURS[colour] if colour else "#1c7ed6"
    if colour:
        fill = HIGHLIGHT_FILLS[colour]
    rows = [
        f"<tr><td><b>{_escape(box.label)}</b></td></tr>",
        f'<tr><td><font point-size="9">{len(layers)} layers · {_count(layers, graph)} params'
        "</font></td></tr>",
    ]
    shared = [group.shared_calls for group in box.groups if group.shared_calls > 1]
    if style.show_shapes:
        entering, leaving = boundary_shapes(graph, set(layers))
        rows.append(
            f'<tr><td><font point-size="9">{_escape(entering)} → {_escape(leaving)}'
            "</font></td></tr>"
        )
    if shared:
        rows.append(_shared_row(shared[0]))
    return (
        f'<table border="1" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" '
        f'bgcolor="{fill}" color="{border}">' + "".join(rows) + "</table>"
    )


def _layer_label(layer: LayerInfo, style: Style, colour: str | None) -> str:
    title = (
        f"<b>{_escape(layer.name)}</b> ({_escape(layer.class_name)})"
        if style.show_layer_names
        else f"<b>{_escape(layer.class_name)}</b>"
    )
    rows = [f"<tr><td>{title}</td></tr>"]
    facts = []
    if style.show_layer_activations and layer.activation not in (None, "linear"):
        facts.append(f"Activation: {_escape(layer.activation)}")
    if style.show_params:
        facts.append(f"{layer.parameters:,} params")
    if style.show_dtype:
        facts.append(f"dtype: {_escape(layer.dtype)}")
    if style.show_trainable:
        facts.append("trainable" if layer.trainable else "frozen")
    if facts:
        rows.append(f'<tr><td><font point-size="9">{" · ".join(facts)}</font></td></tr>')
    if style.show_shapes:
        shapes = (
            layer.output_shape  # an input has nothing coming in
            if layer.class_name == "InputLayer"
            else f"{layer.input_shape} → {layer.output_shape}"
        )
        rows.append(f'<tr><td><font point-size="9">{_escape(shapes)}</font></td></tr>')
    if layer.calls > 1:
        rows.append(_shared_row(layer.calls))
    fill = HIGHLIGHT_FILLS[colour] if colour else "white"
    border = HIGHLIGHT_COLOURS[colour] if colour else "#868e96"
    if layer.calls > 1 and not colour:
        border = SHARED_COLOUR
    return (
        f'<table border="1" cellborder="0" cellspacing="0" cellpadding="3" '
        f'bgcolor="{fill}" color="{border}">' + "".join(rows) + "</table>"
    )


def _shared_row(calls: int) -> str:
    return (
        f'<tr><td bgcolor="{SHARED_COLOUR}"><font color="white" point-size="9">'
        f"<b>shared: {calls} calls</b></font></td></tr>"
    )


def _legend() -> str:
    cells = "".join(
        f'<td bgcolor="{HIGHLIGHT_FILLS[name]}"><font color="{HIGHLIGHT_COLOURS[name]}">'
        f"<b>{name}</b></font></td>"
        for name in HIGHLIGHT_COLOURS
    )
    return f'<table border="0" cellspacing="4"><tr>{cells}</tr></table>'


def boundary_shapes(graph: LayerGraph, members: set[str]) -> tuple[str, str]:
    """The shapes entering and leaving a set of layers, as in `(None, 8) → (None, 4)`."""
    entering: list[str] = []
    leaving: list[str] = []
    for source, target in graph.edges:
        if target in members and source not in members:
            entering.append(graph.layers[source].output_shape)
        if source in members and target not in members:
            leaving.append(graph.layers[source].output_shape)
    for key in graph.layers:  # model order: a set's order changes from process to process
        if key not in members:
            continue
        layer = graph.layers[key]
        if layer.class_name == "InputLayer":
            entering.append(layer.output_shape)
        if key in graph.output_layers:
            leaving.append(layer.output_shape)
    return _shape_list(entering), _shape_list(leaving)


def _shape_list(shapes: list[str]) -> str:
    distinct = list(dict.fromkeys(shapes))
    if not distinct:
        return "?"
    if len(distinct) > 3:
        return ", ".join(distinct[:3]) + f", … ({len(distinct)})"
    return ", ".join(distinct)


def _highlight_of(layers: list[str], highlight: dict[str, str]) -> str | None:
    found = {highlight[key] for key in layers if key in highlight}
    if not found:
        return None
    return found.pop() if len(found) == 1 else "changed"


def _count(layers: list[str], graph: LayerGraph) -> str:
    return f"{sum(graph.layers[key].parameters for key in layers):,}"


def _escape(text: str) -> str:
    return html.escape(str(text), quote=True)


def quote(name: str) -> str:
    """`name` as a quoted Graphviz id (backslashes and quotes escaped)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
