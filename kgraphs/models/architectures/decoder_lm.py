"""Decoder-only transformer language model (Mistral/Llama style) from built-in Keras layers.

Token ids are embedded, then pass through `depth` pre-norm blocks, each a causal grouped-query
self-attention and a gated SiLU (SwiGLU) MLP, both with RMS normalization before them, no
biases and a residual Add around them; a final RMS norm and an untied Dense head give the next
token's `logits`. With no config it is small enough to train here (4 blocks of width 256, 4
query heads sharing 2 key/value heads, an MLP of 704, 8,000 tokens: 7,047,424 parameters);
`recipes/decoder_7b.yaml` has Mistral-7B's shapes (7,241,732,096 parameters), which kgraphs
draws, summarizes and diffs as structure only, allocating no weight.

There is no positional embedding: rotary embeddings are not a built-in Keras layer, so
positions come only from the causal mask, as in a NoPE decoder (Kazemnejad et al. 2023, "The
Impact of Positional Encoding on Length Generalization in Transformers"). The parameter count
is unchanged by this (rotary embeddings have no weights).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from kgraphs.config.validation import Float, Int, Rate, Units, Vocabulary
from kgraphs.models.registry import ArchitectureConfig, register

if TYPE_CHECKING:
    import keras


class DecoderLmConfig(ArchitectureConfig):
    # Token ids run from 0 to vocabulary_size - 1; also the width of the `logits` head.
    vocabulary_size: Vocabulary = 8_000
    # None accepts any length; a number fixes it (and shows in diagrams).
    sequence_length: Annotated[Int, Field(ge=1, le=1_000_000)] | None = None
    # The model (residual stream) width: each token's vector between blocks.
    width: Units = 256
    # The number of transformer blocks (attention then MLP), one after another.
    depth: Annotated[Int, Field(ge=1, le=1000)] = 4
    # Attention heads of the queries; each has width // query_heads dimensions, so it must
    # divide the width.
    query_heads: Annotated[Int, Field(ge=1, le=4096)] = 4
    # Key/value heads, each shared by query_heads // key_value_heads query heads (grouped-query
    # attention); it must divide query_heads. Equal to query_heads is multi-head attention, 1
    # is multi-query attention.
    key_value_heads: Annotated[Int, Field(ge=1, le=4096)] = 2
    # The hidden width of each block's gated MLP (its gate, up and down projections).
    mlp_width: Units = 704
    # Added to the mean square by every RMSNormalization, against division by zero.
    norm_epsilon: Annotated[Float, Field(gt=0.0, le=1.0)] = 1e-5
    # Applied to each attention and MLP output before its residual Add; 0 adds no Dropout
    # layers.
    dropout: Rate = 0.0

    def output_names(self) -> tuple[str, ...]:
        return ("logits",)

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if self.width % self.query_heads:
            found.append(
                (
                    "query_heads",
                    f"must divide width ({self.width}) into equal heads; given {self.query_heads}",
                )
            )
        if self.query_heads % self.key_value_heads:
            found.append(
                (
                    "key_value_heads",
                    f"must divide query_heads ({self.query_heads}), so that each key/value head "
                    f"serves as many query heads; given {self.key_value_heads}",
                )
            )
        return found

    def parameter_count(self) -> int:
        head_dim = self.width // self.query_heads
        # query and output projections span every query head; key and value the shared heads
        attention = 2 * self.width * head_dim * (self.query_heads + self.key_value_heads)
        mlp = 3 * self.width * self.mlp_width  # gate, up and down, no biases
        norms = 2 * self.width  # one scale vector per RMSNormalization
        embedding = head = self.vocabulary_size * self.width
        return embedding + self.depth * (attention + mlp + norms) + self.width + head


@register(DecoderLmConfig)
def decoder_lm(config: DecoderLmConfig, *, name: str) -> keras.Model:
    """Decoder-only transformer language model (Mistral/Llama-style blocks, no positional layer).

    Example:
        >>> import kgraphs
        >>> model = kgraphs.decoder_lm(
        ...     vocabulary_size=100, width=32, depth=2, query_heads=4, key_value_heads=2,
        ...     mlp_width=64, sequence_length=8,
        ... )
        >>> model.count_params(), model.output_shape
        (24992, (None, 8, 100))
        >>> model.get_layer("block2_attention").num_key_value_heads
        2
    """
    import keras
    from keras import layers

    def rms_norm(name: str) -> keras.layers.Layer:
        return layers.RMSNormalization(epsilon=config.norm_epsilon, name=name)

    def dense(units: int, name: str, activation: str | None = None) -> keras.layers.Layer:
        return layers.Dense(units, activation=activation, use_bias=False, name=name)

    token_ids = keras.Input(shape=(config.sequence_length,), dtype="int32", name="token_ids")
    x = layers.Embedding(config.vocabulary_size, config.width, name="token_embedding")(token_ids)
    for index in range(1, config.depth + 1):
        block = f"block{index}"

        # Causal grouped-query self-attention
        h = rms_norm(f"{block}_attention_norm")(x)
        h = layers.GroupQueryAttention(
            head_dim=config.width // config.query_heads,
            num_query_heads=config.query_heads,
            num_key_value_heads=config.key_value_heads,
            use_bias=False,
            name=f"{block}_attention",
        )(h, h, use_causal_mask=True)
        if config.dropout:
            h = layers.Dropout(config.dropout, name=f"{block}_attention_dropout")(h)
        x = layers.Add(name=f"{block}_attention_residual")([x, h])

        # Gated SiLU MLP (SwiGLU)
        h = rms_norm(f"{block}_mlp_norm")(x)
        gate = dense(config.mlp_width, f"{block}_mlp_gate", activation="silu")(h)
        up = dense(config.mlp_width, f"{block}_mlp_up")(h)
        h = layers.Multiply(name=f"{block}_mlp_gated")([gate, up])
        h = dense(config.width, f"{block}_mlp_down")(h)
        if config.dropout:
            h = layers.Dropout(config.dropout, name=f"{block}_mlp_dropout")(h)
        x = layers.Add(name=f"{block}_mlp_residual")([x, h])

    x = rms_norm("final_norm")(x)
    logits = dense(config.vocabulary_size, "logits")(x)
    return keras.Model(inputs=[token_ids], outputs=logits, name=name)
