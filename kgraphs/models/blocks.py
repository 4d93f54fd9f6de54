"""Reusable blocks: tensor-in, tensor-out functions with predictable layer names.

Like `keras.applications`, every layer a block makes is named `f"{name}_{part}"`, so a
diagram, a summary and a weight file all read the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras


def conv_unit(
    x: keras.KerasTensor,
    filters: int,
    *,
    kernel_size: int = 3,
    stride: int = 1,
    activation: str | None = "relu",
    batch_norm: bool = False,
    name: str,
) -> keras.KerasTensor:
    """Conv2D ("same" padding), then optional BatchNormalization, then the activation.

    Without batch norm the activation is fused into the convolution, exactly as the chapter
    writes it; with batch norm the convolution drops its bias (the norm's beta replaces it) and
    the activation becomes its own layer after the norm.

    Example:
        >>> import keras
        >>> x = conv_unit(keras.Input((8, 8, 3)), 4, batch_norm=True, name="stem")
        >>> x.shape, x._keras_history.operation.name
        ((None, 8, 8, 4), 'stem_relu')
    """
    from keras import layers

    if not batch_norm:
        return layers.Conv2D(
            filters,
            kernel_size,
            strides=stride,
            padding="same",
            activation=activation,
            name=f"{name}_conv",
        )(x)
    x = layers.Conv2D(
        filters, kernel_size, strides=stride, padding="same", use_bias=False, name=f"{name}_conv"
    )(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    if activation:
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def residual_block(
    x: keras.KerasTensor,
    filters: int,
    *,
    kernel_size: int = 3,
    stride: int = 1,
    batch_norm: bool = False,
    activation: str = "relu",
    name: str = "residual_block",
) -> keras.KerasTensor:
    """Two convolutions plus a skip connection, then the activation (the chapter's block).

    The shortcut is the input itself when shapes allow, and a 1x1 projection convolution
    (`{name}_shortcut`) wherever the number of filters or the stride changes, as in ResNet.

    Example:
        >>> import keras
        >>> inputs = keras.Input((32, 32, 16))
        >>> outputs = residual_block(inputs, 32, stride=2, name="block")
        >>> model = keras.Model(inputs, outputs)
        >>> outputs.shape, [layer.name for layer in model.layers][-3:]
        ((None, 16, 16, 32), ['block_shortcut_conv', 'block_add', 'block_out'])
    """
    from keras import layers

    residual = x
    x = conv_unit(
        x,
        filters,
        kernel_size=kernel_size,
        stride=stride,
        activation=activation,
        batch_norm=batch_norm,
        name=f"{name}_1",
    )
    # No activation before the addition: the sum is activated once, after it.
    x = conv_unit(
        x,
        filters,
        kernel_size=kernel_size,
        activation=None,
        batch_norm=batch_norm,
        name=f"{name}_2",
    )
    if stride != 1 or residual.shape[-1] != filters:
        residual = conv_unit(
            residual,
            filters,
            kernel_size=1,
            stride=stride,
            activation=None,
            batch_norm=batch_norm,
            name=f"{name}_shortcut",
        )
    x = layers.Add(name=f"{name}_add")([x, residual])
    return layers.Activation(activation, name=f"{name}_out")(x)
