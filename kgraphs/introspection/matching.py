"""Which layer of model A is which layer of model B, and what differs between the two.

Layers are matched by their qualified names (`tower/dense_out`), nested models included.
Layers Keras named itself (`dense_3`) are not matched by name: Keras's global counters give
the same model other names when it is built twice in one process. They are matched by class
inside their nested model instead, aligned on their arguments in topological order as `diff`
aligns lines, so one inserted layer shows as one added layer. Auto-named nested models
(`functional_1`) are matched by class and order of appearance.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from kgraphs.introspection.layer_graph import LayerGraph, LayerInfo

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "(absent)"})()
"""An argument, input or output one side does not have."""
# An Input Keras named: its tensor (`keras_tensor_3`) or, loaded from a file, its layer
_AUTO_INPUT = re.compile(r"(keras_tensor|input_layer)(_\d+)?")


Signature = Callable[["LayerGraph", str], str]


def match(
    a: LayerGraph, b: LayerGraph, *, signatures: Sequence[Signature] = ()
) -> list[tuple[str | None, str | None]]:
    """(A key, B key) pairs; None on the side that lacks the layer. Auto-named layers are
    aligned on `signatures` (`signature(graph, key)`), the first first: their arguments
    unless told otherwise (see `align`)."""
    keys_a, auto_a = matching_keys(a)
    keys_b, auto_b = matching_keys(b)
    for group in {**auto_a, **auto_b}:
        for ka, kb in align(a, auto_a.get(group, []), b, auto_b.get(group, []), signatures):
            shared = (*group, "auto", ka or "", kb or "")
            if ka is not None:
                keys_a[ka] = shared if kb is not None else (*group, "a", ka)
            if kb is not None:
                keys_b[kb] = shared if ka is not None else (*group, "b", kb)
    by_key_b = {key: kb for kb, key in keys_b.items()}
    pairs: list[tuple[str | None, str | None]] = []
    for ka, key in keys_a.items():
        pairs.append((ka, by_key_b.pop(key, None)))
    pairs += [(None, kb) for kb in by_key_b.values()]
    return pairs


def matching_keys(graph: LayerGraph) -> tuple[dict[str, tuple], dict[tuple, list[str]]]:
    """Keys of user-named layers, and auto-named layers grouped by (nested model, class)."""
    models = model_keys(graph)
    keys: dict[str, tuple] = {}
    auto: dict[tuple, list[str]] = {}
    for key, layer in graph.layers.items():
        if layer.auto_named:
            auto.setdefault((models[layer.model], layer.class_name), []).append(key)
        else:
            keys[key] = (models[layer.model], "named", layer.name)
    return keys, auto


def model_keys(graph: LayerGraph) -> dict[str, tuple]:
    """Nested model keys -> matching keys; auto-named models (`functional_3`) by class and
    order of appearance inside their parent."""
    models: dict[str, tuple] = {"": ()}
    counts: dict[tuple, int] = {}
    for key, model in graph.models.items():  # parents come before their children
        parent = models[model.parent]
        if model.auto_named:
            group = (*parent, model.class_name)
            counts[group] = counts.get(group, 0) + 1
            models[key] = (*group, counts[group])
        else:
            models[key] = (*parent, model.name)
    return models


def arguments_signature(graph: LayerGraph, key: str) -> str:
    """A layer's arguments as one string: what `diff` aligns auto-named layers on."""
    return json.dumps(graph.layers[key].arguments, sort_keys=True, default=str)


def align(
    a: LayerGraph,
    keys_a: list[str],
    b: LayerGraph,
    keys_b: list[str],
    signatures: Sequence[Signature] = (),
) -> list[tuple]:
    """Pairs of same-class auto-named layers, aligned on the first signature (arguments
    unless told otherwise) as `diff` aligns lines; the runs left unmatched are aligned again
    on the next signature, if any, then paired in order; the rest are added or removed."""
    signature, *rest = signatures or (arguments_signature,)
    matcher = difflib.SequenceMatcher(
        None,
        [signature(a, k) for k in keys_a],
        [signature(b, k) for k in keys_b],
        autojunk=False,
    )
    pairs: list[tuple[str | None, str | None]] = []
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        run_a, run_b = keys_a[i1:i2], keys_b[j1:j2]
        if rest and run_a and run_b:  # a run this signature cannot pair: try the next
            pairs += align(a, run_a, b, run_b, rest)
            continue
        paired = min(len(run_a), len(run_b))
        pairs += list(zip(run_a[:paired], run_b[:paired], strict=True))
        pairs += [(ka, None) for ka in run_a[paired:]] + [(None, kb) for kb in run_b[paired:]]
    return pairs


