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
`op` calls one of the allow-listed `keras.ops` functions (see `kgraphs.graph_format.ops`).

`inputs` is what the node is called on: one name (one tensor), a list of names (one argument
that is a list, as `Concatenate` takes), or a mapping from the call's parameter names to names
or lists of names (`MultiHeadAttention`'s query, value and key, an RNN's `initial_state`).
`call` holds the call's other keyword arguments as plain values. A node whose call returns
several tensors names them in `outputs`, and later nodes use those names.

Names, references, layer classes, ops and arguments are checked before anything is built;
errors Keras raises while a node is called are reported at that node.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag
from typing_extensions import TypeAliasType

from kgraphs.config.validation import Bool, Int, Str, StrictConfig
from kgraphs.util.errors import close_match

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


class GraphInput(StrictConfig):
    # The keras.Input's name: what nodes use, and the key of its data in fit and predict.
    name: NodeName
    # The shape of one example, without the batch; null for a size that varies.
    shape: Annotated[tuple[Dimension | None, ...], Field(max_length=8)]
    # The tensor's dtype (string inputs build on TensorFlow only).
    dtype: DType = "float32"
    # A batch size the model is fixed to (`keras.Input(batch_size=...)`); null: any.
    batch_size: Dimension | None = None
    # A sparse tensor (`keras.Input(sparse=True)`), fed as tf.SparseTensor or JAX's BCOO.
    sparse: Bool = False
    # A ragged tensor (`keras.Input(ragged=True)`), fed as tf.RaggedTensor: TensorFlow only.
    ragged: Bool = False


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
    # A nested graph, built as a model and called as one layer (one of layer, op, reuse, graph);
    # with `layer`, the model a wrapper (TimeDistributed) is given as its `layer` argument.
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


# Inputs and outputs take any structure `keras.Model(inputs=..., outputs=...)` takes: one
# thing, a list, or a mapping from keys to any of these, nested.
StructureKey = Annotated[Str, Field(min_length=1, max_length=200)]


def _is_structure(value: Any) -> bool:
    """A list or mapping of definitions, as opposed to one input's own fields."""
    if isinstance(value, list):
        return all(isinstance(item, (list, Mapping)) for item in value)
    return isinstance(value, Mapping)


def input_kind(value: Any) -> str:
    """Which form of inputs `value` is: "list", "mapping" (of keys to inputs) or "input".

    An input's fields are plain values (`name: x`, `shape: [3]`); a mapping of inputs holds
    definitions, lists and mappings. So `{x: {name: x, shape: [3]}}` is a mapping, and
    `{shape: [3]}` an input missing its name; a mapping with an input's field (or a near
    miss, `nme: x`) as a plain value is an input, so its mistakes are told as an input's.

    Example:
        >>> input_kind({"x": {"name": "x", "shape": [3]}, "y": 5}), input_kind({"nme": "x"})
        ('mapping', 'input')
    """
    if isinstance(value, list):
        return "list"
    if not isinstance(value, Mapping) or not any(_is_structure(v) for v in value.values()):
        return "input"
    fields = GraphInput.model_fields
    for key, item in value.items():
        if not _is_structure(item) and (key in fields or close_match(key, fields)):
            return "input"
    return "mapping"


def _output_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    return "mapping" if isinstance(value, Mapping) else "name"


def _structure(name: str, leaf: Any, leaf_kind: str, kind: Any) -> Any:
    """A recursive alias: a `leaf`, a list of these, or a mapping from keys to these; `kind`
    tells which a value is (`leaf_kind`, "list" or "mapping"), so a wrong value is reported
    against that one only."""
    several = Field(min_length=1, max_length=1000)
    return TypeAliasType(
        name,
        Annotated[
            Annotated[leaf, Tag(leaf_kind)]
            | Annotated[list[name], several, Tag("list")]  # type: ignore[valid-type]
            | Annotated[dict[StructureKey, name], several, Tag("mapping")],  # type: ignore[valid-type]
            Discriminator(kind),
        ],
    )


InputStructure = _structure("InputStructure", GraphInput, "input", input_kind)
OutputStructure = _structure("OutputStructure", NodeName, "name", _output_kind)


def leaves(structure: Any, path: str) -> Iterator[tuple[str, Any]]:
    """`(location, leaf)` for every input definition or output name in a structure, in the
    order written: `inputs[0]`, `outputs.scores`, `outputs[1].box`."""
    if isinstance(structure, list):
        for index, item in enumerate(structure):
            yield from leaves(item, f"{path}[{index}]")
    elif isinstance(structure, Mapping) and not isinstance(structure, GraphInput):
        for key, item in structure.items():
            yield from leaves(item, f"{path}.{key}")
    else:
        yield path, structure


def map_structure(function: Any, structure: Any) -> Any:
    """`structure` with every leaf replaced by `function(leaf)`: lists stay lists, mappings
    keep their keys in their order."""
    if isinstance(structure, list):
        return [map_structure(function, item) for item in structure]
    if isinstance(structure, Mapping) and not isinstance(structure, GraphInput):
        return {key: map_structure(function, item) for key, item in structure.items()}
    return function(structure)


class GraphSpec(StrictConfig):
    # The model's inputs, each a keras.Input: one, a list, or a (nested) mapping from keys to
    # inputs, as `keras.Model(inputs=...)` takes them.
    inputs: InputStructure
    # The calls, in order: each node may use inputs and earlier nodes only.
    nodes: Annotated[list[GraphNode], Field(max_length=20_000)]
    # The model's outputs: a name, a list of names, or a (nested) mapping from keys to names,
    # as `keras.Model(outputs=...)` takes them; the model returns that structure.
    outputs: OutputStructure
    # false: the model is frozen as a whole (`keras.Model(..., trainable=False)`).
    trainable: Bool = True

    @property
    def input_items(self) -> list[tuple[str, GraphInput]]:
        """`(location, input)` for every input, in the order written (`inputs[0]`)."""
        return list(leaves(self.inputs, "inputs"))

    @property
    def output_items(self) -> list[tuple[str, str]]:
        """`(location, name)` for every output, in the order written (`outputs.scores`)."""
        return list(leaves(self.outputs, "outputs"))

    @property
    def output_list(self) -> list[str]:
        return [name for _, name in self.output_items]

    def output_keys(self) -> tuple[str, ...] | None:
        """What per-output compile settings and targets are keyed by: the names of a name or a
        list of names, the keys of a mapping of names; None for a nested structure, which
        Keras takes losses for only in its own shape."""
        return structure_keys(self.outputs)


def structure_keys(outputs: Any) -> tuple[str, ...] | None:
    """The keys of an `outputs` value (see `GraphSpec.output_keys`), or None."""
    if isinstance(outputs, str):
        return (outputs,)
    if isinstance(outputs, list) and all(isinstance(name, str) for name in outputs):
        return tuple(outputs)
    if isinstance(outputs, Mapping) and all(isinstance(name, str) for name in outputs.values()):
        return tuple(outputs)
    return None


GraphNode.model_rebuild()
GraphSpec.model_rebuild()
