"""The graph format's checks before anything is built: names, references, wiring, layer
classes, ops and plain-value arguments, every problem located (`nodes[3].inputs[1]`).

No Keras and no TensorFlow: `kgraphs validate` runs these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from kgraphs.catalog.arguments import STAND_IN_LAYER, layer_problems, wraps_a_layer
from kgraphs.catalog.keras_layers import call_parameters, described_layers
from kgraphs.catalog.keras_names import LAYERS, REFUSED_LAYERS
from kgraphs.graph_format.ops import MAX_CONSTANT_VALUES, OPS, constant_size, parse_key
from kgraphs.graph_format.spec import GraphInput, GraphNode, GraphSpec, input_kind
from kgraphs.util.errors import did_you_mean, given

# A serialized Keras object: {class_name: GlorotUniform, config: {...}}; "module" may only name
# Keras itself, so deserializing never imports anything else.
_SERIALIZED_KEYS = {"class_name", "config", "module", "registered_name", "build_config"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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

    inputs = {graph_input.name for _, graph_input in spec.input_items}
    for path, graph_input in spec.input_items:
        define(graph_input.name, f"{path}.name")
        tensors.add(graph_input.name)

    for index, node in enumerate(spec.nodes):
        path = f"nodes[{index}]"
        kinds = [k for k in ("layer", "op", "reuse", "graph") if getattr(node, k) is not None]
        if len(kinds) != 1 and not _wraps_its_graph(node):
            problems.append(
                (
                    at(path),
                    "expected exactly one of layer, op, reuse or graph (or a wrapper layer, "
                    "TimeDistributed, with the graph it wraps); given "
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
        layer_class = _layer_class(node, layer_nodes)
        if layer_class is not None:
            problems += [(at(f"{path}.{p}"), m) for p, m in _call_problems(node, layer_class)]
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

    # An output may be listed twice (Keras returns the tensor twice), and an input may be
    # used by no output (Keras keeps it: the model still takes it).
    for path, name in spec.output_items:
        if name in several:
            problems.append((at(path), f"{name!r} has several outputs; use one of {several[name]}"))
        elif name not in tensors:
            problems.append((at(path), f"unknown name {name!r}{did_you_mean(name, tensors)}"))
    if not problems:
        problems += _unused(spec, at)
    return problems


def _layer_class(node: GraphNode, layer_nodes: dict[str, GraphNode]) -> str | None:
    """The described keras.layers class a node calls (its own, or the one it reuses)."""
    if node.reuse is not None and node.reuse in layer_nodes:
        node = layer_nodes[node.reuse]
    if node.layer in described_layers():
        return node.layer
    return None


def _unused(spec: GraphSpec, at) -> list[tuple[str, str]]:
    """Nodes that nothing leading to an output uses (a sign of a wiring mistake: Keras would
    leave them out of the model)."""
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
    arguments = node.args
    if _wraps_its_graph(node):
        arguments = {**arguments, "layer": STAND_IN_LAYER}
    problems += [
        (f"args.{path}" if path else "args", message)
        for path, message in layer_problems(node.layer, arguments)
    ]
    return problems


def _wraps_its_graph(node: GraphNode) -> bool:
    """A wrapper layer given its nested graph as its `layer` (and no other)."""
    return (
        node.graph is not None
        and node.op is None
        and node.reuse is None
        and wraps_a_layer(node.layer)
        and "layer" not in node.args
    )


def _call_problems(node: GraphNode, layer: str) -> list[tuple[str, str]]:
    """The call's keywords (`call`, and `inputs` given by parameter name) against the call's
    parameters of `keras.layers.<layer>`."""
    parameters, takes_any = call_parameters(layer)
    if takes_any:
        return []
    if "training" not in parameters:  # Keras takes it in every call, and passes it on
        parameters = [*parameters, "training"]
    problems = []
    bound = [] if isinstance(node.inputs, dict) else parameters[:1]  # what `inputs` fills
    keywords = [("inputs", key) for key in node.inputs] if isinstance(node.inputs, dict) else []
    keywords += [("call", key) for key in node.call]
    open_parameters = [parameter for parameter in parameters if parameter not in bound]
    for field, key in keywords:
        if key not in parameters:
            problems.append(
                (
                    f"{field}.{key}",
                    f"unknown keyword of {layer}'s call; expected one of "
                    f"{open_parameters}{did_you_mean(key, open_parameters)}",
                )
            )
        elif field == "call" and key in bound:
            problems.append((f"call.{key}", f"{key!r} is given in inputs already"))
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


def partial_graph_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`graph_problems` of raw graph data that failed its format check: the inputs and nodes
    that pass stand as they are, and one that fails stands in by the names it defines and the
    names it uses, so wiring, arguments and calls are still checked everywhere else. Problems
    at a failed node itself are left to the format check, which reported them."""
    nodes = data.get("nodes")
    if "inputs" not in data or not isinstance(nodes, list):
        return []
    placeholders: set[str] = set()

    def stand_in_input(raw: object, path: str) -> object:
        try:
            return GraphInput.model_validate(raw)
        except ValidationError:
            placeholders.add(path)
            name = raw.get("name") if isinstance(raw, Mapping) else None
            # Its name still stands for a tensor, so the nodes that use it are checked.
            return GraphInput.model_construct(name=name, shape=()) if isinstance(name, str) else []

    spec_inputs = _map_raw(
        data["inputs"], "inputs", stand_in_input, lambda raw: input_kind(raw) == "input"
    )
    spec_nodes = []
    for index, raw in enumerate(nodes):
        try:
            spec_nodes.append(GraphNode.model_validate(raw))
        except ValidationError:
            spec_nodes.append(_stand_in(raw, index))
            placeholders.add(f"nodes[{index}]")
    # Only the names among the outputs are checked; the format check reported the rest.
    outputs = _map_raw(
        data.get("outputs"),
        "outputs",
        lambda raw, _: raw if isinstance(raw, str) else [],
        lambda raw: not isinstance(raw, (list, Mapping)),
    )
    spec = GraphSpec.model_construct(inputs=spec_inputs, nodes=spec_nodes, outputs=outputs)
    return [
        (location, message)
        for location, message in graph_problems(spec)
        if not _at_stand_in(location, placeholders)
    ]


