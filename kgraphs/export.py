"""`to_recipe()`: any Functional model of built-in Keras layers as a short, readable graph recipe.

Each call of a layer becomes a node named after the layer (a second call of a shared layer
becomes a `reuse` node), nested Functional models become nested graphs, and arguments equal to
what a fresh layer of the same class would have are left out, so the recipe reads like the code
that made the model. Ops Keras records only to carry masks (the `not_equal` behind an
Embedding's `mask_zero`) are left out too: rebuilding recomputes them.
"""

from __future__ import annotations

import inspect
import json
import os
from typing import TYPE_CHECKING, Any

from kgraphs.errors import ConfigError

if TYPE_CHECKING:
    import keras


def to_recipe(model: keras.Model, *, description: str | None = None) -> dict[str, Any]:
    """A graph recipe that rebuilds `model`: same topology, layer names and parameter count.

    Example:
        >>> import kgraphs
        >>> recipe = kgraphs.to_recipe(kgraphs.ticket_priority())
        >>> recipe["config"]["nodes"][0]  # doctest: +NORMALIZE_WHITESPACE
        {'name': 'text_embedding', 'layer': 'Embedding',
         'args': {'input_dim': 10000, 'output_dim': 64}, 'inputs': 'text'}
        >>> kgraphs.build(recipe).count_params()
        652561
    """
    recipe: dict[str, Any] = {"version": 1, "architecture": "graph", "name": model.name}
    if description:
        recipe["description"] = description
    recipe["config"] = graph_spec(model)
    return recipe


def graph_spec(model: keras.Model) -> dict[str, Any]:
    """The `config` of a graph recipe for one Functional model."""
    import keras

    if not hasattr(model, "_nodes_by_depth"):
        raise ConfigError(
            [
                (
                    "(model)",
                    f"{model.name!r} is a {type(model).__name__}, not a "
                    "Functional model; kgraphs exports Functional graphs",
                )
            ]
        )
    names: dict[tuple[int, int], str] = {}  # (id(operation), node index) -> node name
    used = set()
    first_call: dict[int, str] = {}
    inputs = []
    for tensor in model.inputs:
        layer = tensor._keras_history.operation
        names[(id(layer), 0)] = layer.name
        used.add(layer.name)
        entry: dict[str, Any] = {"name": layer.name, "shape": list(tensor.shape[1:])}
        if tensor.dtype != "float32":
            entry["dtype"] = tensor.dtype
        inputs.append(entry)

    carried = _tensors_carried(model)
    position = {id(operation): index for index, operation in enumerate(model._operations)}
    ordered = [
        node
        for depth in sorted(model._nodes_by_depth, reverse=True)
        # Within a depth Keras keeps no useful order; follow the model's own layer order and
        # each layer's call order, so a shared layer's first call comes first.
        for node in sorted(
            model._nodes_by_depth[depth],
            key=lambda n: (position.get(id(n.operation), 0), n.operation._inbound_nodes.index(n)),
        )
    ]
    nodes = []
    for node in ordered:
        operation = node.operation
        if isinstance(operation, keras.layers.InputLayer):
            continue
        index = operation._inbound_nodes.index(node)
        if not isinstance(operation, keras.layers.Layer):
            if not any(id(t) in carried for t in node.outputs):
                continue  # e.g. the not_equal of an Embedding's mask; rebuilt on its own
            raise ConfigError(
                [
                    (
                        f"(model).{operation.name}",
                        f"{type(operation).__name__} "
                        "is a raw op, not a layer; kgraphs can only express layers",
                    )
                ]
            )
        entry = {"name": _unique(operation.name, used)}
        names[(id(operation), index)] = entry["name"]
        if id(operation) in first_call:
            entry["reuse"] = first_call[id(operation)]
        else:
            first_call[id(operation)] = entry["name"]
            if isinstance(operation, keras.Model):
                entry["graph"] = graph_spec(operation)
            else:
                entry["layer"] = _layer_class_name(operation)
                args = layer_arguments(operation)
                if args:
                    entry["args"] = args
        entry["inputs"] = _call_inputs(node, operation, names)
        nodes.append(entry)

    outputs = [_reference(tensor, names, model.name) for tensor in model.outputs]
    single = not isinstance(model._outputs_struct, (list, tuple, dict))
    return {"inputs": inputs, "nodes": nodes, "outputs": outputs[0] if single else outputs}


