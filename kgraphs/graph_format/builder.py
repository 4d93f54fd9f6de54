"""The graph format's builder: a checked `GraphSpec` as a `keras.Model`, node by node.

Errors Keras raises while a node is made or called are reported at that node, and every such
problem is reported at once: after a node fails, the nodes that do not depend on it are still
made and called (without weights, since the model is refused anyway), and those that do are
skipped rather than reported again. Keras (and its backend) is imported when a graph is built,
not when this module is.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

from kgraphs.catalog.keras_names import LAYERS
from kgraphs.config.limits import (
    allocates_weights,
    allocating,
    over_parameter_limit,
    without_weights,
)
from kgraphs.graph_format.ops import OPS, op_function, parse_key
from kgraphs.graph_format.spec import GraphNode, GraphSpec, map_structure
from kgraphs.util.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import keras


def build_graph(spec: GraphSpec, *, name: str, where: str) -> keras.Model:
    """The model `spec` describes, or a ConfigError with every problem Keras finds in it.

    The parameter limit guards memory, so it applies where weights are really allocated: not
    inside `without_weights`.
    """
    with contextlib.ExitStack() as scope:
        builder = _Builder(scope)
        model = builder.graph(spec, name=name, where=where)
        if model is None:
            raise ConfigError(builder.problems)
        return model


class _Builder:
    """One build: the problems found so far, the parameters counted (nested graphs included)
    and the scope that, once a problem is found, makes the rest of the build structure only."""

    def __init__(self, scope: contextlib.ExitStack):
        self.scope = scope
        self.problems: list[tuple[str, str]] = []
        self.parameters = 0
        self.refused = False

    def refuse(self) -> None:
        """The model will not be returned: check the rest of it without allocating weights."""
        if not self.refused:
            self.refused = True
            self.scope.enter_context(without_weights())

    def graph(self, spec: GraphSpec, *, name: str, where: str) -> keras.Model | None:
        """The model of `spec`, or None when a problem was found in it (in `problems`)."""
        import keras

        found = len(self.problems)
        try:
            _refuse_tensorflow_only_inputs(spec, where=where, backend=keras.config.backend())
        except ConfigError as error:
            self.problems += error.problems
            return None
        tensors: dict[str, Any] = {
            item.name: keras.Input(
                shape=item.shape,
                dtype=item.dtype,
                name=item.name,
                batch_size=item.batch_size,
                sparse=item.sparse,
                ragged=item.ragged,
            )
            for _, item in spec.input_items
        }
        callables: dict[str, Any] = {}
        failed: set[str] = set()
        for index, node in enumerate(spec.nodes):
            needs = {reference for reference, _ in node.references} | {node.reuse} - {None}
            if needs & failed:
                # It depends on a node that failed: its problems would be that node's again.
                failed.update([node.name, *node.defines])
                continue
            try:
                self.node(node, f"{where}.nodes[{index}]", tensors, callables)
            except ConfigError as error:
                self.problems += error.problems
                failed.update([node.name, *node.defines])
                self.refuse()
        if len(self.problems) > found:
            self.refuse()
            return None
        # The structures Keras is given are the recipe's own: one, a list or a mapping.
        model = keras.Model(
            inputs=map_structure(lambda item: tensors[item.name], spec.inputs),
            outputs=map_structure(lambda output: tensors[output], spec.outputs),
            name=name,
        )
        if not spec.trainable:
            model.trainable = False  # freezes every layer in it, as in Keras
        return model

    def node(
        self, node: GraphNode, path: str, tensors: dict[str, Any], callables: dict[str, Any]
    ) -> None:
        """Make and call one node, adding what it returns to `tensors`; a ConfigError when
        it fails (with no problems when they are already recorded, as a nested graph's)."""
        import keras

        if node.layer is not None:
            wrapped = None
            if node.graph is not None:  # a wrapper's layer: TimeDistributed(a model)
                wrapped = self.graph(node.graph, name=node.name, where=f"{path}.graph")
                if wrapped is None:
                    raise ConfigError([])
            callables[node.name] = _make_layer(node, path, wrapped=wrapped)
            # Weights are allocated when a layer is first called; refuse before that.
            shapes = [tuple(tensors[reference].shape) for reference, _ in node.references]
            if allocates_weights():  # only what will be allocated counts against the limit
                self.parameters += weights_before_allocating(
                    node, callables[node.name], shapes, tensors
                )
            refusal = over_parameter_limit(self.parameters, where="here the graph reaches")
            if refusal and allocates_weights():
                self.problems.append((path, refusal))
                # Still called, without weights, so that its shapes and its dependents are
                # checked too.
                self.refuse()
        elif node.graph is not None:
            nested = self.graph(node.graph, name=node.name, where=f"{path}.graph")
            if nested is None:
                raise ConfigError([])
            callables[node.name] = nested
        elif node.reuse is not None:
            callables[node.name] = callables[node.reuse]
        called = callables.get(node.name)
        # A stateful RNN builds its states from values: allocated even in a structure.
        needs_values = getattr(called, "stateful", False) and not allocates_weights()
        try:
            with allocating() if needs_values else contextlib.nullcontext():
                result = _call_node(node, called, tensors)
        except ConfigError:
            raise
        except Exception as error:
            shapes = ", ".join(f"{ref} {tuple(tensors[ref].shape)}" for ref, _ in node.references)
            what = node.layer or (f"op {node.op}" if node.op else None)
            what = what or (f"reuse of {node.reuse}" if node.reuse else "nested graph")
            raise ConfigError(
                [(path, f"{what} failed on inputs {shapes}: {keras_cause(error)}")]
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


def _refuse_tensorflow_only_inputs(spec: GraphSpec, *, where: str, backend: str) -> None:
    """Only TensorFlow tensors hold strings. On another backend a string input builds and then
    fails on the first batch with "Invalid dtype: str32", far from the recipe, so say it here;
    ragged inputs likewise."""
    if backend == "tensorflow":
        return
    problems = [
        (
            f"{where}.{path}.dtype",
            f"expected a numeric dtype on the {backend} backend (only TensorFlow feeds strings "
            f"to a model); given 'string'. Turn the text into integer ids before the model (a "
            "StringLookup or TextVectorization in your tf.data pipeline) and give this input an "
            "integer dtype, or run on KERAS_BACKEND=tensorflow",
        )
        for path, item in spec.input_items
        if item.dtype == "string"
    ]
    problems += [
        (
            f"{where}.{path}.ragged",
            f"expected ragged: false on the {backend} backend (ragged tensors are "
            "TensorFlow's); pad the sequences to one length (and mask them), or run on "
            "KERAS_BACKEND=tensorflow",
        )
        for path, item in spec.input_items
        if item.ragged
    ]
    if problems:
        raise ConfigError(problems)


def _make_layer(node: GraphNode, path: str, *, wrapped: Any = None) -> Any:
    """The node's layer, from its arguments as Keras's own config; `wrapped`, the model its
    nested graph built, is a wrapper's `layer` (which Keras's from_config takes serialized)."""
    import inspect

    import keras

    cls = getattr(keras.layers, node.layer)
    config = {**with_layer_modules(node.args), "name": node.name}
    if wrapped is not None:
        config["layer"] = keras.saving.serialize_keras_object(wrapped)
    try:
        return cls.from_config(config)
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
        cause = keras_cause(error)
        field = _field_named(node.args, cause)
        where = f"{path}.args" + (f".{field}" if field else "")
        raise ConfigError([(where, f"{node.layer} refuses it: {cause}")]) from None


# Keras wraps a constructor's error in one "Error when deserializing class 'Dense' using
# config={...}" per level of nesting (a wrapper's layer), each ending in the next's text.
_ENCOUNTERED = "Exception encountered:"
# How Keras names the argument it refuses: "`units`", "argument `padding`", "Received: rate=2".
_CALLING = re.compile(r"^Exception encountered when calling [\w.]+\(\)\.?$")
_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
_NAMED = re.compile(r"`([A-Za-z_]\w*)`|Received: ([A-Za-z_]\w*)=")


def keras_cause(error: BaseException) -> str:
    """What Keras says is wrong, without what it wraps that in: the innermost "Exception
    encountered" of a deserialization error (the rest dumps configs), the line after a call's
    "Exception encountered when calling Reshape.call()", with no terminal colours."""
    text = _COLOURS.sub("", str(error))
    if _ENCOUNTERED in text:
        text = text.rsplit(_ENCOUNTERED, 1)[1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    while len(lines) > 1 and _CALLING.match(lines[0]):
        lines.pop(0)
    if not lines:
        return type(error).__name__
    if "could not be deserialized" in lines[0] or lines[0].startswith("Error when deserializing"):
        return "Keras cannot make this layer from these arguments"
    return lines[0][:500]


def _field_named(args: dict[str, Any], cause: str) -> str | None:
    """The field of `args` that Keras's message names (`units`, or a wrapped layer's
    `layer.config.units`), searched through nested layer configs; None when it names none."""
    names = [quoted or received for quoted, received in _NAMED.findall(cause)]

    def find(value: Any, prefix: str) -> str | None:
        if not isinstance(value, dict):
            return None
        for name in names:
            if name in value:
                return prefix + name
        for key in ("layer", "backward_layer", "cell"):
            inner = value.get(key)
            if isinstance(inner, dict) and isinstance(inner.get("config"), dict):
                found = find(inner["config"], f"{prefix}{key}.config.")
                if found:
                    return found
        return None

    found = find(args, "")
    if found is None and isinstance(args.get("layer"), dict):
        # Refused because of the wrapped layer ("Unrecognized keyword arguments passed to
        # Dense", a Bidirectional's Dense), when the message names its class.
        wrapped = args["layer"].get("class_name")
        if isinstance(wrapped, str) and re.search(rf"\b{re.escape(wrapped)}\b", cause):
            return "layer"
    return found


# Layers of these Keras modules have no weights (merging, pooling, reshaping, activations,
# dropout and noise), or small ones (preprocessing state): not counted before allocation.
_LITTLE_OR_NO_WEIGHTS = tuple(
    f"keras.src.layers.{module}"
    for module in (
        "merging",
        "pooling",
        "reshaping",
        "activations",
        "regularization",
        "preprocessing",
        "core.input_layer",
        "core.identity",
        "core.masking",
    )
)


def weights_before_allocating(
    node: GraphNode, layer: Any, input_shapes: list[tuple], tensors: dict[str, Any]
) -> int:
    """How many weights `layer` will allocate when `node` calls it: `estimated_weights` for
    the layers it knows; for any other layer with weights (MultiHeadAttention, EinsumDense,
    GroupQueryAttention, a transposed convolution), Keras's own count of a copy of the layer
    built as structure only, on the same inputs. Exact either way, at no memory cost."""
    estimate = estimated_weights(layer, input_shapes)
    if estimate or type(layer).__module__.startswith(_LITTLE_OR_NO_WEIGHTS):
        return estimate
    try:
        copy = type(layer).from_config(layer.get_config())
        with without_weights():
            _call_node(node, copy, tensors)
        return copy.count_params()
    except Exception:  # the real call reports what is wrong with the node
        return 0


def estimated_weights(layer: Any, input_shapes: list[tuple]) -> int:
    """How many weights `layer` will allocate on `input_shapes`, for the layers that allocate
    much (dense, embedding, convolution, recurrent, normalization, and the wrappers of these:
    Bidirectional, TimeDistributed, an RNN of cells); 0 for the rest.

    Exact for those layers on their last axis (what `count_params()` says once built), so the
    parameter limit is checked against what Keras would allocate.
    """
    import math

    from keras import layers

    if isinstance(layer, layers.Bidirectional):
        # Two copies of the wrapped layer, one per direction, each on the whole input.
        return sum(
            estimated_weights(direction, input_shapes)
            for direction in (layer.forward_layer, layer.backward_layer)
        )
    if isinstance(layer, layers.TimeDistributed):
        # The wrapped layer sees one step: the shape without the time axis.
        return estimated_weights(
            layer.layer,
            [(shape[0], *shape[2:]) if len(shape) > 1 else shape for shape in input_shapes],
        )
    channels = input_shapes[0][-1] if input_shapes and input_shapes[0] else None
    channels = channels or 0
    bias = 1 if getattr(layer, "use_bias", False) else 0
    if isinstance(layer, layers.Embedding):
        return layer.input_dim * layer.output_dim
    if isinstance(layer, layers.Dense):
        return (channels + bias) * layer.units
    kernel = math.prod(getattr(layer, "kernel_size", ()) or (1,))
    if isinstance(layer, (layers.ConvLSTM1D, layers.ConvLSTM2D, layers.ConvLSTM3D)):
        # Four gates, each with a kernel on the input and one on the previous output.
        return 4 * layer.filters * (kernel * (channels + layer.filters) + bias)
    if isinstance(layer, layers.RNN):
        # LSTM, GRU and SimpleRNN are RNNs of their cell; a generic RNN may stack cells.
        return _cell_weights(layer.cell, channels)
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


def _cell_weights(cell: Any, channels: int) -> int:
    """The weights of a recurrent cell on `channels` inputs; stacked cells feed each other."""
    from keras import layers

    if isinstance(cell, layers.StackedRNNCells):
        total = 0
        for inner in cell.cells:
            total += _cell_weights(inner, channels)
            channels = getattr(inner, "units", channels)
        return total
    gates = {layers.LSTMCell: 4, layers.GRUCell: 3, layers.SimpleRNNCell: 1}
    for cls, count in gates.items():
        if isinstance(cell, cls):
            bias = 1 if cell.use_bias else 0
            # A GRU with reset_after (Keras's default) has a bias for its recurrent kernel too.
            biases = bias * (2 if getattr(cell, "reset_after", False) else 1)
            return count * cell.units * (channels + cell.units + biases)
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
