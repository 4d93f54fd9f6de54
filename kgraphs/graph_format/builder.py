"""The graph format's builder: a checked `GraphSpec` as a `keras.Model`, node by node.

Errors Keras raises while a node is made or called are reported at that node. Keras (and its
backend) is imported when a graph is built, not when this module is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgraphs.catalog.keras_names import LAYERS
from kgraphs.config.limits import MAX_PARAMETERS
from kgraphs.graph_format.ops import OPS, op_function, parse_key
from kgraphs.graph_format.spec import GraphNode, GraphSpec
from kgraphs.util.errors import ConfigError, did_you_mean, first_line

if TYPE_CHECKING:
    import keras


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
                [(path, f"{what} failed on inputs {shapes}: {first_line(error)}")]
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
        return cls.from_config({**with_layer_modules(node.args), "name": node.name})
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
        raise ConfigError([(f"{path}.args", f"{node.layer}: {first_line(error)}")]) from None


def estimated_weights(layer: Any, input_shapes: list[tuple]) -> int:
    """How many weights `layer` will allocate on `input_shapes`, for the layers that allocate
    much (dense, embedding, convolution, recurrent, normalization); 0 for the rest.

    Exact for those layers on their last axis (what `count_params()` says once built), so the
    parameter limit is checked against what Keras would allocate.
    """
    import math

    from keras import layers

    channels = input_shapes[0][-1] if input_shapes and input_shapes[0] else None
    channels = channels or 0
    bias = 1 if getattr(layer, "use_bias", False) else 0
    if isinstance(layer, layers.Embedding):
        return layer.input_dim * layer.output_dim
    if isinstance(layer, layers.Dense):
        return (channels + bias) * layer.units
    recurrent = {layers.LSTM: 4, layers.GRU: 3, layers.SimpleRNN: 1}
    for cls, gates in recurrent.items():
        if isinstance(layer, cls):
            # A GRU with reset_after (Keras's default) has a bias for its recurrent kernel too.
            biases = bias * (2 if getattr(layer, "reset_after", False) else 1)
            return gates * layer.units * (channels + layer.units + biases)
    kernel = math.prod(getattr(layer, "kernel_size", ()) or (1,))
    if isinstance(layer, (layers.ConvLSTM1D, layers.ConvLSTM2D, layers.ConvLSTM3D)):
        # Four gates, each with a kernel on the input and one on the previous output.
        return 4 * layer.filters * (kernel * (channels + layer.filters) + bias)
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        depthwise = kernel * channels * layer.depth_multiplier
        return depthwise + channels * layer.depth_multiplier * layer.filters + bias * layer.filters
    if isinstance(layer, (layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        return (kernel + bias) * channels * layer.depth_multiplier
    if hasattr(layer, "filters") and hasattr(layer, "kernel_size"):
        # Grouped convolutions see channels / groups inputs per filter.
        groups = getattr(layer, "groups", None) or 1
        return kernel * (channels // groups) * layer.filters + bias * layer.filters
    if isinstance(layer, layers.BatchNormalization):
        # gamma and beta when scaled and centred; the moving mean and variance always.
        return (2 + layer.scale + layer.center) * channels
    if isinstance(layer, layers.LayerNormalization):
        return (layer.scale + layer.center) * channels
    return 0


def with_layer_modules(value: Any) -> Any:
    """Nested layer configs (Bidirectional's `layer`) with the module Keras needs to find them.

    Recipes may leave `module` out; wrappers deserialize their inner layer without Keras's
    table of layers, so a built-in layer class is pointed at `keras.layers` here.
    """
    if isinstance(value, dict):
        value = {key: with_layer_modules(item) for key, item in value.items()}
        if value.get("class_name") in LAYERS and "module" not in value:
            value = {**value, "module": "keras.layers", "registered_name": None}
        return value
    if isinstance(value, list):
        return [with_layer_modules(item) for item in value]
    return value
