"""The interactive page: a model's collapsed diagram to click through, in one HTML file.

`page(model)` returns a self-contained HTML document (no request leaves the file, so it
works offline and from `file://`) that opens at the top level of the model's group tree
(`kgraphs.drawing.grouping`) with every group collapsed. Clicking a group opens a view of its
children, with the layers just outside it as dashed stubs; clicking a run of same-structure
groups opens its members side by side. A breadcrumb, Escape and the browser's back button
go up; the URL's hash names the view (`page.html#group:conv3`). Wheel zooms, dragging
pans, "Fit" shows the whole view (a long one opens at its top, readable). Hovering or
clicking a layer shows its class, parameter count, shapes, call count and full arguments
in a side panel.

Every view a reader can open is drawn in advance and waits in the page as an inert
`<template>`; nearly all are drawn by one `dot` process (DenseNet121's 129 views: 0.15 s,
against 1.5 s for a process each). The layers and the views' facts are JSON in a
`<script type="application/json">`. The page's script and style
(`interactive_page.js`, `interactive_page.css`) are small and written here, no libraries.
The same model gives the same bytes.

Example:
    >>> import kgraphs
    >>> html = page(kgraphs.build("residual_cnn_stages", compile=False))
    >>> html.startswith("<!DOCTYPE html>"), 'data-view="group:stage1"' in html
    (True, True)
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import deque
from dataclasses import dataclass
from importlib import resources
from typing import Any

from kgraphs.drawing import graphviz as rendering
from kgraphs.drawing.dot_text import boundary_shapes, dot_text
from kgraphs.drawing.grouping import Group, group_tree
from kgraphs.drawing.style import Style, check_style_options
from kgraphs.drawing.view import View, view
from kgraphs.introspection.layer_graph import LayerGraph, layer_graph

# The page's parts, shipped as package data and joined by `page`.
PARTS = ("interactive_page.html", "interactive_page.css", "interactive_page.js")
# A cluster subgraph (an open group's frame), in any Graphviz source.
_CLUSTER = re.compile(r'\bsubgraph\s+"?cluster')


@dataclass
class Drill:
    """One view the page can show: the top level, an opened group or an opened run."""

    id: str  # "" for the top level, else the id of the box that opens it
    label: str
    parent: str | None  # the view whose box opens this one first
    group: Group  # what the view draws (a synthetic group for a run)
    drawn: View


def page(
    model_or_graph: Any,
    *,
    show_params: bool = False,
    title: str | None = None,
    **style_options: Any,
) -> str:
    """The interactive HTML page of a model (or a `LayerGraph`), as one string.

    Args:
        model_or_graph: a `keras.Model`, a `LayerGraph`, or anything `kgraphs.build` takes.
        show_params: show each layer's parameter count in its box (groups always do).
        title: the page's title; the model's name by default.
        **style_options: what boxes show, as for `plot` (`rankdir`, `show_shapes`, ...).
    """
    check_style_options(style_options, unknown="not an option of the interactive page")
    graph = _graph(model_or_graph)
    style = Style(show_params=show_params, **style_options)
    drills = drill_views(graph)
    svgs = render_svgs([dot_text(graph, drill.drawn, style=style) for drill in drills])
    data = {
        "model": {
            "name": graph.name,
            "parameters": graph.total_parameters(),
            "inputs": [f"{name} {shape}" for name, shape in graph.inputs],
            "outputs": [f"{name} {shape}" for name, shape in graph.outputs],
        },
        "views": [_view_data(graph, drill) for drill in drills],
        "layers": {key: _layer_data(layer) for key, layer in graph.layers.items()},
    }
    templates = "\n".join(
        f'<template data-view="{html.escape(drill.id)}">{svg}</template>'
        for drill, svg in zip(drills, svgs, strict=True)
    )
    skeleton, css, script = (
        resources.files(__package__).joinpath(name).read_text("utf-8") for name in PARTS
    )
    parts = {
        "title": html.escape(title or graph.name),
        "style": css,
        "data": _script_json(data),
        "views": templates,
        "script": script,
    }
    # One pass, so nothing inserted (a layer named "{{script}}") is replaced again.
    return re.sub(r"\{\{(\w+)\}\}", lambda match: parts[match.group(1)], skeleton)


def drill_views(graph: LayerGraph) -> list[Drill]:
    """Every view reachable by clicking, breadth first from the top level (depth 1)."""
    tree = group_tree(graph)
    drills = [Drill("", graph.name, None, tree, view(tree, graph, depth=1))]
    seen = {""}
    queue = deque(drills)
    while queue:
        parent = queue.popleft()
        for box in parent.drawn.boxes.values():
            if box.kind not in ("group", "run") or box.id in seen:
                continue
            if box.kind == "group":
                group, depth = box.groups[0], 1
            else:
                # Its members drawn as boxes would form the same run again: open each one.
                group = Group(key=box.id, label=box.label, kind="run", children=[*box.groups])
                depth = 2
            drill = Drill(box.id, box.label, parent.id, group, view(group, graph, depth=depth))
            seen.add(drill.id)
            drills.append(drill)
            queue.append(drill)
    return drills


def render_svgs(sources: list[str]) -> list[str]:
    """Each Graphviz source drawn as an `<svg>` element, nearly all by one `dot` process.

    `dot` reads several graphs from one input and writes one SVG document for each. Graphviz
    2.43 lays out a graph with clusters differently from run to run when it follows another
    graph in the same input, so those (the opened runs, a few per model) are drawn alone.
    Drawing alone is also the fallback when the shared run fails or warns: then
    `kgraphs.drawing.graphviz`'s checks and retries say which source failed and why.
    """
    alone = {index for index, source in enumerate(sources) if _CLUSTER.search(source)}
    together = iter(_render_together([s for i, s in enumerate(sources) if i not in alone]))
    return [
        _inline(_render_alone(source) if index in alone else next(together))
        for index, source in enumerate(sources)
    ]


def _render_together(sources: list[str]) -> list[str]:
    if not sources:
        return []
    result = rendering.run_dot("".join(sources), ["-Tsvg"])
    documents = re.findall(r"<svg\b.*?</svg>", result.stdout.decode("utf-8"), flags=re.S)
    if rendering.problem_with(result, "svg") is None and len(documents) == len(sources):
        return documents
    return [_render_alone(source) for source in sources]


def _render_alone(source: str) -> str:
    return rendering.render(source, "svg", dpi=96).decode("utf-8")


def _inline(document: str) -> str:
    """The `<svg>` element alone, to sit inside HTML: no XML prologue, no comments, and
    no ids on its groups (each view would repeat `node1`, and nothing refers to them)."""
    element = document[document.index("<svg") : document.rindex("</svg>") + len("</svg>")]
    element = re.sub(r"<!--.*?-->\n?", "", element, flags=re.S)
    return re.sub(r'<g id="[^"]*" class=', "<g class=", element)


def _view_data(graph: LayerGraph, drill: Drill) -> dict[str, Any]:
    # Ordered, unlike a set: `boundary_shapes` lists shapes in the order it meets them, and a
    # set's order changes from process to process (string hashing), and so would the page.
    layers = dict.fromkeys(drill.group.layers()).keys()
    entering, leaving = boundary_shapes(graph, layers)
    boxes: dict[str, list[str]] = {}
    for box in drill.drawn.boxes.values():
        if box.kind in ("group", "run"):
            boxes[box.id] = ["view", box.id]
        elif box.kind == "outside":
            boxes[box.id] = ["layer", box.id.removeprefix("outside:")]
        else:
            boxes[box.id] = ["layer", box.id]
    return {
        "id": drill.id,
        "label": drill.label,
        "parent": drill.parent,
        "kind": drill.group.kind,
        "layers": len(layers),
        "parameters": sum(graph.layers[key].parameters for key in layers),
        "shapes": [entering, leaving],
        "shared_calls": drill.group.shared_calls,
        "boxes": boxes,
    }


def _layer_data(layer: Any) -> dict[str, Any]:
    return {
        "name": layer.name,
        "class_name": layer.class_name,
        "parameters": layer.parameters,
        "calls": layer.calls,
        "input_shape": layer.input_shape,
        "output_shape": layer.output_shape,
        "activation": layer.activation,
        "dtype": layer.dtype,
        "trainable": layer.trainable,
        "model": layer.model,
        "arguments": _finite(layer.arguments),
    }


def _finite(value: Any) -> Any:
    """`value` with infinities and NaN as strings: JSON (and so the browser) has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _script_json(data: Any) -> str:
    """JSON safe inside `<script>`: no `<` at all, so no `</script>` or `<!--` can appear."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")


def _graph(model_or_graph: Any) -> LayerGraph:
    if isinstance(model_or_graph, LayerGraph):
        return model_or_graph
    from kgraphs.building.from_recipe import model_of

    return layer_graph(model_of(model_or_graph))
