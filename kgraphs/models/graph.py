"""Any Functional graph as data: inputs, nodes that call built-in layers, outputs.

    config:
      inputs:
        - {name: title, shape: [null], dtype: int32}
      nodes:
        - {name: embed, layer: Embedding, args: {input_dim: 10000, output_dim: 64}, inputs: title}
        - {name: encode, layer: LSTM, args: {units: 32}, inputs: embed}
        - {name: embed_b, reuse: embed, inputs: body}      # the same layer again: shared weights
        - {name: tower, graph: {inputs: [...], nodes: [...], outputs: out}, inputs: x}
        - {name: attend, layer: MultiHeadAttention, args: {num_heads: 2, key_dim: 8},
           inputs: {query: encode, value: encode}, call: {use_causal_mask: true}}
        - {name: encoder, layer: LSTM, args: {units: 8, return_state: true}, inputs: embed,
           outputs: [sequence, state_h, state_c]}            # a node with several outputs
        - {name: decoder, layer: LSTM, args: {units: 8},
           inputs: {sequences: target, initial_state: [state_h, state_c]}}
        - {name: residual, op: add, inputs: {x1: attend, x2: encode}}   # keras.ops.add
      outputs: [encode]

`layer` names a built-in `keras.layers` class (never one that carries code); `args` are its
constructor arguments as plain values, with Keras's serialized form for initializers,
regularizers and constraints. `reuse` calls an earlier node's layer (or nested graph) again;
`op` calls one of the allow-listed `keras.ops` functions (see `kgraphs.graph_ops`).

`inputs` is what the node is called on: one name (one tensor), a list of names (one argument
that is a list, as `Concatenate` takes), or a mapping from the call's parameter names to names
or lists of names (`MultiHeadAttention`'s query, value and key, an RNN's `initial_state`).
`call` holds the call's other keyword arguments as plain values. A node whose call returns
several tensors names them in `outputs`, and later nodes use those names.

Names, references, layer classes, ops and arguments are checked before anything is built;
errors Keras raises while a node is called are reported at that node.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from kgraphs.errors import ConfigError, did_you_mean, given
from kgraphs.graph_ops import MAX_CONSTANT_VALUES, OPS, constant_size, op_function, parse_key
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
    # The keras.Input's name: what nodes use, and the key of its data in fit and predict.
    name: NodeName
    # The shape of one example, without the batch; null for a size that varies.
    shape: Annotated[tuple[Dimension | None, ...], Field(max_length=8)]
    # The tensor's dtype (string inputs build on TensorFlow only).
    dtype: DType = "float32"


References = Annotated[list[NodeName], Field(min_length=1, max_length=1000)]
ParameterName = Annotated[Str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")]


class GraphNode(StrictConfig):
    # The node's name, which later nodes and `outputs` use; its layer is named after it.
    name: NodeName
    # A built-in keras.layers class to create and call (one of layer, op, reuse or graph).
    layer: Str | None = None
    # An allow-listed keras.ops function to call (one of layer, op, reuse or graph).
    op: Str | None = None
    # The layer's constructor arguments, or the op's non-tensor arguments, as plain values.
    args: dict[Str, Any] = Field(default_factory=dict)
    # An earlier node whose layer (or nested graph) is called again: shared weights.
    reuse: NodeName | None = None
    # A nested graph, built as a model and called as one layer (one of layer, op, reuse, graph).
    graph: GraphSpec | None = None
    # What the node is called on: a name, a list of names (one list argument) or a mapping
    # from the call's parameter names to names or lists of names.
    inputs: (
        NodeName
        | References
        | Annotated[dict[ParameterName, NodeName | References], Field(min_length=1)]
    )
    # The call's other keyword arguments, as plain values (training, use_causal_mask, ...).
    call: dict[ParameterName, Any] = Field(default_factory=dict)
    # Names for the tensors of a call that returns several, which later nodes use.
    outputs: Annotated[list[NodeName], Field(min_length=2, max_length=100)] | None = None

    @property
    def references(self) -> list[tuple[str, str]]:
        """(reference, where in `inputs` it is) for every name the node is called on."""
        if isinstance(self.inputs, str):
            return [(self.inputs, "inputs")]
        if isinstance(self.inputs, list):
            return [(name, f"inputs[{i}]") for i, name in enumerate(self.inputs)]
        found = []
        for key, value in self.inputs.items():
            if isinstance(value, str):
                found.append((value, f"inputs.{key}"))
            else:
                found += [(name, f"inputs.{key}[{i}]") for i, name in enumerate(value)]
        return found

    @property
    def defines(self) -> list[str]:
        """The names this node makes: its own, or those of its several outputs."""
        return list(self.outputs) if self.outputs else [self.name]


class GraphSpec(StrictConfig):
    # The model's inputs, each a keras.Input.
    inputs: Annotated[list[GraphInput], Field(min_length=1, max_length=1000)]
    # The calls, in order: each node may use inputs and earlier nodes only.
    nodes: Annotated[list[GraphNode], Field(max_length=20_000)]
    # The model's outputs: a name, or a list of names (a model with several outputs).
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
    taken: dict[str, str] = {}  # every name (input, node, node output) -> where it was defined
    tensors: set[str] = set()  # the names that stand for one tensor so far
    several: dict[str, list[str]] = {}  # node name -> the names of its several outputs
    later = {
        name: f"nodes[{i}]"
        for i, node in enumerate(spec.nodes)
        for name in [node.name, *(node.outputs or [])]
    }
    layer_nodes: dict[str, GraphNode] = {}

    def check_reference(name: str, path: str) -> None:
        if name in tensors:
            return
        if name in several:
            problems.append((at(path), f"{name!r} has several outputs; use one of {several[name]}"))
        elif name in taken or name in later:
            problems.append(
                (
                    at(path),
                    f"{name!r} is used before it is defined (at {later[name]});"
                    " a node may only use inputs and earlier nodes",
                )
            )
        else:
            problems.append(
                (at(path), f"unknown name {name!r}{did_you_mean(name, list(taken) + list(later))}")
            )

    def define(name: str, path: str) -> None:
        if name in taken:
            problems.append((at(path), f"duplicate name {name!r} (first at {taken[name]})"))
        taken.setdefault(name, path.removesuffix(".name"))

    inputs = {graph_input.name for graph_input in spec.inputs}
    for index, graph_input in enumerate(spec.inputs):
        define(graph_input.name, f"inputs[{index}].name")
        tensors.add(graph_input.name)

    for index, node in enumerate(spec.nodes):
        path = f"nodes[{index}]"
        kinds = [k for k in ("layer", "op", "reuse", "graph") if getattr(node, k) is not None]
        if len(kinds) != 1:
            problems.append(
                (
                    at(path),
                    "expected exactly one of layer, op, reuse or graph; given "
                    f"{', '.join(kinds) or 'none'}",
                )
            )
        if node.args and node.layer is None and node.op is None:
            problems.append((at(f"{path}.args"), "args go with layer or op only"))
        if node.call and node.op is not None:
            problems.append(
                (at(f"{path}.call"), "an op takes everything in inputs (tensors) and args")
            )
        problems += [
            (at(f"{path}.call.{p}".rstrip(".")), m) for p, m in _value_problems(node.call, "")
        ]
        if node.layer is not None:
            problems += [(at(f"{path}.{p}"), m) for p, m in _layer_problems(node)]
            layer_nodes[node.name] = node
        if node.op is not None:
            problems += [(at(f"{path}.{p}"), m) for p, m in _op_problems(node)]
        if node.graph is not None:
            problems += graph_problems(node.graph, at(f"{path}.graph"))
            layer_nodes[node.name] = node
        if node.reuse is not None:
            if node.reuse in layer_nodes:
                layer_nodes[node.name] = layer_nodes[node.reuse]
            elif node.reuse in inputs:
                problems.append(
                    (at(f"{path}.reuse"), f"{node.reuse!r} is an input, not a layer to call again")
                )
            elif node.reuse in taken:
                problems.append(
                    (
                        at(f"{path}.reuse"),
                        f"{node.reuse!r} is not a layer or graph node; only those can be called "
                        "again",
                    )
                )
            else:
                check_reference(node.reuse, f"{path}.reuse")
        for reference, place in node.references:
            check_reference(reference, f"{path}.{place}")
        define(node.name, f"{path}.name")
        if node.outputs:
            several[node.name] = list(node.outputs)
            for position, output in enumerate(node.outputs):
                define(output, f"{path}.outputs[{position}]")
                tensors.add(output)
        else:
            tensors.add(node.name)

    outputs = spec.output_list
    for position, name in enumerate(outputs):
        suffix = "" if isinstance(spec.outputs, str) else f"[{position}]"
        if name in several:
            problems.append(
                (
                    at(f"outputs{suffix}"),
                    f"{name!r} has several outputs; use one of {several[name]}",
                )
            )
        elif name not in tensors:
            problems.append(
                (at(f"outputs{suffix}"), f"unknown name {name!r}{did_you_mean(name, tensors)}")
            )
        elif outputs.index(name) != position:
            problems.append((at(f"outputs{suffix}"), f"{name!r} is listed twice"))
    if not problems:
        problems += _unused(spec, at)
    return problems


def _unused(spec: GraphSpec, at) -> list[tuple[str, str]]:
    """Inputs and nodes that nothing leading to an output uses (a sign of a wiring mistake)."""
    uses: dict[str, list[str]] = {}
    for node in spec.nodes:
        uses[node.name] = [name for name, _ in node.references] + (
            [node.reuse] if node.reuse else []
        )
        for output in node.outputs or []:
            uses[output] = [node.name]
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


def _op_problems(node: GraphNode) -> list[tuple[str, str]]:
    """An op node against the allow-list: its name, its operands and its arguments."""
    if node.op not in OPS:
        return [
            (
                "op",
                f"{node.op!r} is not an op recipes may call; expected one of the allowed "
                f"keras.ops functions{did_you_mean(node.op, OPS)} (or use a layer: "
                "Activation, Add, Multiply, Reshape, Permute ...)",
            )
        ]
    signature = OPS[node.op]
    problems: list[tuple[str, str]] = []
    if isinstance(node.inputs, list):
        example = ", ".join(f"{name}: ..." for name in signature.operands)
        problems.append(
            ("inputs", f"an op takes its tensors by parameter name, e.g. inputs: {{{example}}}")
        )
        tensor_arguments: set[str] = set()
    elif isinstance(node.inputs, str):
        tensor_arguments = {signature.operands[0]}
    else:
        tensor_arguments = set(node.inputs)
        for key in node.inputs:
            if key not in signature.operands:
                problems.append(
                    (
                        f"inputs.{key}",
                        f"{node.op} has no tensor operand {key!r}; expected one of "
                        f"{list(signature.operands)}{did_you_mean(key, signature.operands)}",
                    )
                )
    for key, value in node.args.items():
        if key not in signature.parameters:
            problems.append(
                (
                    f"args.{key}",
                    f"unknown argument of {node.op}; expected one of "
                    f"{list(signature.parameters)}{did_you_mean(key, signature.parameters)}",
                )
            )
        elif key in tensor_arguments:
            problems.append((f"args.{key}", f"{key!r} is given in inputs already"))
        elif node.op == "get_item" and key == "key":
            try:
                parse_key(value)
            except ValueError as error:
                problems.append((f"args.{key}", f"{error}; given {given(value)}"))
        elif constant_size(value) > MAX_CONSTANT_VALUES:
            problems.append(
                (
                    f"args.{key}",
                    f"expected at most {MAX_CONSTANT_VALUES:,} values in a constant; "
                    f"given {constant_size(value):,} (weights belong in a layer)",
                )
            )
    missing = [p for p in signature.required if p not in tensor_arguments and p not in node.args]
    if missing and not isinstance(node.inputs, list):
        problems.append(("args", f"{node.op} needs {', '.join(missing)}"))
    problems += [(f"args.{p}".rstrip("."), m) for p, m in _value_problems(node.args, "")]
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

    _refuse_string_inputs(spec, where=where, backend=keras.config.backend())
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
            shapes = [tuple(tensors[reference].shape) for reference, _ in node.references]
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
        elif node.reuse is not None:
            callables[node.name] = callables[node.reuse]
        try:
            result = _call_node(node, callables.get(node.name), tensors)
        except ConfigError:
            raise
        except Exception as error:
            shapes = ", ".join(f"{ref} {tuple(tensors[ref].shape)}" for ref, _ in node.references)
            what = node.layer or (f"op {node.op}" if node.op else None)
            what = what or (f"reuse of {node.reuse}" if node.reuse else "nested graph")
            raise ConfigError(
                [(path, f"{what} failed on inputs {shapes}: {_first_line(error)}")]
            ) from None
        if node.outputs:
            results = keras.tree.flatten(result)
            if len(results) != len(node.outputs):
                raise ConfigError(
                    [
                        (
                            f"{path}.outputs",
                            f"the call returns {len(results)} tensors; given "
                            f"{len(node.outputs)} names",
                        )
                    ]
                )
            tensors.update(zip(node.outputs, results, strict=True))
        else:
            tensors[node.name] = result
    outputs = [tensors[output] for output in spec.output_list]
    return keras.Model(
        inputs=[tensors[item.name] for item in spec.inputs],
        outputs=outputs[0] if isinstance(spec.outputs, str) else outputs,
        name=name,
    )


def _call_node(node: GraphNode, function: Any, tensors: dict[str, Any]) -> Any:
    """Call a node's layer (or op) on its inputs, as the recipe spells the call."""
    import keras

    def resolve(value: str | list[str]) -> Any:
        return tensors[value] if isinstance(value, str) else [tensors[name] for name in value]

    if node.op is not None:
        result = _call_op(node, resolve)
        # keras.ops functions take no name; give the op its node's, as the original had it
        # (output_names and diagrams read it).
        for tensor in keras.tree.flatten(result):
            tensor._keras_history.operation.name = node.name
        return result
    if isinstance(node.inputs, dict):
        # The leading parameters go positionally, as people write such calls (an RNN's
        # sequences, attention's query and value): Keras orders a graph's layers by the order
        # in which calls pass tensors, so this keeps `model.layers` as the original had it.
        import inspect

        remaining = {key: resolve(value) for key, value in node.inputs.items()}
        positional = []
        for parameter in inspect.signature(function.call).parameters:
            if parameter not in remaining:
                break
            positional.append(remaining.pop(parameter))
        return function(*positional, **remaining, **node.call)
    return function(resolve(node.inputs), **node.call)


