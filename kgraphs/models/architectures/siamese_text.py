"""Siamese model: two texts through a shared embedding, compared by a similarity head.

With no config this is the chapter's `shared_layer_model`: one Embedding(10000, 128) named
`shared_embed` called on `text_a` and `text_b`, separate LSTM(64) encoders named `lstm` and
`lstm_b`, concatenated into Dense(1, sigmoid) named `similarity`; 1,378,945 parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from kgraphs.config.validation import Bool, Units, Vocabulary
from kgraphs.models.registry import ArchitectureConfig, register

if TYPE_CHECKING:
    import keras


class SiameseTextConfig(ArchitectureConfig):
    # Token ids run from 0 to vocab_size - 1 (0 pads), in both texts.
    vocab_size: Vocabulary = 10_000
    # The size of each token's learned vector.
    embedding_dim: Units = 128
    # Each encoder's output size.
    lstm_units: Units = 64
    # One Embedding for both texts (the chapter's shared layer); false gives each its own.
    share_embedding: Bool = True
    # The chapter keeps separate encoders "for illustration"; a true Siamese net shares them.
    share_encoder: Bool = False
    # concat: the chapter's head. cosine: Dot(normalize=True), a single learned scale and bias.
    # l1: per-dimension |a - b| (Koch et al.), built from Subtract and Maximum so the model holds
    # no Python code and reloads in safe mode.
    similarity: Literal["concat", "cosine", "l1"] = "concat"
    # True lets padded batches (token id 0) be ignored by the LSTMs.
    mask_zero: Bool = False

    def output_names(self) -> tuple[str, ...]:
        return ("similarity",)

    def parameter_count(self) -> int:
        units = self.lstm_units
        embeddings = (1 if self.share_embedding else 2) * self.vocab_size * self.embedding_dim
        lstm = 4 * (units * (self.embedding_dim + units) + units)
        encoders = (1 if self.share_encoder else 2) * lstm
        head_inputs = {"concat": 2 * units, "cosine": 1, "l1": units}[self.similarity]
        return embeddings + encoders + head_inputs + 1


@register(SiameseTextConfig)
def siamese_text(config: SiameseTextConfig, *, name: str) -> keras.Model:
    """Text-pair similarity with shared layers (the chapter's Siamese model).

    Example:
        >>> import kgraphs
        >>> model = kgraphs.siamese_text()
        >>> model.count_params(), model.get_layer("shared_embed").name
        (1378945, 'shared_embed')
        >>> kgraphs.siamese_text(share_encoder=True, similarity="cosine").count_params()
        1329410
    """
    import keras
    from keras import layers

    # Inputs
    text_a = keras.Input(shape=(None,), dtype="int32", name="text_a")
    text_b = keras.Input(shape=(None,), dtype="int32", name="text_b")

    # Layers: one instance called twice is all that sharing takes.
    def embedding(layer_name: str) -> layers.Embedding:
        return layers.Embedding(
            config.vocab_size, config.embedding_dim, mask_zero=config.mask_zero, name=layer_name
        )

    if config.share_embedding:
        embed_a = embed_b = embedding("shared_embed")
    else:
        embed_a, embed_b = embedding("embed_a"), embedding("embed_b")
    encoder_a = layers.LSTM(config.lstm_units, name="lstm")
    encoder_b = encoder_a if config.share_encoder else layers.LSTM(config.lstm_units, name="lstm_b")

    # The functional graph
    vector_a = encoder_a(embed_a(text_a))
    vector_b = encoder_b(embed_b(text_b))
    if config.similarity == "concat":
        compared = layers.Concatenate(name="concatenated_vectors")([vector_a, vector_b])
    elif config.similarity == "cosine":
        compared = layers.Dot(axes=1, normalize=True, name="cosine_similarity")(
            [vector_a, vector_b]
        )
    else:
        # |a - b| = max(a - b, b - a), with built-in layers only.
        a_minus_b = layers.Subtract(name="a_minus_b")([vector_a, vector_b])
        b_minus_a = layers.Subtract(name="b_minus_a")([vector_b, vector_a])
        compared = layers.Maximum(name="l1_distance")([a_minus_b, b_minus_a])
    similarity = layers.Dense(1, activation="sigmoid", name="similarity")(compared)
    return keras.Model(inputs=[text_a, text_b], outputs=similarity, name=name)