def layer_arguments(layer: Any) -> dict[str, Any]:
    """`layer.get_config()` minus the name and whatever equals a fresh layer's defaults."""
    config = _plain(layer.get_config())
    config.pop("name", None)
    parameters = inspect.signature(type(layer).__init__).parameters.values()
    required = {
        p.name: config[p.name]
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.name in config
        and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    try:
        # What a fresh layer given only the required arguments has: its defaults.
        defaults = _plain(type(layer).from_config(dict(required)).get_config())
    except Exception:
        defaults = {}
    arguments = {
        key: value
        for key, value in config.items()
        if key in required or defaults.get(key, object()) != value
    }
    # Some defaults depend on other arguments (MaxPooling2D's strides follow pool_size), so
    # rebuild from the short form and restore whatever comes out different.
    for _ in range(3):
        try:
            rebuilt = _plain(type(layer).from_config(dict(arguments)).get_config())
        except Exception:
            return {key: value for key, value in config.items()}
        rebuilt.pop("name", None)
        different = {k: v for k, v in config.items() if rebuilt.get(k, object()) != v}
        if not different:
            break
        arguments.update(different)
    return arguments


def _call_inputs(node: Any, operation: Any, names: dict) -> str | list[str]:
    arguments = node.arguments
    tensor_kwargs = [k for k, v in arguments.kwargs.items() if k != "mask" and _has_tensor(v)]
    extra_kwargs = [k for k in arguments.kwargs if k not in ("mask", "training")]
    if len(arguments.args) != 1 or tensor_kwargs or extra_kwargs:
        raise ConfigError(
            [
                (
                    f"(model).{operation.name}",
                    "called with several arguments or "
                    "keyword arguments; kgraphs nodes take one tensor or one list",
                )
            ]
        )
    (first,) = arguments.args
    if isinstance(first, (list, tuple)):
        return [_reference(tensor, names, operation.name) for tensor in first]
    return _reference(first, names, operation.name)


def _reference(tensor: Any, names: dict, where: str) -> str:
    operation, node_index, tensor_index = tensor._keras_history
    if tensor_index != 0:
        raise ConfigError(
            [
                (
                    f"(model).{where}",
                    f"uses output {tensor_index} of "
                    f"{operation.name!r}; kgraphs nodes have one output",
                )
            ]
        )
    return names[(id(operation), node_index)]


def _tensors_carried(model: keras.Model) -> set[int]:
    """ids of tensors passed positionally to a layer, or returned: not mask-only tensors."""
    carried = {id(tensor) for tensor in model.outputs}
    for nodes in model._nodes_by_depth.values():
        for node in nodes:
            for argument in node.arguments.args:
                for tensor in argument if isinstance(argument, (list, tuple)) else [argument]:
                    carried.add(id(tensor))
    return carried


def _has_tensor(value: Any) -> bool:
    import keras

    return any(isinstance(v, keras.KerasTensor) for v in keras.tree.flatten(value))


def _layer_class_name(layer: Any) -> str:
    import keras

    from kgraphs.keras_names import REFUSED_LAYERS

    name = type(layer).__name__
    if name in REFUSED_LAYERS:
        raise ConfigError([(f"(model).{layer.name}", f"{name} is refused: {REFUSED_LAYERS[name]}")])
    if getattr(keras.layers, name, None) is not type(layer):
        raise ConfigError(
            [
                (
                    f"(model).{layer.name}",
                    f"{name} is not a built-in keras.layers "
                    "class; kgraphs recipes hold built-in layers only",
                )
            ]
        )
    return name


def _plain(value: Any) -> Any:
    """Config values as plain JSON data: tuples as lists, no module bookkeeping keys."""
    value = json.loads(json.dumps(value, default=_json_default))
    return _strip_bookkeeping(value)


def _strip_bookkeeping(value: Any) -> Any:
    if isinstance(value, dict):
        if "class_name" in value and value.get("registered_name") in (None, value["class_name"]):
            module = value.get("module")
            if module is None or module == "keras" or str(module).startswith("keras."):
                bookkeeping = ("module", "registered_name", "build_config")
                value = {k: v for k, v in value.items() if k not in bookkeeping}
        return {k: _strip_bookkeeping(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_bookkeeping(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot export a {type(value).__name__} argument")


def _unique(name: str, used: set[str]) -> str:
    candidate, count = name, 1
    while candidate in used:
        count += 1
        candidate = f"{name}_call{count}"
    used.add(candidate)
    return candidate


def export_model_file(path: str | os.PathLike) -> dict[str, Any]:
    """The graph recipe of a `.keras` file, loaded in safe mode."""
    import keras

    return to_recipe(keras.saving.load_model(path, safe_mode=True, compile=False))