def _call_op(node: GraphNode, resolve) -> Any:
    import numpy as np

    signature = OPS[node.op]
    if isinstance(node.inputs, str):
        arguments = {signature.operands[0]: resolve(node.inputs)}
    else:
        arguments = {key: resolve(value) for key, value in node.inputs.items()}
    for key, value in node.args.items():
        if node.op == "get_item" and key == "key":
            value = parse_key(value)
        elif key in signature.operands and isinstance(value, list):
            # A constant operand (preprocess_input's channel means): an array of its own kind.
            array = np.asarray(value)
            value = array.astype("float32" if array.dtype.kind == "f" else array.dtype)
        arguments[key] = value
    return op_function(node.op)(**arguments)


def _refuse_string_inputs(spec: GraphSpec, *, where: str, backend: str) -> None:
    """Only TensorFlow tensors hold strings. On another backend a string input builds and then
    fails on the first batch with "Invalid dtype: str32", far from the recipe, so say it here."""
    if backend == "tensorflow":
        return
    problems = [
        (
            f"{where}.inputs[{index}].dtype",
            f"expected a numeric dtype on the {backend} backend (only TensorFlow feeds strings "
            f"to a model); given 'string'. Turn the text into integer ids before the model (a "
            "StringLookup or TextVectorization in your tf.data pipeline) and give this input an "
            "integer dtype, or run on KERAS_BACKEND=tensorflow",
        )
        for index, item in enumerate(spec.inputs)
        if item.dtype == "string"
    ]
    if problems:
        raise ConfigError(problems)


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
