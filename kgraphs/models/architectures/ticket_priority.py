"""Multi-input model: a support ticket's text and metadata predict its priority.

With no config this is the chapter's `multi_input_model`: Embedding(10000, 64) -> LSTM(32) on
the text, Dense(16, relu) on 5 metadata features, concatenated into Dense(1, sigmoid) named
`priority`; 652,561 parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from kgraphs.config.validation import Bool, Int, Rate, Units, Vocabulary
from kgraphs.models.registry import ArchitectureConfig, register

if TYPE_CHECKING:
    import keras


class TicketPriorityConfig(ArchitectureConfig):
    # Token ids run from 0 to vocab_size - 1 (0 pads).
    vocab_size: Vocabulary = 10_000
    # The size of each token's learned vector.
    embedding_dim: Units = 64
    # The LSTM's output size: the text's features.
    lstm_units: Units = 32
    # The number of numeric features in the metadata input.
    metadata_features: Units = 5
    # 0 feeds the raw metadata straight into the concatenation, as the chapter suggests.
    metadata_units: Annotated[Int, Field(ge=0, le=65_536)] = 16
    # True lets padded batches (token id 0) be ignored by the LSTM.
    mask_zero: Bool = False
    # Applied to the combined features before the head; 0 adds no Dropout layer.
    dropout: Rate = 0.0
    # None accepts any length, like the chapter; a number fixes it (and shows in diagrams).
    sequence_length: Annotated[Int, Field(ge=1, le=1_000_000)] | None = None
    # 1 is the chapter's binary sigmoid head; more gives a softmax over priority levels.
    num_priorities: Annotated[Int, Field(ge=1, le=10_000)] = 1

    def output_names(self) -> tuple[str, ...]:
        return ("priority",)

    def parameter_count(self) -> int:
        embedding = self.vocab_size * self.embedding_dim
        lstm = 4 * (self.lstm_units * (self.embedding_dim + self.lstm_units) + self.lstm_units)
        metadata = (self.metadata_features + 1) * self.metadata_units
        combined = self.lstm_units + (self.metadata_units or self.metadata_features)
        return embedding + lstm + metadata + (combined + 1) * self.num_priorities


@register(TicketPriorityConfig)
def ticket_priority(config: TicketPriorityConfig, *, name: str) -> keras.Model:
    """Support-ticket priority from text and metadata (the chapter's multi-input model).

    Example:
        >>> import kgraphs
        >>> model = kgraphs.ticket_priority()
        >>> model.count_params(), [tensor.name for tensor in model.inputs]
        (652561, ['text', 'metadata'])
        >>> kgraphs.ticket_priority(lstm_units=16, metadata_units=0).count_params()
        645206
    """
    import keras
    from keras import layers

    # Inputs
    text = keras.Input(shape=(config.sequence_length,), dtype="int32", name="text")
    metadata = keras.Input(shape=(config.metadata_features,), dtype="float32", name="metadata")

    # Text branch
    text_features = layers.Embedding(
        config.vocab_size, config.embedding_dim, mask_zero=config.mask_zero, name="text_embedding"
    )(text)
    text_features = layers.LSTM(config.lstm_units, name="text_lstm")(text_features)

    # Metadata branch
    metadata_features = metadata
    if config.metadata_units:
        metadata_features = layers.Dense(
            config.metadata_units, activation="relu", name="metadata_dense"
        )(metadata)

    # Merge and head
    combined = layers.Concatenate(name="combined_features")([text_features, metadata_features])
    if config.dropout:
        combined = layers.Dropout(config.dropout, name="combined_dropout")(combined)
    if config.num_priorities == 1:
        priority = layers.Dense(1, activation="sigmoid", name="priority")(combined)
    else:
        priority = layers.Dense(config.num_priorities, activation="softmax", name="priority")(
            combined
        )
    return keras.Model(inputs=[text, metadata], outputs=priority, name=name)
