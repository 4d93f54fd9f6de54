"""Collapsed diagrams: a layer graph drawn with its groups (see `kgraphs.grouping`) as boxes.

`view(tree, graph, depth=N)` decides what is drawn: groups at level N or deeper (the top
level is 1) are single boxes; shallower groups are open frames around their children. A run
of sibling boxes with the same structure (ResNet's `conv3_block2`, `conv3_block3`, ...) is
one box. Edges are the quotient of the layer graph: one edge between two boxes exactly when
some layer of one feeds some layer of the other.

`depth="auto"` picks the deepest view that fits a screen: at most `MAX_BOXES` boxes and at
most `MAX_SCREEN_PX` pixels on the long side at 96 dpi, as Graphviz lays it out.

Example:
    >>> import kgraphs
    >>> from kgraphs.layer_graph import layer_graph
    >>> from kgraphs.grouping import group_tree
    >>> graph = layer_graph(kgraphs.build("recipes/residual_cnn_stages.json"))
    >>> top = view(group_tree(graph), graph, depth=1)
    >>> [box.label for box in top.boxes.values()]
    ['image', 'stem', 'stage1', 'stage2', 'stage3', 'global_pool', 'predictions']
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kgraphs.grouping import Group, group_tree
from kgraphs.layer_graph import LayerGraph, LayerInfo
from kgraphs.rendering import layout_size, render

MAX_BOXES = 40
MAX_SCREEN_PX = 4000
SCREEN_DPI = 96
SHARED_COLOUR = "#e8590c"
HIGHLIGHT_COLOURS = {"added": "#2f9e44", "removed": "#e03131", "changed": "#f08c00"}
HIGHLIGHT_FILLS = {"added": "#ebfbee", "removed": "#fff5f5", "changed": "#fff9db"}
GROUP_FILL = "#e7f5ff"
RUN_FILL = "#d0ebff"
FRAME_COLOUR = "#74c0fc"


@dataclass
class Box:
    """One drawn node: a layer, a collapsed group, or a run of same-structure groups."""

    id: str
    kind: str  # "layer", "group", "run", or "outside" (a neighbour of a group drawn alone)
    label: str
    layers: list[str]
    groups: list[Group] = field(default_factory=list)  # the group, or the run's groups


@dataclass
class Frame:
    """An open group: a labelled frame around its children."""

    group: Group
    items: list[Frame | str] = field(default_factory=list)  # str: a box id


@dataclass
class View:
    """What one diagram draws: its boxes, the frames around them and the quotient edges."""

    boxes: dict[str, Box]
    top: list[Frame | str]
    edges: list[tuple[str, str]]
    box_of: dict[str, str]  # layer key -> box id


def view(tree: Group, graph: LayerGraph, *, depth: int) -> View:
    """The boxes, frames and edges of `graph` drawn with groups below `depth` collapsed."""
    boxes: dict[str, Box] = {}
    box_of: dict[str, str] = {}
    successors = graph.successors()

    def add(box: Box) -> str:
        boxes[box.id] = box
        for layer in box.layers:
            box_of[layer] = box.id
        return box.id

    def items_of(group: Group, level: int) -> list[Frame | str]:
        items: list[Frame | str] = []
        children = group.children
        index = 0
        while index < len(children):
            child = children[index]
            if isinstance(child, str):
                items.append(
                    add(Box(id=child, kind="layer", label=graph.layers[child].name, layers=[child]))
                )
                index += 1
            elif level < depth:
                items.append(Frame(group=child, items=items_of(child, level + 1)))
                index += 1
            else:
                run = _run_from(children, index, graph, successors)
                if len(run) > 1:
                    layers = [layer for member in run for layer in member.layers()]
                    items.append(
                        add(
                            Box(
                                id="run:" + run[0].key,
                                kind="run",
                                label=run_label(run),
                                layers=layers,
                                groups=run,
                            )
                        )
                    )
                else:
                    items.append(
                        add(
                            Box(
                                id="group:" + child.key,
                                kind="group",
                                label=child.label,
                                layers=list(child.layers()),
                                groups=[child],
                            )
                        )
                    )
                index += len(run)
        return items

    top = items_of(tree, 1)
    # Drawn on its own, a group shows the layers just outside it that it connects to.
    for source, target in graph.edges:
        for outside, inside in ((source, target), (target, source)):
            if outside not in box_of and inside in box_of and "outside:" + outside not in boxes:
                stub = Box(
                    id="outside:" + outside,
                    kind="outside",
                    label=graph.layers[outside].name,
                    layers=[],
                )
                boxes[stub.id] = stub
                top.append(stub.id)

    def drawn(key: str) -> str:
        return box_of.get(key, "outside:" + key)

    edges = list(
        dict.fromkeys(
            (drawn(source), drawn(target))
            for source, target in graph.edges
            if (source in box_of or target in box_of) and drawn(source) != drawn(target)
        )
    )
    return View(boxes=boxes, top=top, edges=edges, box_of=box_of)


def _run_from(
    children: list[Group | str], start: int, graph: LayerGraph, successors: dict[str, list[str]]
) -> list[Group]:
    """The longest run of groups from `start` with one structure, each feeding the next."""
    first = children[start]
    run = [first]
    signature = structure_signature(first, graph)
    for child in children[start + 1 :]:
        if not isinstance(child, Group) or structure_signature(child, graph) != signature:
            break
        previous = set(run[-1].layers())
        members = set(child.layers())
        # Only a chain is one box: a parallel branch drawn inside a run would hide an edge.
        if not any(target in members for layer in previous for target in successors[layer]):
            break
        run.append(child)
    return run


def structure_signature(group: Group, graph: LayerGraph) -> str:
    """Layer classes, their arguments (names aside) and their wiring, as one string."""
    layers = list(group.layers())
    index = {key: position for position, key in enumerate(layers)}
    parts = [
        (graph.layers[key].class_name, graph.layers[key].arguments, graph.layers[key].calls)
        for key in layers
    ]
    wiring = sorted(
        (index[source], index[target])
        for source, target in graph.edges
        if source in index and target in index
    )
    return json.dumps([parts, wiring], sort_keys=True, default=str)


def run_label(run: list[Group]) -> str:
    """`conv3_block2..4, 3 x the same structure`."""
    first, last = run[0].label, run[-1].label
    common = re.match(r"(.*?)(\d+)$", first)
    ending = re.match(r"(.*?)(\d+)$", last)
    if common and ending and common.group(1) == ending.group(1):
        span = f"{first}..{ending.group(2)}"
    else:
        span = f"{first} .. {last}"
    return f"{span}, {len(run)} x the same structure"


def box_count(tree: Group, graph: LayerGraph, *, depth: int) -> int:
    return len(view(tree, graph, depth=depth).boxes)


def deepest_depths(tree: Group, graph: LayerGraph) -> Iterator[int]:
    """Depths worth trying, deepest first, each with at most `MAX_BOXES` boxes."""
    for depth in range(tree.height() + 1, 0, -1):
        if depth == 1 or box_count(tree, graph, depth=depth) <= MAX_BOXES:
            yield depth


# -- Graphviz source -------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """What each box shows (the `plot` options that apply to collapsed diagrams)."""

    rankdir: str = "TB"
    show_shapes: bool = True
    show_dtype: bool = False
    show_layer_names: bool = True
    show_layer_activations: bool = True
    show_trainable: bool = False
    show_params: bool = False


def dot_text(
    graph: LayerGraph,
    drawn: View,
    *,
    style: Style = Style(),
    highlight: dict[str, str] | None = None,
    splines: str = "spline",
) -> str:
    """The Graphviz source of one view (no `concentrate`: it merges edges the model has)."""
    highlight = highlight or {}
    lines = [
        "digraph {",
        f"  graph [rankdir={style.rankdir}, splines={splines}, nodesep=0.3, ranksep=0.35, "
        'fontname="Helvetica"];',
        '  node [shape=plaintext, fontname="Helvetica", fontsize=11];',
        '  edge [color="#495057", arrowsize=0.7];',
    ]
    counter = iter(range(1_000_000))

    def emit(items: list[Frame | str], indent: str) -> None:
        for item in items:
            if isinstance(item, Frame):
                lines.append(f"{indent}subgraph cluster_{next(counter)} {{")
                lines.append(f"{indent}  {_frame_attributes(graph, item.group, highlight)}")
                emit(item.items, indent + "  ")
                lines.append(f"{indent}}}")
            else:
                box = drawn.boxes[item]
                label = _box_label(graph, box, style, highlight)
                lines.append(f"{indent}{_quote(box.id)} [label=<{label}>];")

    emit(drawn.top, "  ")
    for source, target in drawn.edges:
        lines.append(f"  {_quote(source)} -> {_quote(target)};")
    if highlight:
        lines.append(f"  graph [label=<{_legend()}>, labelloc=b];")
    lines.append("}")
    return "\n".join(lines) + "\n"


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
    for key in members:
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


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draw(
    graph: LayerGraph,
    *,
    format: str = "svg",
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    dpi: int = 200,
    **options: Any,
) -> bytes:
    """Draw `graph` collapsed to `depth` (or the deepest depth that fits a screen)."""
    source = collapsed_source(graph, depth=depth, highlight=highlight, **options)
    if format == "dot":
        return source.encode("utf-8")
    return render(source, format, dpi=dpi)


def collapsed_source(
    graph: LayerGraph,
    *,
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    **options: Any,
) -> str:
    """The Graphviz source of `graph` drawn to `depth`; see `draw`."""
    return collapsed(graph, depth=depth, highlight=highlight, **options)[1]


def collapsed(
    graph: LayerGraph,
    *,
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    **options: Any,
) -> tuple[View, str]:
    """The view drawn for `depth` and its Graphviz source.

    With `depth="auto"`, the deepest view that fits a screen; when even the top level does
    not, long levels are cut finer (fewer items per level) and tried again.
    """
    style = Style(**options)
    if depth != "auto":
        drawn = view(group_tree(graph), graph, depth=int(depth))
        return drawn, dot_text(graph, drawn, style=style, highlight=highlight)
    for max_children in (MAX_BOXES, MAX_BOXES // 2, MAX_BOXES // 4):
        tree = group_tree(graph, max_children=max_children)
        for depth_tried in deepest_depths(tree, graph):
            drawn = view(tree, graph, depth=depth_tried)
            source = dot_text(graph, drawn, style=style, highlight=highlight)
            width, height = layout_size(source)
            if max(width, height) * SCREEN_DPI <= MAX_SCREEN_PX:
                return drawn, source
    return drawn, source  # the coarsest view there is
    return source
