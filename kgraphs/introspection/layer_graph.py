"""The layer graph behind every diagram and diff: one box per layer, one edge per connection.

It is the graph `keras.utils.model_to_dot(model, expand_nested=True)` draws, read the same way
(the same boxes, the same edges, nested models opened into their layers), but kept as plain
data: each layer's class, arguments, parameter count, shapes and call count, and the nested
model it sits in. `tests/test_diagrams.py` checks the edges against Keras's own drawing
and the parameter counts against `model.count_params()`.

Example:
    >>> import kgraphs
    >>> from kgraphs.introspection.layer_graph import layer_graph
    >>> graph = layer_graph(kgraphs.siamese_text())
    >>> graph.layers["shared_embed"].calls, graph.total_parameters()
    (2, 1378945)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LayerInfo:
    """What a diagram or a diff needs to know about one layer."""

    key: str  # unique in the graph: layers of nested models are "model/layer"
    name: str
    class_name: str
    parameters: int
    calls: int
    input_shape: str
    output_shape: str
    activation: str | None
    trainable: bool
    dtype: str
    arguments: dict[str, Any]  # the layer's full config without its name, as plain data
    model: str  # key of the nested model the layer sits in; "" for the outer model
    auto_named: bool  # named by Keras (dense_3), not by the model's author


@dataclass
class NestedModel:
    """A Functional or Sequential model called inside another: a group in diagrams."""

    key: str
    name: str
    class_name: str
    calls: int
    parent: str  # key of the enclosing nested model; "" for the outer model
    auto_named: bool


@dataclass
class LayerGraph:
    """Every layer of a model (nested models opened) and the connections between them."""

    name: str
    layers: dict[str, LayerInfo] = field(default_factory=dict)  # in topological order
    edges: list[tuple[str, str]] = field(default_factory=list)
    models: dict[str, NestedModel] = field(default_factory=dict)
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (name, shape)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (name, shape)
    output_layers: list[str] = field(default_factory=list)  # keys making the model's outputs
    # The Keras layer of each key, for what acts on the model (weight transfer); not compared.
    objects: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def total_parameters(self) -> int:
        return sum(layer.parameters for layer in self.layers.values())

    def successors(self) -> dict[str, list[str]]:
        following: dict[str, list[str]] = {key: [] for key in self.layers}
        for source, target in self.edges:
            following[source].append(target)
        return following

    def predecessors(self) -> dict[str, list[str]]:
        preceding: dict[str, list[str]] = {key: [] for key in self.layers}
        for source, target in self.edges:
            preceding[target].append(source)
        return preceding


def layer_graph(model: Any) -> LayerGraph:
    """Read `model` (a built `keras.Model`) into a `LayerGraph`."""
    reader = _Reader(LayerGraph(name=model.name))
    reader.read(model, prefix="", parent="")
    graph = reader.graph
    # Named by their InputLayer, as their boxes are (a bare `keras.Input()` names its tensor
    # `keras_tensor_N` but its layer `input_layer_N`, the name a saved model keeps).
    graph.inputs = [
        (tensor._keras_history.operation.name, format_shape(tensor.shape))
        for tensor in model.inputs
    ]
    graph.outputs = [
        (name, format_shape(tensor.shape))
        for name, tensor in zip(output_labels(model), model.outputs, strict=False)
    ]
    for tensor in model.outputs:
        operation = _resolve_source(tensor._keras_history)[0]
        key = reader.keys.get(id(operation))
        if key is not None and key not in graph.output_layers:
            graph.output_layers.append(key)
    return graph


def output_labels(model: Any) -> list[str]:
    """A name for each of `model.outputs`, in order: its key where the model returns a mapping
    (`keras.Model(x, {"a": ..., "b": ...})` is called for `y["a"]`, and compiled and fitted
    by key), the dotted path to it in a nested one (`feats.block1[0]`), and otherwise the
    name Keras gives it (the layer that makes it).

    Example:
        >>> import keras
        >>> x = keras.Input((3,), name="x")
        >>> model = keras.Model(x, {"b": keras.layers.Dense(1)(x), "a": keras.layers.Dense(2)(x)})
        >>> output_labels(model)
        ['a', 'b']
    """
    import keras

    structure = getattr(model, "_outputs_struct", None)
    if not _has_mapping(structure):
        names = getattr(model, "output_names", None) or [t.name for t in model.outputs]
        return [str(name) for name in names]
    return [_path_text(path) for path, _ in keras.tree.flatten_with_path(structure)]


def _has_mapping(structure: Any) -> bool:
    if isinstance(structure, dict):
        return True
    return isinstance(structure, (list, tuple)) and any(_has_mapping(s) for s in structure)


def _path_text(path: tuple) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text


class _Reader:
    """Walks a model as `model_to_dot(expand_nested=True)` does, keyed by qualified names."""

    def __init__(self, graph: LayerGraph):
        self.graph = graph
        self.keys: dict[int, str] = {}  # id(layer) -> key; a layer seen twice keeps its first

    def read(self, model: Any, *, prefix: str, parent: str) -> None:
        from keras.src.models import functional, sequential
        from keras.src.ops.function import make_node_key

        nested_types = (functional.Functional, sequential.Sequential)
        if isinstance(model, sequential.Sequential):
            layers = list(model.layers)
        elif isinstance(model, functional.Functional):
            layers = list(model._operations)
        else:  # a subclassed model is one box, as Keras draws it
            self.add_layer(model, prefix, parent, calls=1)
            return
        for layer in layers:
            if isinstance(layer, nested_types):
                key = prefix + layer.name
                self.graph.models[key] = NestedModel(
                    key=key,
                    name=layer.name,
                    class_name=type(layer).__name__,
                    calls=call_count(model, layer),
                    parent=parent,
                    auto_named=is_auto_named(layer),
                )
                self.read(layer, prefix=key + "/", parent=key)
            else:
                self.add_layer(layer, prefix, parent, calls=call_count(model, layer))

        if isinstance(model, sequential.Sequential):
            # The InputLayer of a Sequential is not drawn; its first layer takes the edge
            # coming from outside (see `_resolve_destination`).
            layers = layers[1:]
        for layer in layers:
            for index, node in enumerate(layer._inbound_nodes):
                if (
                    isinstance(model, functional.Functional)
                    and make_node_key(layer, index) not in model._nodes
                ):
                    continue  # a call belonging to another model
                for position, tensor in enumerate(node.input_tensors):
                    history = tensor._keras_history
                    if history.operation is None:
                        continue
                    source = _resolve_source(history)[0]
                    destination = _resolve_destination(layer, position)
                    self.add_edge(source, destination)

    def add_layer(self, layer: Any, prefix: str, parent: str, *, calls: int) -> None:
        if id(layer) in self.keys:
            return
        key = prefix + layer.name
        self.keys[id(layer)] = key
        self.graph.layers[key] = describe(layer, key=key, model=parent, calls=calls)
        self.graph.objects[key] = layer

    def add_edge(self, source: Any, destination: Any) -> None:
        edge = (self.keys[id(source)], self.keys[id(destination)])
        if edge not in self.graph.edges:
            self.graph.edges.append(edge)


def _resolve_source(history: Any) -> tuple[Any, int]:
    """The layer inside nested models that makes the tensor `history` points to."""
    from keras.src.models import functional, sequential

    source, output_index = history.operation, history.tensor_index
    while isinstance(source, (functional.Functional, sequential.Sequential)):
        source, _, output_index = source.outputs[output_index]._keras_history
    return source, output_index


def _resolve_destination(layer: Any, position: int) -> Any:
    from keras.src.models import functional, sequential

    while isinstance(layer, (functional.Functional, sequential.Sequential)):
        if isinstance(layer, functional.Functional):
            layer = layer.inputs[position]._keras_history.operation
        else:
            layer = layer.layers[0]
    return layer


def call_count(model: Any, layer: Any) -> int:
    """How many times `model`'s own graph calls `layer` (calls in other models don't count)."""
    own_nodes = getattr(model, "_nodes", None)
    if own_nodes is None:
        return 1
    from keras.src.ops.function import make_node_key

    return (
        sum(make_node_key(layer, index) in own_nodes for index in range(len(layer._inbound_nodes)))
        or 1
    )


def describe(layer: Any, *, key: str, model: str, calls: int) -> LayerInfo:
    """One layer as plain data (shapes from its first call, as Keras's diagram shows them)."""
    activation = getattr(layer, "activation", None)
    if activation is not None:
        activation = getattr(activation, "name", None) or getattr(
            activation, "__name__", str(activation)
        )
    try:
        config = layer.get_config()
    except Exception:  # a custom layer without get_config still gets a box
        config = {}
    arguments = {k: plain(v) for k, v in config.items() if k != "name"}
    return LayerInfo(
        key=key,
        name=layer.name,
        class_name=type(layer).__name__,
        parameters=parameters_of(layer),
        calls=calls,
        input_shape=_shape_of(layer, "input_tensors"),
        output_shape=_shape_of(layer, "output_tensors"),
        activation=activation,
        trainable=bool(getattr(layer, "trainable", True)),
        dtype=str(getattr(layer, "dtype", "") or ""),
        arguments=arguments,
        model=model,
        auto_named=is_auto_named(layer),
    )


def parameters_of(layer: Any) -> int:
    """The number of weights of `layer` (0 for one that cannot list them)."""
    try:
        return sum(_size(weight.shape) for weight in layer.weights)
    except Exception:  # a layer that cannot list its weights still gets a box
        return 0


def _size(shape: Any) -> int:
    size = 1
    for dim in shape:
        size *= int(dim)
    return size


def _shape_of(layer: Any, attribute: str) -> str:
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if not nodes:
        return "?"
    tensors = getattr(nodes[0], attribute, None) or []
    shapes = [format_shape(tensor.shape) for tensor in tensors]
    if not shapes:
        return "?"
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def format_shape(shape: Any) -> str:
    """`(None, 32, 32, 3)`: Keras's own way of writing a shape."""
    return (
        "("
        + ", ".join("None" if d is None else str(d) for d in shape)
        + (",)" if len(shape) == 1 else ")")
    )


def is_auto_named(layer: Any) -> bool:
    """Whether Keras named the layer after its class (`dense`, `dense_3`, `functional_1`)."""
    import re

    from keras.src.utils.naming import to_snake_case

    base = to_snake_case(type(layer).__name__)
    return re.fullmatch(rf"{re.escape(base)}(_\d+)?", layer.name) is not None


def plain(value: Any) -> Any:
    """A config value as JSON-friendly data for display and comparison (never for building)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return value.item()
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"<array {format_shape(value.shape)} {value.dtype}>"
    if callable(value):
        return f"<function {getattr(value, '__name__', type(value).__name__)}>"
    return f"<{type(value).__name__}>"
