"""Every preprocessing layer of Keras, exported: a round trip with its whole state, or a refusal.

The table below has one entry per class Keras exports in `keras.layers` from its preprocessing
package (image augmentation included), computed from Keras itself, so a class a new Keras
adds fails the test until it is given an outcome. Each entry makes the layer (adapted on small
data where it adapts) and the inputs to feed it. A round trip gives the same parameters and
the same outputs in inference mode after `to_recipe -> YAML -> build` with the weights copied;
a refusal is a `ConfigError` located at the layer, saying why. Lookup tables are state, not
weights: their vocabularies (and inverse document frequencies) travel in the recipe, and the
variants below check each way they are weighed.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import pytest
from round_trip import assert_same_model, rebuild, string_inputs_refused

import kgraphs
from kgraphs.export import layer_config
from kgraphs.recipe.files import dump_yaml

PACKAGE = "keras.src.layers.preprocessing"
RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, (2, 8, 8, 3)).astype("float32")
FEATURES = RNG.normal(size=(16, 3)).astype("float32")
AUDIO = RNG.normal(size=(2, 256)).astype("float32")
# Texts and ids with tokens seen in adapting, tokens seen more often, and unseen ones (OOV).
TEXTS = np.array(["the cat sat", "the dog ran", "a cat ran far", "the the cat"])
TEXTS_FED = np.array(["the cat ran", "a bird sat on the mat"])
TOKENS = np.array([["cat", "dog", "cat"], ["the", "cat", "a"]])
TOKENS_FED = np.array([["cat", "bird", "a"], ["dog", "dog", "the"]])
IDS = np.array([[3, 5, 3], [7, 3, 9]], dtype="int32")
IDS_FED = np.array([[3, 4, 9], [7, 7, 1]], dtype="int32")


@dataclass(frozen=True)
class Case:
    """How to make the layer (adapted where it adapts), what to feed it, and the outcome:
    a round trip, or a refusal matching `refused` at the layer."""

    make: Callable[[], keras.layers.Layer]
    inputs: Callable[[], list[np.ndarray]]
    refused: str | None = None
    # What Keras itself says when it cannot make a Functional model of the layer.
    keras_refuses: str | None = None
    # A warning Keras itself gives calling the layer (a filter, as in pytest's filterwarnings).
    keras_warns: str | None = None


def adapted(layer: keras.layers.Layer, data) -> keras.layers.Layer:
    layer.adapt(data)
    return layer


def images() -> list[np.ndarray]:
    return [IMAGES]


def image_layer(name: str, **arguments) -> Case:
    return Case(lambda: getattr(keras.layers, name)(**arguments), images)


CASES = {
    "AugMix": image_layer("AugMix"),
    "AutoContrast": image_layer("AutoContrast"),
    "CategoryEncoding": Case(
        lambda: keras.layers.CategoryEncoding(num_tokens=10, output_mode="count"),
        lambda: [IDS_FED],
    ),
    "CenterCrop": image_layer("CenterCrop", height=4, width=6),
    "ContrastLimitedAdaptiveHistogramEqualization": image_layer(
        "ContrastLimitedAdaptiveHistogramEqualization", value_range=(0, 255), tile_grid_size=(2, 2)
    ),
    "CutMix": image_layer("CutMix"),
    "Discretization": Case(
        lambda: adapted(keras.layers.Discretization(num_bins=4), FEATURES),
        lambda: [FEATURES[:4]],
    ),
    # Keras 3.15's Equalization hands back its input tensor itself when called on a symbolic
    # one, so no Functional model (and so no recipe) can hold it.
    "Equalization": Case(
        keras.layers.Equalization,
        images,
        keras_refuses="from operation 'equalization.*' is part of a cycle",
    ),
    "HashedCrossing": Case(
        lambda: keras.layers.HashedCrossing(num_bins=7),
        lambda: [IDS_FED[:, :1], IDS[:, :1]],
        # On JAX it asks for int64, which JAX gives as int32 (the hashes are the same).
        keras_warns="ignore:Explicitly requested dtype int64:UserWarning",
    ),
    "Hashing": Case(lambda: keras.layers.Hashing(num_bins=5, salt=3), lambda: [IDS_FED]),
    "IntegerLookup": Case(lambda: adapted(keras.layers.IntegerLookup(), IDS), lambda: [IDS_FED]),
    "MaxNumBoundingBoxes": image_layer("MaxNumBoundingBoxes", max_number=2),
    "MelSpectrogram": Case(
        lambda: keras.layers.MelSpectrogram(
            fft_length=64,
            sequence_stride=32,
            sequence_length=64,
            num_mel_bins=8,
            sampling_rate=8000,
        ),
        lambda: [AUDIO],
    ),
    "MixUp": image_layer("MixUp"),
    "Normalization": Case(
        lambda: adapted(keras.layers.Normalization(), FEATURES), lambda: [FEATURES[:4]]
    ),
    "Pipeline": Case(
        lambda: keras.layers.Pipeline(
            [keras.layers.Rescaling(1 / 255), keras.layers.CenterCrop(4, 4)]
        ),
        images,
    ),
    "RandAugment": image_layer("RandAugment"),
    "RandomBrightness": image_layer("RandomBrightness", factor=0.2),
    "RandomColorDegeneration": image_layer("RandomColorDegeneration", factor=0.5),
    "RandomColorJitter": image_layer("RandomColorJitter", brightness_factor=0.2),
    "RandomContrast": image_layer("RandomContrast", factor=0.2),
    "RandomCrop": image_layer("RandomCrop", height=4, width=4),
    "RandomElasticTransform": image_layer("RandomElasticTransform"),
    "RandomErasing": image_layer("RandomErasing"),
    "RandomFlip": image_layer("RandomFlip"),
    "RandomGaussianBlur": image_layer("RandomGaussianBlur"),
    "RandomGrayscale": image_layer("RandomGrayscale"),
    "RandomHue": image_layer("RandomHue", factor=0.2),
    "RandomInvert": image_layer("RandomInvert"),
    "RandomPerspective": image_layer("RandomPerspective"),
    "RandomPosterization": image_layer("RandomPosterization", factor=(1, 4)),
    "RandomRotation": image_layer("RandomRotation", factor=0.1),
    "RandomSaturation": image_layer("RandomSaturation", factor=0.5),
    "RandomSharpness": image_layer("RandomSharpness", factor=0.5),
    "RandomShear": image_layer("RandomShear", x_factor=0.2),
    "RandomTranslation": image_layer("RandomTranslation", height_factor=0.1, width_factor=0.1),
    "RandomZoom": image_layer("RandomZoom", height_factor=0.1),
    "Rescaling": image_layer("Rescaling", scale=1 / 127.5, offset=-1),
    "Resizing": image_layer("Resizing", height=4, width=5),
    "STFTSpectrogram": Case(
        lambda: keras.layers.STFTSpectrogram(frame_length=32, frame_step=16, fft_length=32),
        lambda: [AUDIO[..., None]],
    ),
    "Solarization": image_layer("Solarization", addition_factor=0.1, threshold_factor=0.5),
    "StringLookup": Case(
        lambda: adapted(keras.layers.StringLookup(), TOKENS), lambda: [TOKENS_FED]
    ),
    "TextVectorization": Case(
        lambda: adapted(keras.layers.TextVectorization(), TEXTS), lambda: [TEXTS_FED]
    ),
}

# Each way a lookup layer weighs its tokens, and what else it keeps of them.
VARIANTS = {
    "TextVectorization tf_idf": Case(
        lambda: adapted(keras.layers.TextVectorization(output_mode="tf_idf"), TEXTS),
        lambda: [TEXTS_FED],
    ),
    "TextVectorization tf_idf padded to max_tokens": Case(
        lambda: adapted(
            keras.layers.TextVectorization(
                max_tokens=12, output_mode="tf_idf", pad_to_max_tokens=True, ngrams=2
            ),
            TEXTS,
        ),
        lambda: [TEXTS_FED],
    ),
    "TextVectorization multi_hot": Case(
        lambda: adapted(
            keras.layers.TextVectorization(max_tokens=5, output_mode="multi_hot"), TEXTS
        ),
        lambda: [TEXTS_FED],
    ),
    "TextVectorization int with a length": Case(
        lambda: adapted(keras.layers.TextVectorization(output_sequence_length=6), TEXTS),
        lambda: [TEXTS_FED],
    ),
    "StringLookup tf_idf, two OOV indices": Case(
        lambda: adapted(keras.layers.StringLookup(output_mode="tf_idf", num_oov_indices=2), TOKENS),
        lambda: [TOKENS_FED],
    ),
    "StringLookup count with a mask": Case(
        lambda: adapted(keras.layers.StringLookup(output_mode="count", mask_token="_"), TOKENS),
        lambda: [TOKENS_FED],
    ),
    "StringLookup given vocabulary and idf_weights": Case(
        lambda: keras.layers.StringLookup(
            vocabulary=["cat", "dog", "the"], idf_weights=[0.5, 1.5, 0.25], output_mode="tf_idf"
        ),
        lambda: [TOKENS_FED],
    ),
    # Past MAX_CONSTANT_VALUES, which bounds the constants of other layers.
    "StringLookup with 12,000 tokens": Case(
        lambda: keras.layers.StringLookup(vocabulary=[f"t{i}" for i in range(12_000)]),
        lambda: [np.array([["t3", "t11999", "cat"]])],
    ),
    "IntegerLookup tf_idf": Case(
        lambda: adapted(keras.layers.IntegerLookup(output_mode="tf_idf"), IDS),
        lambda: [IDS_FED],
    ),
    # A factor is a number or a range: both are written as given.
    "RandomInvert with a range": Case(
        lambda: keras.layers.RandomInvert(factor=(0.2, 0.6)),
        images,
    ),
    "IntegerLookup inverted": Case(
        lambda: keras.layers.IntegerLookup(vocabulary=[3, 5, 7], invert=True),
        lambda: [np.array([[0, 1, 2], [3, 3, 0]], dtype="int32")],
    ),
}

EVERY = CASES | VARIANTS


def preprocessing_classes() -> set[str]:
    """The names of the classes `keras.layers` exports from Keras's preprocessing package."""
    return {
        name
        for name, value in vars(keras.layers).items()
        if isinstance(value, type) and value.__module__.startswith(PACKAGE)
    }


