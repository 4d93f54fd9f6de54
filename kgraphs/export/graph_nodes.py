"""Which calls of a Functional model a recipe writes, and in what order.

Keras records some ops only to carry masks (the `not_equal` behind an Embedding's `mask_zero`,
a Masking layer's `any`) and passes masks to layers by itself; rebuilding recomputes them, so
a recipe leaves them out.
"""

from __future__ import annotations

from typing import Any


def ordered_nodes(model: Any) -> list[Any]:
    """The model's nodes inputs first, in the model's layer order within a depth."""
    position = {id(operation): index for index, operation in enumerate(model._operations)}
    return [
        node
        for depth in sorted(model._nodes_by_depth, reverse=True)
        # Within a depth Keras keeps no useful order; follow the model's own layer order and
        # each layer's call order, so a shared layer's first call comes first.
        for node in sorted(
            model._nodes_by_depth[depth],
            key=lambda n: (position.get(id(n.operation), 0), n.operation._inbound_nodes.index(n)),
        )
    ]


def tensors_carried(model: Any) -> set[int]:
    """ids of the tensors the recipe must make: the outputs, what layers are called on, and
    what ops that make such tensors take, but not the masks Keras computes and passes on by
    itself (an Embedding's `not_equal`, a Masking layer's `any`, Attention's mask copy)."""
    import keras

    def used(node: Any) -> list[int]:
        arguments = {str(k): v for k, v in enumerate(node.arguments.args)}
        arguments |= node.arguments.kwargs
        return [
            id(tensor)
            for key, value in arguments.items()
            if not is_automatic_mask(key, value, arguments)
            for tensor in keras.tree.flatten(value)
        ]

    nodes = [node for depth in model._nodes_by_depth.values() for node in depth]
    carried = {id(tensor) for tensor in model.outputs}
    for node in nodes:
        if isinstance(node.operation, keras.layers.Layer):
            carried.update(used(node))
    ops = [node for node in nodes if not isinstance(node.operation, keras.layers.Layer)]
    grown = True
    while grown:  # an op is kept when something kept uses its output; then so are its inputs
        before = len(carried)
        for node in ops:
            if any(id(tensor) in carried for tensor in node.outputs):
                carried.update(used(node))
        grown = len(carried) > before
    return carried


def is_automatic_mask(key: str, value: Any, bound: dict[str, Any]) -> bool:
    """Whether a `mask` (or `query_mask`...) argument is the one Keras fills in by itself."""
    import keras

    if key != "mask" and not key.endswith("_mask"):
        return False
    if key == "mask":
        sources = [v for k, v in bound.items() if k != "mask" and has_tensor(v)]
        source = sources[0] if sources else None
    else:
        source = bound.get(key.removesuffix("_mask"))
    if value is None:
        return True
    if source is None:
        return False
    expected = keras.tree.map_structure(lambda t: getattr(t, "_keras_mask", None), source)
    return all(
        a is b
        for a, b in zip(keras.tree.flatten(value), keras.tree.flatten(expected), strict=False)
    ) and len(keras.tree.flatten(value)) == len(keras.tree.flatten(expected))


def has_tensor(value: Any) -> bool:
    """Whether a call argument is, or holds, a symbolic tensor of the graph."""
    import keras

    return any(isinstance(v, keras.KerasTensor) for v in keras.tree.flatten(value))
