"""Views of a grouped layer graph: what a collapsed diagram shows at a depth.

`view(tree, graph, depth=N)` decides what is drawn: groups at level N or deeper (the top
level is 1) are single boxes; shallower groups are open frames around their children. A run
of sibling boxes with the same structure (ResNet's `conv3_block2`, `conv3_block3`, ...) is
one box. Edges are the quotient of the layer graph: one edge between two boxes exactly when
some layer of one feeds some layer of the other.

Example:
    >>> import kgraphs
    >>> from kgraphs.introspection.layer_graph import layer_graph
    >>> from kgraphs.drawing.grouping import group_tree
    >>> graph = layer_graph(kgraphs.build("recipes/residual_cnn_stages.json"))
    >>> top = view(group_tree(graph), graph, depth=1)
    >>> [box.label for box in top.boxes.values()]
    ['image', 'stem', 'stage1', 'stage2', 'stage3', 'global_pool', 'predictions']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from kgraphs.drawing.grouping import Group
from kgraphs.introspection.layer_graph import LayerGraph


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
