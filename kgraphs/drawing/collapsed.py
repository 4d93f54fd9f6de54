"""Collapsed diagrams: a layer graph drawn with its groups (see `kgraphs.drawing.grouping`)
as boxes, at a depth (`kgraphs.drawing.view`) or at the deepest depth that fits a screen.

`depth="auto"` picks the deepest view that fits a screen: at most `MAX_BOXES` boxes and at
most `MAX_SCREEN_PX` pixels on the long side at 96 dpi, as Graphviz lays it out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kgraphs.drawing.dot_text import dot_text
from kgraphs.drawing.graphviz import layout_size
from kgraphs.drawing.grouping import Group, group_tree
from kgraphs.drawing.style import Style
from kgraphs.drawing.view import View, view
from kgraphs.introspection.layer_graph import LayerGraph

MAX_BOXES = 40
MAX_SCREEN_PX = 4000
SCREEN_DPI = 96


def fitting_views(tree: Group, graph: LayerGraph) -> Iterator[View]:
    """Views worth laying out, deepest first: at most `MAX_BOXES` boxes, or the top level."""
    for depth in range(tree.height() + 1, 0, -1):
        drawn = view(tree, graph, depth=depth)
        if depth == 1 or len(drawn.boxes) <= MAX_BOXES:
            yield drawn


def collapsed_source(
    graph: LayerGraph,
    *,
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    edge_highlight: dict[tuple[str, str], str] | None = None,
    **options: Any,
) -> str:
    """The Graphviz source of `graph` drawn to `depth`; see `collapsed`."""
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
