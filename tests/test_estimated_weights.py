"""`estimated_weights`: the parameter count the graph builder checks against the limit before
a layer allocates, compared with what Keras allocates when it builds the same layer on the
same input (`count_params()`, the independent reference)."""

import keras
import pytest
from keras import layers

from kgraphs.graph_format.builder import estimated_weights

# (what the case is, a layer factory, the input shape without the batch axis)
CASES = [
    ("Embedding", lambda: layers.Embedding(1000, 16), (10,)),
    ("Dense", lambda: layers.Dense(7), (5,)),
    ("Dense on a sequence", lambda: layers.Dense(7), (3, 5)),
    ("Dense without bias", lambda: layers.Dense(7, use_bias=False), (5,)),
    ("LSTM", lambda: layers.LSTM(8), (4, 5)),
    ("LSTM without bias", lambda: layers.LSTM(8, use_bias=False), (4, 5)),
    ("GRU (reset_after)", lambda: layers.GRU(8), (4, 5)),
    ("GRU without reset_after", lambda: layers.GRU(8, reset_after=False), (4, 5)),
    ("GRU without bias", lambda: layers.GRU(8, use_bias=False), (4, 5)),
    ("SimpleRNN", lambda: layers.SimpleRNN(8), (4, 5)),
    ("SimpleRNN without bias", lambda: layers.SimpleRNN(8, use_bias=False), (4, 5)),
    ("Conv1D", lambda: layers.Conv1D(6, 3), (10, 4)),
    ("Conv1D grouped", lambda: layers.Conv1D(6, 3, groups=2, use_bias=False), (10, 4)),
    ("Conv2D", lambda: layers.Conv2D(6, 3), (10, 10, 4)),
    ("Conv2D 3x2 without bias", lambda: layers.Conv2D(6, (3, 2), use_bias=False), (10, 10, 4)),
    ("Conv2D grouped", lambda: layers.Conv2D(6, 3, groups=2), (10, 10, 4)),
    ("Conv2DTranspose", lambda: layers.Conv2DTranspose(6, 3), (10, 10, 4)),
    ("Conv3D", lambda: layers.Conv3D(6, 3), (8, 8, 8, 4)),
    ("SeparableConv1D", lambda: layers.SeparableConv1D(6, 3), (10, 4)),
    ("SeparableConv2D", lambda: layers.SeparableConv2D(6, 3, depth_multiplier=2), (10, 10, 4)),
    (
        "SeparableConv2D without bias",
        lambda: layers.SeparableConv2D(6, 3, use_bias=False),
        (10, 10, 4),
    ),
    ("DepthwiseConv1D", lambda: layers.DepthwiseConv1D(3), (10, 4)),
    ("DepthwiseConv2D", lambda: layers.DepthwiseConv2D(3, depth_multiplier=2), (10, 10, 4)),
    (
        "DepthwiseConv2D without bias",
        lambda: layers.DepthwiseConv2D(3, use_bias=False),
        (10, 10, 4),
    ),
    ("ConvLSTM2D", lambda: layers.ConvLSTM2D(4, 3), (3, 8, 8, 2)),
    ("BatchNormalization", lambda: layers.BatchNormalization(), (10, 4)),
    (
        "BatchNormalization, no gamma or beta",
        lambda: layers.BatchNormalization(center=False, scale=False),
        (4,),
    ),
    ("LayerNormalization", lambda: layers.LayerNormalization(), (10, 4)),
    ("LayerNormalization, no beta", lambda: layers.LayerNormalization(center=False), (10, 4)),
    ("Dropout (no weights)", lambda: layers.Dropout(0.5), (4,)),
]


@pytest.mark.parametrize(
    ("make", "shape"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_estimate_equals_what_keras_allocates(make, shape):
    layer = make()
    estimate = estimated_weights(layer, [(None, *shape)])
    assert not layer.weights  # the estimate comes before any allocation, as the builder needs
    layer(keras.Input(shape))
    assert estimate == layer.count_params()


@pytest.mark.parametrize(
    ("make", "shape", "expected"),
    [
        # Worked out by hand, so that a wrong reference cannot hide a wrong estimate:
        (lambda: layers.Dense(7), (5,), (5 + 1) * 7),
        (lambda: layers.LSTM(8), (4, 5), 4 * (8 * (5 + 8) + 8)),
        (lambda: layers.GRU(8), (4, 5), 3 * (8 * (5 + 8) + 2 * 8)),
        (lambda: layers.Conv2D(6, 3), (10, 10, 4), 3 * 3 * 4 * 6 + 6),
        (lambda: layers.LayerNormalization(), (10, 4), 2 * 4),
        (lambda: layers.BatchNormalization(), (10, 4), 4 * 4),
    ],
    ids=["Dense", "LSTM", "GRU", "Conv2D", "LayerNormalization", "BatchNormalization"],
)
def test_estimate_of_common_layers_by_hand(make, shape, expected):
    assert estimated_weights(make(), [(None, *shape)]) == expected


def test_an_unknown_channel_count_estimates_the_channel_free_part():
    # A Dense on (None, None) inputs: Keras cannot build it, the estimate counts the bias only.
    assert estimated_weights(layers.Dense(7), [(None, None)]) == 7
    assert estimated_weights(layers.Embedding(10, 3), []) == 30
