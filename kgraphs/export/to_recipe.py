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
"""

from __future__ import annotations

import inspect
import os
from typing import TYPE_CHECKING, Any

from kgraphs.graph_format.builder import with_layer_modules
from kgraphs.graph_format.ops import MAX_CONSTANT_VALUES, OPS, constant_size, format_key, op_name
from kgraphs.util.errors import ConfigError, first_line

if TYPE_CHECKING:
    import keras

# A lookup layer's vocabulary travels in the recipe; past this many tokens the model belongs
# in a .keras file (keras.io's text examples use up to 20,000).
MAX_VOCABULARY = 100_000
LOOKUP_LAYERS = ("TextVectorization", "StringLookup", "IntegerLookup")


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
        names: dict[tuple[int, int, int], str] = {}  # (id(op), node index, output) -> name
        used: set[str] = set()
        first_call: dict[int, str] = {}
        inputs = []
        for tensor in model.inputs:
            layer = tensor._keras_history.operation
            names[(id(layer), 0, 0)] = layer.name
            used.add(layer.name)
            entry: dict[str, Any] = {"name": layer.name, "shape": list(tensor.shape[1:])}
            if tensor.dtype != "float32":
                entry["dtype"] = tensor.dtype
            inputs.append(entry)

        carried = _tensors_carried(model)
        nodes = []
        for node in _ordered_nodes(model):
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

        outputs = [self.reference(tensor, names, where) for tensor in model.outputs]
        single = not isinstance(model._outputs_struct, (list, tuple, dict))
        return {"inputs": inputs, "nodes": nodes, "outputs": outputs[0] if single else outputs}

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
                layer_class = self.layer_class(operation, at)
                if layer_class:
                    entry["layer"] = layer_class
                    args = self.layer_arguments(operation, at)
                    if args:
                        entry["args"] = args
        return entry | self.call(node, operation, names, at)

    # ------------------------------------------------------------------ layers

    def layer_class(self, layer: Any, at: str) -> str | None:
        import keras

        from kgraphs.catalog.keras_names import REFUSED_LAYERS

        name = type(layer).__name__
        if name in REFUSED_LAYERS:
            self.problems.append((at, f"{name} is refused: {REFUSED_LAYERS[name]}"))
            return None
        if getattr(keras.layers, name, None) is not type(layer):
            self.problems.append(
                (
                    at,
                    f"{name} is a custom layer, not a built-in keras.layers class; recipes hold "
                    "built-in layers only (compose it from built-in layers and ops, or save "
                    "the model as .keras)",
                )
            )
            return None
        return name

    def layer_arguments(self, layer: Any, at: str) -> dict[str, Any]:
        """`layer.get_config()` minus the name and whatever equals a fresh layer's defaults."""
        try:
            raw = layer.get_config()
        except Exception as error:
            self.problems.append((at, f"get_config() failed: {first_line(error)}"))
            return {}
        config = self.plain(raw, f"{at}.args")
        if not isinstance(config, dict):
            return {}
        config.pop("name", None)
        self.check_constants(config, f"{at}.args")
        if type(layer).__name__ in LOOKUP_LAYERS:
            self.add_vocabulary(layer, config, at)
        return short_arguments(type(layer), config)

    def check_constants(self, value: Any, at: str) -> None:
        """Large arrays in a config (a Constant initializer holding pretrained embeddings) are
        weights in disguise: a recipe carries none."""
        if isinstance(value, dict):
            for key, item in value.items():
                self.check_constants(item, f"{at}.{key}")
        elif isinstance(value, list) and constant_size(value) > MAX_CONSTANT_VALUES:
            self.problems.append(
                (
                    at,
                    f"a constant of {constant_size(value):,} values; recipes carry no weights: "
                    "build without it and load the values with set_weights or a .keras file",
                )
            )

    def add_vocabulary(self, layer: Any, config: dict[str, Any], at: str) -> None:
        """Lookup tables are state, not weights: carry the adapted vocabulary as an argument."""
        given = config.get("vocabulary")
        if isinstance(given, list) and len(given) > MAX_VOCABULARY:
            config.pop("vocabulary")
        elif given is not None or not layer.built:
            return
        if getattr(layer, "output_mode", None) == "tf_idf":
            self.problems.append(
                (
                    f"{at}.args.idf_weights",
                    "an adapted tf_idf layer keeps document frequencies recipes do not carry;"
                    " pass vocabulary= and idf_weights= when creating it",
                )
            )
            return
        vocabulary = layer.get_vocabulary(include_special_tokens=False)
        if len(vocabulary) > MAX_VOCABULARY:
            self.problems.append(
                (
                    f"{at}.args.vocabulary",
                    f"a vocabulary of {len(vocabulary):,} tokens is over the {MAX_VOCABULARY:,} "
                    "a recipe carries; save the model as .keras instead",
                )
            )
            return
        if vocabulary:
            config["vocabulary"] = [_python_scalar(token) for token in vocabulary]

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
            if _is_automatic_mask(key, value, bound):
                continue
            default = parameters[key].default if key in parameters else inspect.Parameter.empty
            if _has_tensor(value):
                tensors[key] = value
            elif not _same(value, default):
                plain[key] = self.plain(value, f"{at}.call.{key}")
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
        tensors = {k: v for k, v in call.arguments.items() if _has_tensor(v)}
        constants = {k: v for k, v in call.arguments.items() if k not in tensors}
        args: dict[str, Any] = {}
        config = self.plain(operation.get_config(), f"{at}.args")
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
            plain = self.plain(value, f"{at}.args.{key}")
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

    # ------------------------------------------------------------------ plain data

    def plain(self, value: Any, at: str) -> Any:
        """A config value as plain data; code and foreign objects are problems, never data."""
        import numpy as np

        if isinstance(value, dict):
            return self.plain_mapping(value, at)
        if isinstance(value, (list, tuple)):
            return [self.plain(item, f"{at}[{i}]") for i, item in enumerate(value)]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if hasattr(value, "shape") and hasattr(value, "dtype"):  # numpy or backend arrays
            return np.asarray(value).tolist()
        if callable(value):
            described = getattr(value, "__name__", type(value).__name__)
            self.problems.append(
                (
                    at,
                    f"a Python function ({described}); recipes never carry code: use one of "
                    "Keras's names for it (an activation like 'relu', a string option)",
                )
            )
            return None
        self.problems.append((at, f"a {type(value).__name__} object; recipes hold plain data"))
        return None

    def plain_mapping(self, value: dict, at: str) -> Any:
        import keras

        class_name = value.get("class_name")
        module = value.get("module")
        if class_name in ("function", "__lambda__") or _is_marshalled_lambda(value):
            what = value.get("config") if class_name == "function" else "a lambda"
            self.problems.append(
                (
                    at,
                    f"a Python function ({what}); recipes never carry code: use one of "
                    "Keras's names for it (an activation like 'relu', a Keras initializer)",
                )
            )
            return None
        if isinstance(module, str) and not (module == "keras" or module.startswith("keras.")):
            keras_class = getattr(keras.initializers, str(class_name), None)
            config = value.get("config") or {}
            if (
                module.startswith("tensorflow.")
                and keras_class is not None
                and set(config) <= set(inspect.signature(keras_class.__init__).parameters)
            ):
                # tf.random_uniform_initializer and friends: Keras's class of the same name
                # draws from the same distribution with the same arguments.
                return {"class_name": class_name, "config": self.plain(config, f"{at}.config")}
            self.problems.append(
                (
                    at,
                    f"{class_name} from {module}; recipes name Keras's own objects only "
                    f"(keras.initializers, keras.regularizers, ...)",
                )
            )
            return None
        registered = value.get("registered_name")
        if class_name is not None and registered not in (None, class_name):
            self.problems.append(
                (at, f"{registered!r} is a custom registered object; recipes hold Keras's own")
            )
            return None
        result = {k: self.plain(v, f"{at}.{k}") for k, v in value.items()}
        if class_name is not None:  # Keras bookkeeping a recipe does not need
            for key in ("module", "registered_name", "build_config"):
                result.pop(key, None)
        return result


