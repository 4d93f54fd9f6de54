"""Any Functional graph as data: inputs, nodes that call built-in layers, outputs.

    config:
      inputs:
        - {name: title, shape: [null], dtype: int32}
      nodes:
        - {name: embed, layer: Embedding, args: {input_dim: 10000, output_dim: 64}, inputs: title}
        - {name: encode, layer: LSTM, args: {units: 32}, inputs: embed}
        - {name: embed_b, reuse: embed, inputs: body}      # the same layer again: shared weights
        - {name: tower, graph: {inputs: [...], nodes: [...], outputs: out}, inputs: x}
      outputs: [encode]

`layer` names a built-in `keras.layers` class (never one that carries code); `args` are its
constructor arguments as plain values, with Keras's serialized form for initializers,
regularizers and constraints. `reuse` calls an earlier node's layer (or nested graph) again.
Names, references, layer classes and arguments are checked before anything is built; errors
Keras raises while a node is called are reported at that node.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from kgraphs.errors import ConfigError, did_you_mean, given
from kgraphs.keras_names import LAYERS, REFUSED_LAYERS
from kgraphs.registry import MAX_PARAMETERS, ArchitectureConfig, register
from kgraphs.validation import Int, Str, StrictConfig

if TYPE_CHECKING:
    import keras

NodeName = Annotated[Str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]{0,199}$")]
DType = Literal[
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
    "string",
]
Dimension = Annotated[Int, Field(ge=1, le=1_000_000)]
# A serialized Keras object: {class_name: GlorotUniform, config: {...}}; "module" may only name
# Keras itself, so deserializing never imports anything else.
_SERIALIZED_KEYS = {"class_name", "config", "module", "registered_name", "build_config"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class GraphInput(StrictConfig):
    name: NodeName
    shape: Annotated[tuple[Dimension | None, ...], Field(max_length=8)]
    dtype: DType = "float32"


class GraphNode(StrictConfig):
    name: NodeName
    layer: Str | None = None
    args: dict[Str, Any] = Field(default_factory=dict)
    reuse: NodeName | None = None
    graph: GraphSpec | None = None
    inputs: NodeName | Annotated[list[NodeName], Field(min_length=1, max_length=1000)]

    @property
    def references(self) -> list[str]:
        return [self.inputs] if isinstance(self.inputs, str) else list(self.inputs)


class GraphSpec(StrictConfig):
    inputs: Annotated[list[GraphInput], Field(min_length=1, max_length=1000)]
    nodes: Annotated[list[GraphNode], Field(max_length=20_000)]
    outputs: NodeName | Annotated[list[NodeName], Field(min_length=1, max_length=1000)]

    @property
    def output_list(self) -> list[str]:
        return [self.outputs] if isinstance(self.outputs, str) else list(self.outputs)

    def problems(self) -> list[tuple[str, str]]:
        return graph_problems(self)


class GraphConfig(GraphSpec, ArchitectureConfig):
    def output_names(self) -> tuple[str, ...]:
        return tuple(self.output_list)


GraphNode.model_rebuild()


def graph_problems(spec: GraphSpec, where: str = "") -> list[tuple[str, str]]:
    """Every structural problem of a graph, located (`nodes[3].inputs[1]`), before building."""
    at = lambda path: f"{where}.{path}" if where else path  # noqa: E731
    problems: list[tuple[str, str]] = []
    defined: dict[str, str] = {}  # name -> where it was defined
    later = {node.name: f"nodes[{i}]" for i, node in enumerate(spec.nodes)}
    layer_nodes: dict[str, GraphNode] = {}

    def check_reference(name: str, path: str) -> None:
        if name in defined:
            return
        if name in later:
            problems.append(
                (
                    at(path),
                    f"{name!r} is used before it is defined (at {later[name]});"
                    " a node may only use inputs and earlier nodes",
                )
            )
        else:
            problems.append(
                (
                    at(path),
                    f"unknown name {name!r}{did_you_mean(name, list(defined) + list(later))}",
                )
            )

    for index, graph_input in enumerate(spec.inputs):
        if graph_input.name in defined:
            problems.append(
                (
                    at(f"inputs[{index}].name"),
                    f"duplicate name {graph_input.name!r} (first at {defined[graph_input.name]})",
                )
            )
        defined.setdefault(graph_input.name, f"inputs[{index}]")

    for index, node in enumerate(spec.nodes):
        path = f"nodes[{index}]"
        kinds = [kind for kind in ("layer", "reuse", "graph") if getattr(node, kind) is not None]
        if len(kinds) != 1:
            problems.append(
                (
                    at(path),
                    "expected exactly one of layer, reuse or graph; given "
                    f"{', '.join(kinds) or 'none'}",
                )
            )
        if node.args and node.layer is None:
            problems.append((at(f"{path}.args"), "args go with layer only"))
        if node.layer is not None:
            problems += [(at(f"{path}.{p}"), m) for p, m in _layer_problems(node)]
            layer_nodes[node.name] = node
        if node.graph is not None:
            problems += graph_problems(node.graph, at(f"{path}.graph"))
            layer_nodes[node.name] = node
        if node.reuse is not None:
            if node.reuse in layer_nodes:
                layer_nodes[node.name] = layer_nodes[node.reuse]
            else:
                check_reference(node.reuse, f"{path}.reuse")
                if node.reuse in defined:
                    problems.append(
                        (
                            at(f"{path}.reuse"),
                            f"{node.reuse!r} is an input, not a layer to call again",
                        )
                    )
        for position, reference in enumerate(node.references):
            suffix = "" if isinstance(node.inputs, str) else f"[{position}]"
            check_reference(reference, f"{path}.inputs{suffix}")
        if node.name in defined:
            problems.append(
                (
                    at(f"{path}.name"),
                    f"duplicate name {node.name!r} (first at {defined[node.name]})",
                )
            )
        defined.setdefault(node.name, path)

    outputs = spec.output_list
    for position, name in enumerate(outputs):
        suffix = "" if isinstance(spec.outputs, str) else f"[{position}]"
        if name not in defined:
            problems.append(
                (at(f"outputs{suffix}"), f"unknown name {name!r}{did_you_mean(name, defined)}")
            )
        elif outputs.index(name) != position:
            problems.append((at(f"outputs{suffix}"), f"{name!r} is listed twice"))
    if not problems:
        problems += _unused(spec, at)
    return problems


def _unused(spec: GraphSpec, at) -> list[tuple[str, str]]:
    """Inputs and nodes that nothing leading to an output uses (a sign of a wiring mistake)."""
    uses = {
        node.name: node.references + ([node.reuse] if node.reuse else []) for node in spec.nodes
    }
    reached, frontier = set(), list(spec.output_list)
    while frontier:
        name = frontier.pop()
        if name not in reached:
            reached.add(name)
            frontier += uses.get(name, [])
    problems = []
    for index, graph_input in enumerate(spec.inputs):
        if graph_input.name not in reached:
            problems.append(
                (at(f"inputs[{index}]"), f"input {graph_input.name!r} is not used by any output")
            )
    for index, node in enumerate(spec.nodes):
        if node.name not in reached:
            problems.append(
                (at(f"nodes[{index}]"), f"node {node.name!r} does not lead to any output")
            )
    return problems


def _layer_problems(node: GraphNode) -> list[tuple[str, str]]:
    if node.layer in REFUSED_LAYERS:
        return [("layer", f"{node.layer} is refused: {REFUSED_LAYERS[node.layer]}")]
    if node.layer not in LAYERS:
        return [
            (
                "layer",
                f"unknown layer class {node.layer!r}; expected a built-in keras.layers"
                f" class{did_you_mean(node.layer, LAYERS - REFUSED_LAYERS.keys())}",
            )
        ]
    problems = []
    if "name" in node.args:
        problems.append(("args.name", "the layer is named after its node; remove `name`"))
    problems += [(f"args.{path}", message) for path, message in _value_problems(node.args, "")]
    return problems


def _value_problems(value: Any, path: str) -> list[tuple[str, str]]:
    """Arguments must be plain data; serialized objects may only be Keras's own."""
    if isinstance(value, dict):
        problems = []
        if "class_name" in value:
            class_name = value["class_name"]
            extra = set(value) - _SERIALIZED_KEYS
            module = value.get("module")
            registered = value.get("registered_name")
            if not isinstance(class_name, str) or not _IDENTIFIER.match(class_name):
                problems.append(
                    (
                        path or "(args)",
                        f"class_name must be a plain Keras name; given {given(class_name)}",
                    )
                )
            elif class_name in REFUSED_LAYERS:
                problems.append(
                    (path or "(args)", f"{class_name} is refused: {REFUSED_LAYERS[class_name]}")
                )
            if extra:
                problems.append(
                    (path or "(args)", f"unexpected keys {sorted(extra)} in a serialized object")
                )
            if module is not None and not (
                isinstance(module, str) and (module == "keras" or module.startswith("keras."))
            ):
                problems.append(
                    (
                        f"{path}.module".lstrip("."),
                        f"only Keras's own modules may be named; given {given(module)}",
                    )
                )
            if registered is not None and not (
                isinstance(registered, str) and _IDENTIFIER.match(registered)
            ):
                problems.append(
                    (
                        f"{path}.registered_name".lstrip("."),
                        f"custom registered objects are refused; given {given(registered)}",
                    )
                )
        for key, item in value.items():
            problems += _value_problems(item, f"{path}.{key}".lstrip("."))
        return problems
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _value_problems(item, f"{path}[{i}]")]
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and value != value:
            return [(path, "NaN is not a usable argument")]
        return []
    return [(path, f"expected a plain value; given {type(value).__name__}")]


