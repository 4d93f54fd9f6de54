"""A `Differences` as text, as markdown, and as one graph of both models for a picture.

Layers are listed in topological order (B's, with A's removed layers where A had them); the
same two models always give the same report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kgraphs.diffing.differences import Differences, LayerDiff
from kgraphs.introspection.layer_graph import LayerGraph
from kgraphs.introspection.matching import ABSENT, model_keys

MARKERS = {"added": "+", "removed": "-", "changed": "~"}
# Rows under a changed layer, in this order; its class and parameters are in the layer's row.
SHAPES = ("input shape", "output shape")
DETAILS = ("inbound", "calls", *SHAPES)


def text(diff: Differences) -> str:
    """The report as plain text: a summary, then one row per layer that differs."""
    lines = [f"A: {_side(diff.a_label, diff.a)}", f"B: {_side(diff.b_label, diff.b)}"]
    lines.append(summary(diff))
    for title, changes in (("inputs", diff.inputs), ("outputs", diff.outputs)):
        if changes:
            lines += ["", f"{title}:"]
            lines += [
                f"  {_endpoint_marker(f, t)} {name}: {_plain(f)} -> {_plain(t)}"
                for name, f, t in changes
            ]
    rows = [layer for layer in diff.layers if layer.status != "same"]
    if rows:
        lines += ["", "layers (+ added, - removed, ~ changed; in topological order):"]
    name_width = max((len(_name(layer)) for layer in rows), default=0)
    class_width = max((len(_class(layer)) for layer in rows), default=0)
    for layer in rows:
        lines.append(
            f"  {MARKERS[layer.status]} {_name(layer):{name_width}}  "
            f"{_class(layer):{class_width}}  {_parameters(layer)}".rstrip()
        )
        lines += [f"      {what}: {before} -> {after}" for what, before, after in _details(layer)]
    return "\n".join(lines) + "\n"


def markdown(diff: Differences) -> str:
    """The report as markdown: a summary table, then tables of the layers that differ."""
    (params_a, params_b), delta = diff.parameters, diff.parameters[1] - diff.parameters[0]
    lines = [
        "## Model diff",
        "",
        "| | A | B |",
        "| --- | --- | --- |",
        f"| source | {_code(diff.a_label)} | {_code(diff.b_label)} |",
        f"| model | {_code(diff.a.name)} | {_code(diff.b.name)} |",
        f"| layers | {len(diff.a.layers)} | {len(diff.b.layers)} |",
        f"| parameters | {params_a:,} | {params_b:,} ({delta:+,}) |",
        "",
        f"**{summary(diff)}**",
    ]
    for title, changes in (("Inputs", diff.inputs), ("Outputs", diff.outputs)):
        if changes:
            lines += ["", f"### {title}", "", "| | name | A | B |", "| --- | --- | --- | --- |"]
            lines += [
                f"| {_endpoint_marker(f, t)} | {_code(name)} | {_code(_plain(f))} "
                f"| {_code(_plain(t))} |"
                for name, f, t in changes
            ]
    rows = [layer for layer in diff.layers if layer.status != "same"]
    if rows:
        lines += [
            "",
            "### Layers",
            "",
            "| | layer | class | parameters A | parameters B | change |",
            "| --- | --- | --- | ---: | ---: | ---: |",
        ]
    for layer in rows:
        before = f"{layer.a.parameters:,}" if layer.a else ""
        after = f"{layer.b.parameters:,}" if layer.b else ""
        change = (layer.b.parameters if layer.b else 0) - (layer.a.parameters if layer.a else 0)
        lines.append(
            f"| {MARKERS[layer.status]} | {_code(_name(layer))} | {_cell(_class(layer))} "
            f"| {before} | {after} | {f'{change:+,}' if change else ''} |"
        )
    for layer in (layer for layer in rows if layer.status == "changed"):
        lines += ["", f"#### {_code(_name(layer))} ({_cell(_class(layer))})", ""]
        lines += ["| | A | B |", "| --- | --- | --- |"]
        lines += [
            f"| {_cell(what)} | {_code(before)} | {_code(after)} |"
            for what, before, after in _details(layer, parameters=True)
        ]
    return "\n".join(lines) + "\n"


def summary(diff: Differences) -> str:
    """`2 added, 1 removed, 3 changed; parameters 1,000 -> 1,200 (+200)`, or no differences."""
    if diff.same:
        return (
            f"no differences: the same architecture ({len(diff.b.layers)} layers, "
            f"{diff.parameters[1]:,} parameters)"
        )
    counts = [f"{len(getattr(diff, s))} {s}" for s in MARKERS if getattr(diff, s)]
    # Layers downstream of a change of shape: listed, but counted apart so the cause stands out
    reshaped = sum(
        set(layer.changes) <= set(SHAPES) and not layer.arguments for layer in diff.changed
    )
    if reshaped:
        counts[-1] += f" ({reshaped} only in shapes)"
    counts += [f"{title} changed" for title in ("inputs", "outputs") if getattr(diff, title)]
    before, after = diff.parameters
    return f"{', '.join(counts)}; parameters {before:,} -> {after:,} ({after - before:+,})"


def union(
    diff: Differences,
) -> tuple[LayerGraph, dict[str, str], dict[tuple[str, str], str]]:
    """Every layer of B and the removed layers of A, with the edges of both, which union
    keys were added, removed or changed, and which edges only B ("added") or only A
    ("removed") has. A removed layer keeps its name; its key gets " (A)" where B has the
    same key. An edge of A that runs against B's order (a rewiring the report lists) is
    left out, so the picture stays acyclic."""
    union_graph = LayerGraph(
        name=diff.b.name,
        models=dict(diff.b.models),
        inputs=list(diff.b.inputs),
        outputs=list(diff.b.outputs),
        output_layers=list(diff.b.output_layers),
    )
    models_b = {matching: key for key, matching in model_keys(diff.b).items()}
    matching_a = model_keys(diff.a)
    model_of = {"": ""}
    for key, model in diff.a.models.items():  # parents first; a model only A has is added
        if matching_a[key] in models_b:
            model_of[key] = models_b[matching_a[key]]
        else:
            model_of[key] = _unique(key, union_graph.models)
            union_graph.models[model_of[key]] = replace(
                model, key=model_of[key], parent=model_of[model.parent]
            )
    key_of: dict[str, str] = {}
    highlight: dict[str, str] = {}
    for layer in diff.layers:
        if layer.b is None:
            model = model_of[layer.a.model]
            key = _unique(f"{model}/{layer.a.name}" if model else layer.a.name, union_graph.layers)
            union_graph.layers[key] = replace(layer.a, key=key, model=model)
        else:
            key = layer.b.key
            union_graph.layers[key] = layer.b
        if layer.a is not None:
            key_of[layer.a.key] = key
        if layer.status != "same":
            highlight[key] = layer.status
    position = {key: index for index, key in enumerate(union_graph.layers)}
    edges_a = [(key_of[source], key_of[target]) for source, target in diff.a.edges]
    union_graph.edges = list(
        dict.fromkeys(
            [*diff.b.edges, *(edge for edge in edges_a if position[edge[0]] < position[edge[1]])]
        )
    )
    for key in diff.a.output_layers:
        if key_of[key] not in union_graph.output_layers:
            union_graph.output_layers.append(key_of[key])
    only_a, only_b = set(edges_a) - set(diff.b.edges), set(diff.b.edges) - set(edges_a)
    edge_status = {edge: "removed" for edge in union_graph.edges if edge in only_a}
    edge_status |= {edge: "added" for edge in only_b}
    return union_graph, highlight, edge_status


def _unique(key: str, taken: dict[str, Any]) -> str:
    """`key`, or `key (A)`, `key (A 2)` ... where B already has that key."""
    candidate, count = key, 0
    while candidate in taken:
        count += 1
        candidate = f"{key} (A)" if count == 1 else f"{key} (A {count})"
    return candidate


def _side(label: str, graph: LayerGraph) -> str:
    return (
        f"{label} (model {graph.name}: {len(graph.layers)} layers, "
        f"{graph.total_parameters():,} parameters)"
    )


def _name(layer: LayerDiff) -> str:
    """The layer's name in B (A for a removed one), with A's where Keras named them apart."""
    if layer.a is not None and layer.b is not None and layer.a.key != layer.b.key:
        return f"{layer.b.key} (A: {layer.a.key})"
    return layer.key


def _class(layer: LayerDiff) -> str:
    if "class" in layer.changes:
        return " -> ".join(layer.changes["class"])
    return (layer.b or layer.a).class_name  # type: ignore[union-attr]


def _parameters(layer: LayerDiff) -> str:
    if "parameters" in layer.changes:
        before, after = layer.changes["parameters"]
        return f"{before:,} -> {after:,} ({after - before:+,})"
    return f"{(layer.b or layer.a).parameters:,}"  # type: ignore[union-attr]


def _details(layer: LayerDiff, *, parameters: bool = False) -> list[tuple[str, str, str]]:
    """(what, from, to) rows of a changed layer: connections, calls, shapes, then arguments."""
    shown = ("parameters", *DETAILS) if parameters else DETAILS
    rows = [(what, *map(_plain, layer.changes[what])) for what in shown if what in layer.changes]
    return rows + [(path, _argument(x), _argument(y)) for path, (x, y) in layer.arguments.items()]


def _endpoint_marker(before: Any, after: Any) -> str:
    return "+" if before is ABSENT else "-" if after is ABSENT else "~"


def _plain(value: Any) -> str:
    """A shape, a count or a list of names as a person reads them."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _argument(value: Any) -> str:
    """A config value as Python writes it; a serialized Keras object as `Class(arg=...)`."""
    if isinstance(value, dict) and isinstance(value.get("config"), dict) and "class_name" in value:
        arguments = ", ".join(f"{k}={_argument(v)}" for k, v in value["config"].items())
        return f"{value['class_name']}({arguments})"
    return repr(value)


def _code(text: str) -> str:
    return f"`{_cell(text)}`" if text else ""


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
