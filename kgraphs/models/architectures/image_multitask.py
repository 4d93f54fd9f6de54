"""Multi-output model: one convolutional base, a class head and a bounding-box head.

With no config this is the chapter's `multi_output_model`: two Conv2D/MaxPooling2D pairs
(32 and 64 filters) on a 128x128x3 image, flattened into Dense(10, softmax) named `class_label`
and Dense(4) named `bounding_box`; 825,806 parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from kgraphs.config.validation import Activation, Channels, ImageSide, Int, Units
from kgraphs.models.registry import ArchitectureConfig, register

if TYPE_CHECKING:
    import keras

ImageShape = Annotated[tuple[ImageSide, ImageSide, Channels], Field()]


class ImageMultitaskConfig(ArchitectureConfig):
    # The image's height, width and channels.
    input_shape: ImageShape = (128, 128, 3)
    # One Conv2D (relu) and MaxPooling2D pair per entry, with that many filters.
    conv_filters: Annotated[tuple[Channels, ...], Field(min_length=1, max_length=16)] = (32, 64)
    # Each convolution's square kernel; convolutions are unpadded, trimming kernel_size - 1.
    kernel_size: Annotated[Int, Field(ge=1, le=31)] = 3
    # Each pooling's square window and stride.
    pool_size: Annotated[Int, Field(ge=1, le=32)] = 2
    # The classes of the softmax head `class_label`.
    num_classes: Annotated[Int, Field(ge=2, le=100_000)] = 10
    # The outputs of the box head `bounding_box` (4: x, y, width, height).
    bbox_units: Units = 4
    # flatten keeps spatial layout (the chapter); global_average is far smaller and size-agnostic.
    pooling: Literal["flatten", "global_average"] = "flatten"
    # None regresses raw coordinates (the chapter); "sigmoid" suits boxes normalised to [0, 1].
    bbox_activation: Activation | None = None

    @model_validator(mode="after")
    def _image_survives_the_base(self) -> ImageMultitaskConfig:
        # Each unpadded convolution trims kernel_size - 1 pixels and each pooling divides by
        # pool_size; too many stages leave nothing, which Keras reports far less clearly.
        height, width = self.input_shape[:2]
        for stage, _ in enumerate(self.conv_filters, start=1):
            height = (height - self.kernel_size + 1) // self.pool_size
            width = (width - self.kernel_size + 1) // self.pool_size
            if min(height, width) < 1:
                raise ValueError(
                    f"input_shape {list(self.input_shape)} is too small for"
                    f" {len(self.conv_filters)} conv/pool stages of kernel_size"
                    f" {self.kernel_size} and pool_size {self.pool_size}:"
                    f" nothing is left after stage {stage}"
                )
        return self

    def output_names(self) -> tuple[str, ...]:
        return ("class_label", "bounding_box")

    def parameter_count(self) -> int:
        height, width, channels = self.input_shape
        total = 0
        for filters in self.conv_filters:
            total += (self.kernel_size**2 * channels + 1) * filters
            height = (height - self.kernel_size + 1) // self.pool_size
            width = (width - self.kernel_size + 1) // self.pool_size
            channels = filters
        features = channels * (height * width if self.pooling == "flatten" else 1)
        return total + (features + 1) * (self.num_classes + self.bbox_units)


@register(ImageMultitaskConfig)
def image_multitask(config: ImageMultitaskConfig, *, name: str) -> keras.Model:
    """Image classification and bounding-box regression (the chapter's multi-output model).

    Example:
        >>> import kgraphs
        >>> model = kgraphs.image_multitask()
        >>> model.count_params(), model.output_names
        (825806, ['class_label', 'bounding_box'])
        >>> kgraphs.image_multitask(pooling="global_average").count_params()
        20302
    """
    import keras
    from keras import layers

    # Input
    image = keras.Input(shape=config.input_shape, name="image")

    # Shared convolutional base
    x = image
    for index, filters in enumerate(config.conv_filters, start=1):
        x = layers.Conv2D(filters, config.kernel_size, activation="relu", name=f"conv_{index}")(x)
        x = layers.MaxPooling2D(config.pool_size, name=f"pool_{index}")(x)
    if config.pooling == "flatten":
        features = layers.Flatten(name="features")(x)
    else:
        features = layers.GlobalAveragePooling2D(name="features")(x)

    # Heads
    class_label = layers.Dense(config.num_classes, activation="softmax", name="class_label")(
        features
    )
    bounding_box = layers.Dense(
        config.bbox_units, activation=config.bbox_activation, name="bounding_box"
    )(features)
    return keras.Model(inputs=[image], outputs=[class_label, bounding_box], name=name)
