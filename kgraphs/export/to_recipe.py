"""`to_recipe()`: any Functional model of built-in Keras layers as a short, readable graph recipe.

Each call of a layer becomes a node named after the layer (a second call of a shared layer
becomes a `reuse` node), nested Functional and Sequential models become nested graphs, ops on
tensors (`x + y`, `ops.expand_dims`, the slicing `preprocess_input` records) become `op` nodes
from the allow-list in `kgraphs.graph_format.ops`, calls with several tensors name them by parameter
(`inputs: {query: x, value: y}`), and layers with several outputs name them (`outputs: [...]`).
Arguments equal to what a fresh layer of the same class would have are left out, inside
wrappers too, so the recipe reads like the code that made the model. Ops Keras records only to
carry masks (the `not_equal` behind an Embedding's `mask_zero`) are left out: rebuilding
recomputes them. Lookup tables (an adapted `TextVectorization` or `StringLookup`) are state
but not weights, so their vocabularies travel in the recipe.

What a recipe cannot hold is refused, all of it in one `ConfigError`, each problem at its
layer or op and argument, with the way out where there is one: Python functions and lambdas
(as activations, initializers, `standardize`), objects from modules outside Keras, custom and
subclassed layers, ops outside the allow-list. A recipe never carries code, not even inert
marshalled bytes, and `to_recipe` checks its result as `build` will, so it never writes what
`build` would refuse.

This module walks the graph; a layer's class and arguments come from `layer_config`, which
leaves out defaults with `default_arguments` and converts values with `plain_values`; which
calls are written, in what order, comes from `graph_nodes`.
"""

from __future__ import annotations

import inspect
import os
from typing import TYPE_CHECKING, Any

from kgraphs.catalog.arguments import wraps_a_layer
from kgraphs.export.default_arguments import is_default
from kgraphs.export.graph_nodes import has_tensor, is_automatic_mask, ordered_nodes, tensors_carried
from kgraphs.export.layer_config import layer_arguments, layer_class_name
from kgraphs.export.plain_values import plain_value
from kgraphs.graph_format.ops import MAX_CONSTANT_VALUES, OPS, constant_size, format_key, op_name
from kgraphs.util.errors import ConfigError, first_line

if TYPE_CHECKING:
    import keras


def to_recipe(model: keras.Model, *, description: str | None = None) -> dict[str, Any]:
    """A graph recipe that rebuilds `model`: same topology, layer names and parameter count.

    Raises `ConfigError` listing every construct the recipe format cannot hold.

    Example:
        >>> import kgraphs
        >>> recipe = kgraphs.to_recipe(kgraphs.ticket_priority())
        >>> recipe["config"]["nodes"][0]  # doctest: +NORMALIZE_WHITESPACE
        {'name': 'text_embedding', 'layer': 'Embedding',
         'args': {'input_dim': 10000, 'output_dim': 64}, 'inputs': 'text'}
        >>> kgraphs.build(recipe).count_params()
        652561
    """
    from kgraphs.recipe.loading import validate_recipe

    problems: list[tuple[str, str]] = []
    recipe: dict[str, Any] = {"version": 1, "architecture": "graph", "name": model.name}
    if description:
        recipe["description"] = description
    recipe["config"] = _GraphExport(problems).graph(model, "(model)")
    if problems:
        raise ConfigError(problems, source=f"model {model.name!r}")
    try:
        validate_recipe(recipe, source="(exported recipe)")
    except ConfigError as error:  # a gap between export and build: never hand it out
        raise ConfigError(
            [(location, f"kgraphs cannot express this yet: {m}") for location, m in error.problems]
        ) from None
    return recipe