@register(GraphConfig)
def graph(config: GraphConfig, *, name: str) -> keras.Model:
    """Any Functional graph of built-in Keras layers, described as data.

    Example:
        >>> import kgraphs
        >>> model = kgraphs.graph({
        ...     "inputs": [{"name": "features", "shape": [8]}],
        ...     "nodes": [
        ...         {"name": "hidden", "layer": "Dense", "args": {"units": 4, "activation": "relu"},
        ...          "inputs": "features"},
        ...         {"name": "score", "layer": "Dense", "args": {"units": 1}, "inputs": "hidden"},
        ...     ],
        ...     "outputs": "score",
        ... })
        >>> model.count_params(), model.output_names
        (41, ['score'])
    """
    return build_graph(config, name=name, where="config")


def build_graph(spec: GraphSpec, *, name: str, where: str) -> keras.Model:
    import keras

    tensors: dict[str, Any] = {
        item.name: keras.Input(shape=item.shape, dtype=item.dtype, name=item.name)
        for item in spec.inputs
    }
    callables: dict[str, Any] = {}
    parameters = 0
    for index, node in enumerate(spec.nodes):
        path = f"{where}.nodes[{index}]"
        if node.layer is not None:
            callables[node.name] = _make_layer(node, path)
            # Weights are allocated when a layer is first called; refuse before that.
            shapes = [tuple(tensors[reference].shape) for reference in node.references]
            parameters += estimated_weights(callables[node.name], shapes)
            if parameters > MAX_PARAMETERS:
                raise ConfigError(
                    [
                        (
                            path,
                            f"the graph reaches about {parameters:,} parameters"
                            f" here, over the limit of {MAX_PARAMETERS:,} (set "
                            "KGRAPHS_MAX_PARAMETERS to allow more)",
                        )
                    ]
                )
        elif node.graph is not None:
            callables[node.name] = build_graph(node.graph, name=node.name, where=f"{path}.graph")
        else:
            callables[node.name] = callables[node.reuse]
        arguments = (
            tensors[node.inputs]
            if isinstance(node.inputs, str)
            else [tensors[reference] for reference in node.inputs]
        )
        try:
            tensors[node.name] = callables[node.name](arguments)
        except ConfigError:
            raise
        except Exception as error:
            shapes = ", ".join(f"{ref} {tuple(tensors[ref].shape)}" for ref in node.references)
            what = node.layer or (f"reuse of {node.reuse}" if node.reuse else "nested graph")
            raise ConfigError(
                [(path, f"{what} failed on inputs {shapes}: {_first_line(error)}")]
            ) from None
    outputs = [tensors[output] for output in spec.output_list]
    return keras.Model(
        inputs=[tensors[item.name] for item in spec.inputs],
        outputs=outputs[0] if isinstance(spec.outputs, str) else outputs,
        name=name,
    )


