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

from typing import Annotated, Any, Literal

from pydantic import Field

from kgraphs.config.validation import Int, Str, StrictConfig

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


GraphNode.model_rebuild()
