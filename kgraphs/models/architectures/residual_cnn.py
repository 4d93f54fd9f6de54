"""Residual CNN: a stem convolution, stages of residual blocks, pooled into a softmax head.

With no config this is the chapter's `resnet_like_model`: Conv2D(64, 3, relu) on a 32x32x3
image, one residual block of two Conv2D(64, 3) with an Add and a ReLU, then global average
pooling and Dense(10, softmax); 76,298 parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from kgraphs.config.validation import Bool, Channels, ImageSide, Int, StrictConfig
from kgraphs.models.blocks import conv_unit, residual_block
from kgraphs.models.registry import ArchitectureConfig, register

if TYPE_CHECKING:
    import keras


class Stage(StrictConfig):
    # The filters of every convolution in the stage's blocks.
    filters: Channels = 64
    # The residual blocks in the stage, one after another.
    blocks: Annotated[Int, Field(ge=1, le=1000)] = 1
    # Applied by the stage's first block; 2 halves the resolution, as between ResNet stages.
    stride: Annotated[Int, Field(ge=1, le=8)] = 1


class ResidualCnnConfig(ArchitectureConfig):
    # The image's height, width and channels.
    input_shape: tuple[ImageSide, ImageSide, Channels] = (32, 32, 3)
    # The filters of the first convolution, before the residual blocks.
    stem_filters: Channels = 64
    # The residual stages in order (the chapter: one stage of one block of 64 filters).
    stages: Annotated[tuple[Stage, ...], Field(min_length=1, max_length=64)] = (Stage(),)
    # BatchNormalization after every convolution, which then drops its bias; the activation
    # becomes its own layer after the norm.
    batch_norm: Bool = False
    # The classes of the softmax head `predictions`.
    num_classes: Annotated[Int, Field(ge=2, le=100_000)] = 10

    def output_names(self) -> tuple[str, ...]:
        return ("predictions",)

    def parameter_count(self) -> int:
        def conv(kernel: int, inputs: int, filters: int) -> int:
            # with batch norm: no bias, but gamma, beta and the two moving statistics
            extra = 4 * filters if self.batch_norm else filters
            return kernel * kernel * inputs * filters + extra

        channels = self.input_shape[-1]
        total = conv(3, channels, self.stem_filters)
        channels = self.stem_filters
        for stage in self.stages:
            for block in range(stage.blocks):
                stride = stage.stride if block == 0 else 1
                total += conv(3, channels, stage.filters) + conv(3, stage.filters, stage.filters)
                if stride != 1 or channels != stage.filters:
                    total += conv(1, channels, stage.filters)
                channels = stage.filters
        return total + (channels + 1) * self.num_classes


@register(ResidualCnnConfig)
def residual_cnn(config: ResidualCnnConfig, *, name: str) -> keras.Model:
    """Image classifier built from residual blocks (the chapter's ResNet-like model).

    Example:
        >>> import kgraphs
        >>> kgraphs.residual_cnn().count_params()
        76298
        >>> deeper = kgraphs.residual_cnn(
        ...     stages=[{"filters": 32, "blocks": 2}, {"filters": 64, "blocks": 2, "stride": 2}],
        ...     batch_norm=True,
        ... )
        >>> deeper.get_layer("stage2_block1_shortcut_conv").strides
        (2, 2)
    """
    import keras
    from keras import layers

    image = keras.Input(shape=config.input_shape, name="image")
    x = conv_unit(image, config.stem_filters, batch_norm=config.batch_norm, name="stem")
    for stage_index, stage in enumerate(config.stages, start=1):
        for block_index in range(1, stage.blocks + 1):
            x = residual_block(
                x,
                stage.filters,
                stride=stage.stride if block_index == 1 else 1,
                batch_norm=config.batch_norm,
                name=f"stage{stage_index}_block{block_index}",
            )
    x = layers.GlobalAveragePooling2D(name="global_pool")(x)
    predictions = layers.Dense(config.num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=[image], outputs=predictions, name=name)