def test_the_table_has_every_preprocessing_layer():
    assert set(CASES) == preprocessing_classes()


def model_of(layer: keras.layers.Layer, inputs: list[np.ndarray]) -> keras.Model:
    """A model of `layer` alone: one input per array (several are called as a tuple)."""
    tensors = [
        keras.Input(
            shape=array.shape[1:], dtype="string" if array.dtype.kind == "U" else array.dtype
        )
        for array in inputs
    ]
    outputs = layer(tensors[0] if len(tensors) == 1 else tuple(tensors))
    return keras.Model(tensors, outputs)


def with_warnings_of_keras(name: str):
    warns = EVERY[name].keras_warns
    return pytest.param(name, marks=[pytest.mark.filterwarnings(warns)] if warns else [])


@pytest.mark.parametrize("name", [with_warnings_of_keras(name) for name in EVERY])
def test_round_trip_with_its_state_or_located_refusal(name):
    case = EVERY[name]
    inputs = case.inputs()
    layer = case.make()
    if case.keras_refuses:
        with pytest.raises(ValueError, match=case.keras_refuses):
            model_of(layer, inputs)
        return
    model = model_of(layer, inputs)
    if case.refused:
        with pytest.raises(kgraphs.ConfigError) as caught:
            kgraphs.to_recipe(model)
        problems = [f"{location}: {message}" for location, message in caught.value.problems]
        assert all(problem.startswith(f"(model).{layer.name}") for problem in problems), problems
        assert any(re.search(case.refused, problem) for problem in problems), problems
        return
    text = dump_yaml(kgraphs.to_recipe(model))
    assert "vocabulary_size" not in text
    if not string_inputs_refused(text, model):
        assert_same_model(model, rebuild(text, model), inputs)


def test_a_vocabulary_over_the_limit_is_refused_at_the_layer(monkeypatch):
    monkeypatch.setattr(layer_config, "MAX_VOCABULARY", 3)
    layer = adapted(keras.layers.StringLookup(output_mode="tf_idf"), TOKENS)
    with pytest.raises(kgraphs.ConfigError) as caught:
        kgraphs.to_recipe(model_of(layer, [TOKENS_FED]))
    ((location, message),) = caught.value.problems
    assert location == f"(model).{layer.name}.args.vocabulary"
    assert "a vocabulary of 5 tokens is over the 3 a recipe carries" in message