def short_arguments(cls: type, config: dict[str, Any]) -> dict[str, Any]:
    """`config` (plain, without a name) minus what a fresh `cls` has by default anyway."""
    config = _with_short_wrapped(config)
    config.pop("name", None)
    parameters = inspect.signature(cls.__init__).parameters.values()
    required = {
        p.name: config[p.name]
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.name in config
        and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    # What a fresh layer given only the required arguments has: its defaults.
    defaults = _rebuilt_config(cls, required)
    if defaults is None:
        try:  # some from_config methods need keys their constructors do not (Rescaling)
            defaults = _plain_config(cls(**required))
        except Exception:
            defaults = {}
    arguments = {
        key: value
        for key, value in config.items()
        if key in required or defaults.get(key, object()) != value
    }
    # Some defaults depend on other arguments (MaxPooling2D's strides follow pool_size), so
    # rebuild from the short form, as `build` will, and restore whatever comes out different
    # (or whatever from_config cannot do without).
    for _ in range(len(config) + 1):
        rebuilt = _rebuilt_config(cls, arguments)
        if rebuilt is None:
            missing = [key for key in config if key not in arguments]
            usable = [k for k in missing if _rebuilt_config(cls, arguments | {k: config[k]})]
            if not usable:
                return config
            arguments[usable[0]] = config[usable[0]]
            continue
        different = {k: v for k, v in config.items() if rebuilt.get(k, object()) != v}
        if not different:
            return arguments
        arguments.update(different)
    return config


def _rebuilt_config(cls: type, arguments: dict[str, Any]) -> dict[str, Any] | None:
    """The config of `cls.from_config(arguments)` as the exporter writes it; None if refused."""
    try:
        return _plain_config(cls.from_config(with_layer_modules(arguments)))
    except Exception:
        return None


def _plain_config(layer: Any) -> dict[str, Any]:
    """A fresh layer's config as the exporter writes configs (for comparing defaults)."""
    problems: list[tuple[str, str]] = []
    config = _with_short_wrapped(_GraphExport(problems).plain(layer.get_config(), ""))
    config.pop("name", None)
    return config


def _with_short_wrapped(config: dict[str, Any]) -> dict[str, Any]:
    """A wrapper's config (Bidirectional, TimeDistributed) with its inner layers' defaults
    left out too, as at the top level."""
    import keras

    config = dict(config)
    for key in ("layer", "backward_layer"):
        nested = config.get(key)
        if not (isinstance(nested, dict) and isinstance(nested.get("config"), dict)):
            continue
        inner_class = getattr(keras.layers, str(nested.get("class_name")), None)
        if isinstance(inner_class, type):
            inner = nested["config"]
            config[key] = {
                "class_name": nested["class_name"],
                "config": {"name": inner.get("name")} | short_arguments(inner_class, inner),
            }
    forward, backward = config.get("layer"), config.get("backward_layer")
    if isinstance(forward, dict) and isinstance(backward, dict):
        # Bidirectional makes this backward layer itself when none is given.
        unnamed = {k: v for k, v in forward.get("config", {}).items() if k != "name"}
        reverse = unnamed | {"go_backwards": not unnamed.get("go_backwards", False)}
        if {k: v for k, v in backward.get("config", {}).items() if k != "name"} == {
            k: v for k, v in reverse.items() if v is not False or k != "go_backwards"
        } and backward.get("class_name") == forward.get("class_name"):
            config.pop("backward_layer")
    return config


def _ordered_nodes(model: Any) -> list[Any]:
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


def _tensors_carried(model: Any) -> set[int]:
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
            if not _is_automatic_mask(key, value, arguments)
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


def _is_automatic_mask(key: str, value: Any, bound: dict[str, Any]) -> bool:
    """Whether a `mask` (or `query_mask`...) argument is the one Keras fills in by itself."""
    import keras

    if key != "mask" and not key.endswith("_mask"):
        return False
    if key == "mask":
        sources = [v for k, v in bound.items() if k != "mask" and _has_tensor(v)]
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


def _has_tensor(value: Any) -> bool:
    import keras

    return any(isinstance(v, keras.KerasTensor) for v in keras.tree.flatten(value))


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default) and type(value) is type(default)
    except Exception:
        return False


def _is_marshalled_lambda(value: dict) -> bool:
    # Keras serializes a lambda activation as {"value": (base64 bytecode, defaults, closure)}.
    code = value.get("value")
    return set(value) == {"value"} and isinstance(code, (list, tuple)) and bool(code)


def _python_scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


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
