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

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kgraphs.diagram_source import Style, dot_text
from kgraphs.grouping import Group, group_tree
from kgraphs.layer_graph import LayerGraph
from kgraphs.rendering import layout_size, render

MAX_BOXES = 40
MAX_SCREEN_PX = 4000
SCREEN_DPI = 96


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

    def box_for(self, layer: str) -> str:
        """The box drawing `layer`: its own, or the stub of a neighbour outside the view."""
        return self.box_of.get(layer, "outside:" + layer)


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

    drawn = View(boxes=boxes, top=top, edges=[], box_of=box_of)
    drawn.edges = list(
        dict.fromkeys(
            (drawn.box_for(source), drawn.box_for(target))
            for source, target in graph.edges
            if (source in box_of or target in box_of)
            and drawn.box_for(source) != drawn.box_for(target)
        )
    )
    return drawn


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


def fitting_views(tree: Group, graph: LayerGraph) -> Iterator[View]:
    """Views worth laying out, deepest first: at most `MAX_BOXES` boxes, or the top level."""
    for depth in range(tree.height() + 1, 0, -1):
        drawn = view(tree, graph, depth=depth)
        if depth == 1 or len(drawn.boxes) <= MAX_BOXES:
            yield drawn


def draw(
    graph: LayerGraph,
    *,
    format: str = "svg",
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    edge_highlight: dict[tuple[str, str], str] | None = None,
    dpi: int = 200,
    **options: Any,
) -> bytes:
    """Draw `graph` collapsed to `depth` (or the deepest depth that fits a screen).

    `highlight` colours layers (and the groups holding them) "added", "removed" or
    "changed"; `edge_highlight` colours connections "added" or "removed".
    """
    source = collapsed_source(
        graph, depth=depth, highlight=highlight, edge_highlight=edge_highlight, **options
    )
    if format == "dot":
        return source.encode("utf-8")
    return render(source, format, dpi=dpi)


def collapsed_source(
    graph: LayerGraph,
    *,
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    edge_highlight: dict[tuple[str, str], str] | None = None,
    **options: Any,
) -> str:
    """The Graphviz source of `graph` drawn to `depth`; see `draw`."""
    return collapsed(
        graph, depth=depth, highlight=highlight, edge_highlight=edge_highlight, **options
    )[1]


def collapsed(
    graph: LayerGraph,
    *,
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    edge_highlight: dict[tuple[str, str], str] | None = None,
    **options: Any,
) -> tuple[View, str]:
    """The view drawn for `depth` and its Graphviz source.

    With `depth="auto"`, the deepest view that fits a screen; when even the top level does
    not, long levels are cut finer (fewer items per level) and tried again.
    """
    style = Style(**options)
    colours = {"highlight": highlight, "edge_highlight": edge_highlight}
    if depth != "auto":
        drawn = view(group_tree(graph), graph, depth=int(depth))
        return drawn, dot_text(graph, drawn, style=style, **colours)
    for max_children in (MAX_BOXES, MAX_BOXES // 2, MAX_BOXES // 4, MAX_BOXES // 8):
        tree = group_tree(graph, max_children=max_children)
        for drawn in fitting_views(tree, graph):
            source = dot_text(graph, drawn, style=style, **colours)
            width, height = layout_size(source)
            if max(width, height) * SCREEN_DPI <= MAX_SCREEN_PX:
                return drawn, source
    return drawn, source  # the coarsest view there is