def _map_raw(raw: object, path: str, leaf: Any, is_leaf: Any) -> object:
    """Raw (unvalidated) structure data with `leaf(value, location)` at every value
    `is_leaf` says is one, lists and mappings kept around them."""
    if is_leaf(raw):
        return leaf(raw, path)
    if isinstance(raw, list):
        return [_map_raw(item, f"{path}[{i}]", leaf, is_leaf) for i, item in enumerate(raw)]
    return {key: _map_raw(item, f"{path}.{key}", leaf, is_leaf) for key, item in raw.items()}


def _names(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _stand_in(raw: object, index: int) -> GraphNode:
    """A node that failed its format check, as the names it defines and uses (when those
    parts are well formed), without a layer, op or arguments to check."""
    raw = raw if isinstance(raw, Mapping) else {}
    name = raw.get("name") if isinstance(raw.get("name"), str) else f"(nodes[{index}])"
    inputs = raw.get("inputs")
    if isinstance(inputs, Mapping):
        inputs = {
            key: value
            for key, value in inputs.items()
            if isinstance(key, str) and (isinstance(value, str) or _names(value))
        }
    elif not (isinstance(inputs, str) or _names(inputs)):
        inputs = []
    outputs = raw.get("outputs") if _names(raw.get("outputs")) else None
    reuse = raw.get("reuse") if isinstance(raw.get("reuse"), str) else None
    return GraphNode.model_construct(
        name=name, layer=None, op=None, args={}, reuse=reuse, graph=None,
        inputs=inputs, call={}, outputs=outputs or None,
    )  # fmt: skip


def _at_stand_in(location: str, placeholders: set[str]) -> bool:
    """Whether a problem is about a stand-in itself (its kind, its arguments) rather than the
    names it uses, which are checked like any node's."""
    for place in placeholders:
        if location == place or (
            location.startswith(f"{place}.") and not location.startswith(f"{place}.inputs")
        ):
            return True
    return False