def _make_layer(node: GraphNode, path: str) -> Any:
    import inspect

    import keras

    cls = getattr(keras.layers, node.layer)
    try:
        return cls.from_config({**_with_layer_modules(node.args), "name": node.name})
    except Exception as error:
        known = {
            name
            for function in (cls.__init__, keras.layers.Layer.__init__)
            for name in inspect.signature(function).parameters
            if name not in ("self", "kwargs", "args")
        }
        unknown = [key for key in node.args if key not in known]
        if unknown:
            raise ConfigError(
                [
                    (
                        f"{path}.args.{key}",
                        f"unknown argument of {node.layer}{did_you_mean(key, known)}",
                    )
                    for key in unknown
                ]
            ) from None
        raise ConfigError([(f"{path}.args", f"{node.layer}: {_first_line(error)}")]) from None


def estimated_weights(layer: Any, input_shapes: list[tuple]) -> int:
    """How many weights `layer` will allocate on `input_shapes`, for the layers that allocate
    much (dense, embedding, convolution, recurrent, normalization); 0 for the rest."""
    import math

    from keras import layers

    channels = input_shapes[0][-1] if input_shapes and input_shapes[0] else None
    channels = channels or 0
    if isinstance(layer, layers.Embedding):
        return layer.input_dim * layer.output_dim
    if isinstance(layer, layers.Dense):
        return (channels + 1) * layer.units
    recurrent = {layers.LSTM: 4, layers.GRU: 3, layers.SimpleRNN: 1}
    for cls, gates in recurrent.items():
        if isinstance(layer, cls):
            return gates * (layer.units * (channels + layer.units) + 2 * layer.units)
    kernel = math.prod(getattr(layer, "kernel_size", ()) or (1,))
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        depthwise = kernel * channels * layer.depth_multiplier
        return depthwise + channels * layer.depth_multiplier * layer.filters + layer.filters
    if isinstance(layer, (layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        return kernel * channels * layer.depth_multiplier + channels * layer.depth_multiplier
    if hasattr(layer, "filters") and hasattr(layer, "kernel_size"):
        return kernel * channels * layer.filters + layer.filters
    if isinstance(layer, (layers.BatchNormalization, layers.LayerNormalization)):
        return 4 * channels
    return 0


def _with_layer_modules(value: Any) -> Any:
    """Nested layer configs (Bidirectional's `layer`) with the module Keras needs to find them.

    Recipes may leave `module` out; wrappers deserialize their inner layer without Keras's
    table of layers, so a built-in layer class is pointed at `keras.layers` here.
    """
    if isinstance(value, dict):
        value = {key: _with_layer_modules(item) for key, item in value.items()}
        if value.get("class_name") in LAYERS and "module" not in value:
            value = {**value, "module": "keras.layers", "registered_name": None}
        return value
    if isinstance(value, list):
        return [_with_layer_modules(item) for item in value]
    return value


def _first_line(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:500]