class _GraphExport:
    """Walks one model (and its nested models), collecting every problem instead of stopping."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems

    def graph(self, model: Any, where: str) -> dict[str, Any]:
        import keras

        if isinstance(model, keras.Sequential):
            # A Sequential is a Functional graph of its layers once built: export that one.
            if getattr(model, "_functional", None) is None:
                self.problems.append((where, f"Sequential {model.name!r} is not built"))
                return {"inputs": [], "nodes": [], "outputs": []}
            model = model._functional
        if not hasattr(model, "_nodes_by_depth"):
            self.problems.append(
                (
                    where,
                    f"{model.name!r} is a subclassed {type(model).__name__}, not a Functional "
                    "model; kgraphs exports Functional graphs (write it with keras.Input and "
                    "layer calls, or save it as .keras)",
                )
            )
            return {"inputs": [], "nodes": [], "outputs": []}
        cls = type(model)
        if not cls.__module__.startswith("keras."):
            # keras.Model subclassed and made Functional (super().__init__(inputs, outputs)):
            # its own methods (compute_loss, train_step, call) would be lost, not exported.
            self.problems.append(
                (
                    where,
                    f"{model.name!r} is a {cls.__name__}, a subclass of keras.Model whose "
                    "methods are code a recipe cannot hold; export its graph alone with "
                    "keras.Model(model.inputs, model.outputs), or save it as .keras",
                )
            )
            return {"inputs": [], "nodes": [], "outputs": []}
        names: dict[tuple[int, int, int], str] = {}  # (id(op), node index, output) -> name
        used: set[str] = set()
        first_call: dict[int, str] = {}

        def input_entry(tensor: Any) -> dict[str, Any]:
            layer = tensor._keras_history.operation
            names[(id(layer), 0, 0)] = layer.name
            used.add(layer.name)
            entry: dict[str, Any] = {"name": layer.name, "shape": list(tensor.shape[1:])}
            if tensor.dtype != "float32":
                entry["dtype"] = tensor.dtype
            if tensor.shape[0] is not None:
                entry["batch_size"] = tensor.shape[0]
            if getattr(tensor, "sparse", False):
                entry["sparse"] = True
            if getattr(tensor, "ragged", False):
                entry["ragged"] = True
            return entry

        # The structures the model was made with (one, a list, a nested mapping), as written.
        inputs = self.structure(model._inputs_struct, input_entry, f"{where}.inputs")

        carried = tensors_carried(model)
        nodes = []
        for node in ordered_nodes(model):
            operation = node.operation
            if isinstance(operation, keras.layers.InputLayer):
                continue
            if not isinstance(operation, keras.layers.Layer) and not any(
                id(t) in carried for t in node.outputs
            ):
                continue  # e.g. the not_equal of an Embedding's mask; rebuilt on its own
            index = operation._inbound_nodes.index(node)
            at = f"{where}.{operation.name}"
            entry = {"name": _unique(operation.name, used)}
            # A call with several outputs names each; later nodes refer to those names.
            produced = [entry["name"]]
            if len(node.outputs) > 1:
                produced = [
                    _unique(f"{entry['name']}_out{i}", used) for i in range(len(node.outputs))
                ]
            for position, output in enumerate(produced):
                names[(id(operation), index, position)] = output
            try:
                entry.update(self.node(node, operation, names, first_call, entry["name"], at))
            except Exception as error:  # whatever Keras does, export ends in a ConfigError
                self.problems.append((at, f"cannot export it: {first_line(error)}"))
            if len(produced) > 1:
                entry["outputs"] = produced
            nodes.append(entry)

        outputs = self.structure(
            model._outputs_struct,
            lambda tensor: self.reference(tensor, names, where),
            f"{where}.outputs",
        )
        graph = {"inputs": inputs, "nodes": nodes, "outputs": outputs}
        if not model.trainable:  # keras.Model(..., trainable=False), or frozen after
            graph["trainable"] = False
        return graph

    def structure(self, value: Any, leaf: Any, at: str) -> Any:
        """A model's input or output structure as recipe data: tuples become lists (YAML has
        none; Keras takes them alike), mappings keep their keys in their order, and every
        tensor becomes `leaf(tensor)`. A namedtuple's field names and a key that is not a
        string have no recipe form: problems, not a silently different structure."""
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            self.problems.append(
                (
                    at,
                    f"a namedtuple ({type(value).__name__}); recipes hold lists and mappings: "
                    "make the model with a dict instead (`keras.Model(x, y._asdict())`)",
                )
            )
            return []
        if isinstance(value, (list, tuple)):
            return [self.structure(item, leaf, f"{at}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str):
                    self.problems.append(
                        (at, f"the key {key!r} is not a string; recipes key mappings by name")
                    )
            return {
                str(key): self.structure(item, leaf, f"{at}.{key}") for key, item in value.items()
            }
        return leaf(value)

    def node(
        self, node: Any, operation: Any, names: dict, first_call: dict, name: str, at: str
    ) -> dict[str, Any]:
        """What one call becomes: an op, a reuse, a nested graph or a layer, and its inputs."""
        import keras

        if not isinstance(operation, keras.layers.Layer):
            return self.op(node, operation, names, at)
        entry: dict[str, Any] = {}
        if id(operation) in first_call:
            entry["reuse"] = first_call[id(operation)]
        else:
            first_call[id(operation)] = name
            if isinstance(operation, keras.Model):
                entry["graph"] = self.graph(operation, at)
            else:
                layer_class = layer_class_name(operation, at, self.problems)
                if layer_class:
                    entry["layer"] = layer_class
                    # A wrapper of a model (TimeDistributed(Functional)): the model is the
                    # node's nested graph, the wrapper's other arguments its args.
                    wrapped = getattr(operation, "layer", None)
                    wraps_model = isinstance(wrapped, keras.Model) and wraps_a_layer(layer_class)
                    args = layer_arguments(operation, at, self.problems, wraps_model=wraps_model)
                    if args:
                        entry["args"] = args
                    if wraps_model:
                        entry["graph"] = self.graph(wrapped, f"{at}.layer")
        return entry | self.call(node, operation, names, at)

    def call(self, node: Any, layer: Any, names: dict, at: str) -> dict[str, Any]:
        """How the node calls its layer: `inputs` (tensors) and `call` (other keywords)."""
        arguments = node.arguments
        try:
            signature = inspect.signature(layer.call)
            bound = signature.bind(*arguments.args, **arguments.kwargs).arguments
        except TypeError:
            bound = {f"argument{i}": value for i, value in enumerate(arguments.args)}
            bound |= arguments.kwargs
            signature = None
        parameters = signature.parameters if signature is not None else {}
        tensors: dict[str, Any] = {}
        plain: dict[str, Any] = {}
        for key, value in bound.items():
            if is_automatic_mask(key, value, bound):
                continue
            default = parameters[key].default if key in parameters else inspect.Parameter.empty
            if has_tensor(value):
                tensors[key] = value
            elif not is_default(value, default):
                plain[key] = plain_value(value, f"{at}.call.{key}", self.problems)
        entry: dict[str, Any] = {}
        positional = list(parameters)[:1] if parameters else []
        if list(tensors) == positional and len(arguments.args) == 1:
            (first,) = tensors.values()
            entry["inputs"] = self.references(first, names, at)
        else:
            entry["inputs"] = {k: self.references(v, names, at) for k, v in tensors.items()}
        if plain:
            entry["call"] = plain
        return entry

    # ------------------------------------------------------------------ ops

    def op(self, node: Any, operation: Any, names: dict, at: str) -> dict[str, Any]:
        name = op_name(type(operation).__name__, type(operation).__module__)
        signature = OPS.get(name)
        if signature is None or type(operation).__module__.split(".")[:2] != ["keras", "src"]:
            self.problems.append(
                (
                    at,
                    f"{type(operation).__name__} (keras.ops.{name}) is not an op recipes may "
                    "call; use a built-in layer for it (Activation, Add, Multiply, Dot, "
                    "Reshape, Permute, EinsumDense, ...) or an op of kgraphs.graph_format.ops.OPS",
                )
            )
            return {"op": name, "inputs": "?"}
        entry: dict[str, Any] = {"op": name}
        try:
            call = inspect.signature(operation.call).bind(
                *node.arguments.args, **node.arguments.kwargs
            )
        except TypeError as error:
            self.problems.append((at, f"cannot read the call of {name}: {error}"))
            return entry
        tensors = {k: v for k, v in call.arguments.items() if has_tensor(v)}
        constants = {k: v for k, v in call.arguments.items() if k not in tensors}
        args: dict[str, Any] = {}
        config = plain_value(operation.get_config(), f"{at}.args", self.problems)
        for key, value in (config or {}).items():
            if key != "name" and key in signature.parameters:
                args[key] = value
        for key, value in constants.items():
            if name == "get_item" and key == "key":
                try:
                    args[key] = format_key(value)
                except ValueError as error:
                    self.problems.append((f"{at}.args.key", f"{error}; only plain slices"))
                continue
            plain = plain_value(value, f"{at}.args.{key}", self.problems)
            if constant_size(plain) > MAX_CONSTANT_VALUES:
                self.problems.append(
                    (
                        f"{at}.args.{key}",
                        f"a constant of {constant_size(plain):,} values; use a layer",
                    )
                )
            args[key] = plain
        if list(tensors) == list(signature.operands[:1]) and not isinstance(
            tensors[signature.operands[0]], (list, tuple)
        ):
            entry["inputs"] = self.references(tensors[signature.operands[0]], names, at)
        else:
            entry["inputs"] = {k: self.references(v, names, at) for k, v in tensors.items()}
        if args:
            entry["args"] = args
        return entry

    # ------------------------------------------------------------------ references

    def references(self, value: Any, names: dict, at: str) -> str | list[str]:
        if isinstance(value, (list, tuple)):
            return [self.reference(tensor, names, at) for tensor in value]
        return self.reference(value, names, at)

    def reference(self, tensor: Any, names: dict, at: str) -> str:
        import keras

        if not isinstance(tensor, keras.KerasTensor):
            self.problems.append((at, f"expected a tensor; given {type(tensor).__name__}"))
            return "?"
        operation, node_index, tensor_index = tensor._keras_history
        key = (id(operation), node_index, tensor_index)
        if key not in names:
            self.problems.append(
                (at, f"uses {operation.name!r}, which the recipe cannot express (see above)")
            )
            return operation.name
        return names[key]


def _unique(name: str, used: set[str]) -> str:
    candidate, count = name, 1
    while candidate in used:
        count += 1
        candidate = f"{name}_call{count}"
    used.add(candidate)
    return candidate


def export_model_file(path: str | os.PathLike) -> dict[str, Any]:
    """The graph recipe of a `.keras` file, loaded in safe mode; every problem names the file."""
    from kgraphs.building.saving import load_model

    model = load_model(path)
    try:
        return to_recipe(model)
    except ConfigError as error:
        raise ConfigError(error.problems, source=str(path)) from None