def merged_order(pairs: list, a: LayerGraph, b: LayerGraph) -> list:
    """B's topological order, with each removed layer of A placed where A had it."""
    position = {key: index for index, key in enumerate(a.layers)}
    by_b = {kb: (ka, kb) for ka, kb in pairs if kb is not None}
    removed = sorted((ka for ka, kb in pairs if kb is None), key=position.__getitem__)
    merged = []
    for kb in b.layers:
        ka = by_b[kb][0]
        while removed and ka is not None and position[removed[0]] < position[ka]:
            merged.append((removed.pop(0), None))
        merged.append(by_b[kb])
    return merged + [(ka, None) for ka in removed]


def layer_changes(a: LayerInfo, b: LayerInfo) -> dict[str, tuple[Any, Any]]:
    """What differs between two versions of a layer apart from its arguments and inbound
    connections, as {what: (from, to)}."""
    compared = {
        "class": (a.class_name, b.class_name),
        "calls": (a.calls, b.calls),
        "parameters": (a.parameters, b.parameters),
        "input shape": (a.input_shape, b.input_shape),
        "output shape": (a.output_shape, b.output_shape),
    }
    return {what: values for what, values in compared.items() if values[0] != values[1]}


def argument_changes(a: Any, b: Any, path: str = "") -> list[tuple[str, tuple[Any, Any]]]:
    """Config differences at dotted paths; a serialized object whose class changed, or a
    list of plain values, is compared whole."""
    if isinstance(a, dict) and isinstance(b, dict) and a.get("class_name") == b.get("class_name"):
        a, b = _without_keras_names(a), _without_keras_names(b)
        return [
            change
            for key in [*a, *(key for key in b if key not in a)]
            for change in argument_changes(
                a.get(key, ABSENT), b.get(key, ABSENT), f"{path}.{key}" if path else key
            )
        ]
    if (
        isinstance(a, list)
        and isinstance(b, list)
        and len(a) == len(b)
        and any(isinstance(item, (dict, list)) for item in a + b)
    ):
        return [
            change
            for index, (x, y) in enumerate(zip(a, b, strict=True))
            for change in argument_changes(x, y, f"{path}[{index}]")
        ]
    same = a == b or (a != a and b != b)  # NaN equals NaN here
    return [] if same else [(path, (a, b))]


def _without_keras_names(value: dict) -> dict:
    """A wrapped layer's config (a Bidirectional's GRU, an RNN's cell) without the name Keras
    gave it: `forward_gru_3` numbers layers in order of creation, like `dense_3`."""
    config = value.get("config")
    if value.get("module") != "keras.layers" or not isinstance(config, dict):
        return value
    from keras.src.utils.naming import to_snake_case

    base = re.escape(to_snake_case(str(value.get("class_name"))))
    if not re.fullmatch(rf"(forward_|backward_)?{base}(_\d+)?", str(config.get("name"))):
        return value
    return {**value, "config": {k: v for k, v in config.items() if k != "name"}}


def endpoint_changes(a: LayerGraph, b: LayerGraph, which: str) -> list[tuple[str, Any, Any]]:
    """The model's inputs or outputs (`which`) added, removed or reshaped, as (name, from
    shape, to shape), then ("(order)", names, names) if their order changed. Endpoints Keras
    named (`keras_tensor_3`, the output of `dense_2`) are matched by position."""
    ends_a, ends_b = _endpoints(a, which), _endpoints(b, which)
    changes = []
    for identity in [*ends_a, *(identity for identity in ends_b if identity not in ends_a)]:
        name_a, shape_a = ends_a.get(identity, (None, ABSENT))
        name_b, shape_b = ends_b.get(identity, (None, ABSENT))
        if shape_a != shape_b:
            name = name_b or name_a
            if name_b is not None and name_a not in (None, name_b):
                name += f" (A: {name_a})"
            changes.append((name, shape_a, shape_b))
    order_a = [identity for identity in ends_a if identity in ends_b]
    order_b = [identity for identity in ends_b if identity in ends_a]
    if order_a != order_b:
        changes.append(
            ("(order)", [ends_a[i][0] for i in order_a], [ends_b[i][0] for i in order_b])
        )
    return changes


def _endpoints(graph: LayerGraph, which: str) -> dict[tuple, tuple[str, str]]:
    auto_names = {
        item.name for item in [*graph.layers.values(), *graph.models.values()] if item.auto_named
    }
    endpoints: dict[tuple, tuple[str, str]] = {}
    for name, shape in getattr(graph, which):
        if name in auto_names or _AUTO_INPUT.fullmatch(name):
            identity: tuple = ("auto", sum(key[0] == "auto" for key in endpoints))
        else:
            identity = ("named", name)
        endpoints[identity] = (name, shape)
    return endpoints
