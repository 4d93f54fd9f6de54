"""Functional models written by others: the keras.io examples and guides, and Keras's own tests
of Functional models, kept as their authors wrote them apart from `keras` imports, smaller sizes
and data made here (nothing downloads).

Each builder returns `(model, inputs)`, the inputs as a list, or a dict keyed by input name for
models built on a dict of inputs; `MODELS` maps a short name to the builder and the
source file in https://github.com/keras-team/keras-io it comes from. `tests/test_real_models.py`
runs every one through `to_recipe`, `build`, a `.keras` file and `kgraphs export`, and holds
the expected outcome of each. `python tests/real_models.py` prints the README's table.
"""

from __future__ import annotations

import math
import warnings
from collections import namedtuple

import keras
import numpy as np
from keras import layers, ops

RNG = np.random.default_rng(0)


def floats(*shape: int) -> np.ndarray:
    return RNG.random(shape, dtype="float32")


def tokens(high: int, *shape: int) -> np.ndarray:
    return RNG.integers(1, high, shape).astype("int32")


# ------------------------------------------------------------------ guides/functional_api.py


def functional_api_ticket_model():
    num_tags, num_words, num_departments = 12, 1000, 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 64)(title_input)
    body_features = layers.Embedding(num_words, 64)(body_input)
    title_features = layers.LSTM(128)(title_features)
    body_features = layers.LSTM(32)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs={"priority": priority_pred, "department": department_pred},
    )
    return model, [tokens(num_words, 2, 6), tokens(num_words, 2, 9), floats(2, num_tags)]


def functional_api_toy_resnet():
    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs, outputs, name="toy_resnet"), [floats(2, 32, 32, 3)]


def functional_api_nested_autoencoder():
    encoder_input = keras.Input(shape=(28, 28, 1), name="original_img")
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    decoder_input = keras.Input(shape=(16,), name="encoded_img")
    x = layers.Reshape((4, 4, 1))(decoder_input)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
    decoder = keras.Model(decoder_input, decoder_output, name="decoder")
    autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
    encoded_img = encoder(autoencoder_input)
    decoded_img = decoder(encoded_img)
    return keras.Model(autoencoder_input, decoded_img, name="autoencoder"), [floats(2, 28, 28, 1)]


def functional_api_ensemble():
    def get_model():
        inputs = keras.Input(shape=(128,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1, model2, model3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(128,))
    y1, y2, y3 = model1(inputs), model2(inputs), model3(inputs)
    outputs = layers.average([y1, y2, y3])
    return keras.Model(inputs=inputs, outputs=outputs), [floats(2, 128)]


# ------------------------------------------------------------------ examples/vision


def mnist_convnet():
    """examples/vision/mnist_convnet.py: a Sequential model."""
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    return model, [floats(2, 28, 28, 1)]


def image_classification_from_scratch():
    data_augmentation_layers = [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)]
    augmentation = keras.Sequential(data_augmentation_layers, name="data_augmentation")
    input_shape, num_classes = (48, 48, 3), 2
    inputs = keras.Input(shape=input_shape)
    x = augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [64, 128]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.SeparableConv2D(256, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    units = 1 if num_classes == 2 else num_classes
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, outputs), [floats(2, *input_shape) * 255]


def oxford_pets_segmentation():
    img_size, num_classes = (32, 32), 3
    inputs = keras.Input(shape=img_size + (3,))
    x = layers.Conv2D(16, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for filters in [32, 64]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    for filters in [64, 32, 16]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)
    return keras.Model(inputs, outputs), [floats(2, 32, 32, 3)]


def conv_autoencoder():
    """examples/vision/autoencoder.py."""
    input = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(input, x), [floats(2, 28, 28, 1)]


def convmixer():
    """examples/vision/convmixer.py."""

    def activation_block(x):
        x = layers.Activation("gelu")(x)
        return layers.BatchNormalization()(x)

    def conv_stem(x, filters: int, patch_size: int):
        x = layers.Conv2D(filters, kernel_size=patch_size, strides=patch_size)(x)
        return activation_block(x)

    def conv_mixer_block(x, filters: int, kernel_size: int):
        x0 = x
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, padding="same")(x)
        x = layers.Add()([activation_block(x), x0])
        x = layers.Conv2D(filters, kernel_size=1)(x)
        x = activation_block(x)
        return x

    image_size, filters, depth, kernel_size, patch_size, num_classes = 32, 32, 2, 5, 2, 10
    inputs = keras.Input((image_size, image_size, 3))
    x = layers.Rescaling(scale=1.0 / 255)(inputs)
    x = conv_stem(x, filters, patch_size)
    for _ in range(depth):
        x = conv_mixer_block(x, filters, kernel_size)
    x = layers.GlobalAvgPool2D()(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs), [floats(2, 32, 32, 3) * 255]


def deeplabv3_plus():
    """examples/vision/deeplabv3_plus.py: preprocess_input's slicing, ops.nn.relu, ResNet50."""

    def convolution_block(
        block_input, num_filters=256, kernel_size=3, dilation_rate=1, use_bias=False
    ):
        x = layers.Conv2D(
            num_filters,
            kernel_size=kernel_size,
            dilation_rate=dilation_rate,
            padding="same",
            use_bias=use_bias,
            kernel_initializer=keras.initializers.HeNormal(),
        )(block_input)
        x = layers.BatchNormalization()(x)
        return ops.nn.relu(x)

    def dilated_spatial_pyramid_pooling(dspp_input):
        dims = dspp_input.shape
        x = layers.AveragePooling2D(pool_size=(dims[-3], dims[-2]))(dspp_input)
        x = convolution_block(x, kernel_size=1, use_bias=True)
        out_pool = layers.UpSampling2D(
            size=(dims[-3] // x.shape[1], dims[-2] // x.shape[2]), interpolation="bilinear"
        )(x)
        out_1 = convolution_block(dspp_input, kernel_size=1, dilation_rate=1)
        out_6 = convolution_block(dspp_input, kernel_size=3, dilation_rate=6)
        out_12 = convolution_block(dspp_input, kernel_size=3, dilation_rate=12)
        out_18 = convolution_block(dspp_input, kernel_size=3, dilation_rate=18)
        x = layers.Concatenate(axis=-1)([out_pool, out_1, out_6, out_12, out_18])
        return convolution_block(x, kernel_size=1)

    image_size, num_classes = 64, 3
    model_input = keras.Input(shape=(image_size, image_size, 3))
    preprocessed = keras.applications.resnet50.preprocess_input(model_input)
    resnet50 = keras.applications.ResNet50(
        weights=None, include_top=False, input_tensor=preprocessed
    )
    x = resnet50.get_layer("conv4_block6_2_relu").output
    x = dilated_spatial_pyramid_pooling(x)
    input_a = layers.UpSampling2D(
        size=(image_size // 4 // x.shape[1], image_size // 4 // x.shape[2]),
        interpolation="bilinear",
    )(x)
    input_b = resnet50.get_layer("conv2_block3_2_relu").output
    input_b = convolution_block(input_b, num_filters=48, kernel_size=1)
    x = layers.Concatenate(axis=-1)([input_a, input_b])
    x = convolution_block(x)
    x = convolution_block(x)
    x = layers.UpSampling2D(
        size=(image_size // x.shape[1], image_size // x.shape[2]), interpolation="bilinear"
    )(x)
    model_output = layers.Conv2D(num_classes, kernel_size=(1, 1), padding="same")(x)
    return keras.Model(inputs=model_input, outputs=model_output), [floats(1, 64, 64, 3) * 255]


def siamese_contrastive():
    """examples/vision/siamese_contrastive.py: a Lambda computes the distance (refused)."""

    def euclidean_distance(vects):
        x, y = vects
        sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))

    input = keras.layers.Input((28, 28, 1))
    x = keras.layers.BatchNormalization()(input)
    x = keras.layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(input, x)
    input_1 = keras.layers.Input((28, 28, 1))
    input_2 = keras.layers.Input((28, 28, 1))
    tower_1, tower_2 = embedding_network(input_1), embedding_network(input_2)
    merge_layer = keras.layers.Lambda(euclidean_distance, output_shape=(1,))([tower_1, tower_2])
    normal_layer = keras.layers.BatchNormalization()(merge_layer)
    output_layer = keras.layers.Dense(1, activation="sigmoid")(normal_layer)
    model = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    return model, [floats(2, 28, 28, 1), floats(2, 28, 28, 1)]


# ------------------------------------------------------------------ examples/nlp


def text_classification_from_scratch():
    """The model and, at the end, the end-to-end model with an adapted TextVectorization."""
    max_features, embedding_dim, sequence_length = 200, 16, 100
    vectorize_layer = layers.TextVectorization(
        max_tokens=max_features, output_mode="int", output_sequence_length=sequence_length
    )
    vectorize_layer.adapt(["a great movie", "a terrible film", "the plot was thin", "great cast"])
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(32, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(32, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)
    inputs = keras.Input(shape=(1,), dtype="string")
    indices = vectorize_layer(inputs)
    outputs = model(indices)
    end_to_end_model = keras.Model(inputs, outputs)
    return end_to_end_model, [np.array([["a great film"], ["thin plot, unknown words"]])]


def text_vectorization_custom_standardize():
    """The same example's custom standardization function: a Python function (refused)."""
    import re
    import string

    import tensorflow as tf

    def custom_standardization(input_data):
        lowercase = tf.strings.lower(input_data)
        stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
        return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")

    vectorize_layer = layers.TextVectorization(
        standardize=custom_standardization, max_tokens=100, output_sequence_length=8
    )
    vectorize_layer.adapt(["Some text<br />here", "More text"])
    inputs = keras.Input(shape=(1,), dtype="string")
    x = layers.Embedding(100, 8)(vectorize_layer(inputs))
    outputs = layers.Dense(1)(layers.GlobalAveragePooling1D()(x))
    return keras.Model(inputs, outputs), [np.array([["text"]])]


def bidirectional_lstm_imdb():
    max_features = 2000
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(max_features, 128)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs), [tokens(max_features, 2, 12)]


def lstm_seq2seq():
    num_encoder_tokens, num_decoder_tokens, latent_dim = 20, 24, 32
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
    encoder = keras.layers.LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
    decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = keras.layers.Dense(num_decoder_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    return model, [floats(2, 5, num_encoder_tokens), floats(2, 7, num_decoder_tokens)]


# ------------------------------------------------------------------ examples/timeseries


def timeseries_transformer():
    """examples/timeseries/timeseries_classification_transformer.py."""

    def transformer_encoder(inputs, head_size, num_heads, ff_dim, dropout=0):
        x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads, dropout=dropout)(
            inputs, inputs
        )
        x = layers.Dropout(dropout)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        res = x + inputs
        x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
        x = layers.Dropout(dropout)(x)
        x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        return x + res

    def build_model(
        input_shape,
        head_size,
        num_heads,
        ff_dim,
        num_transformer_blocks,
        mlp_units,
        dropout=0,
        mlp_dropout=0,
    ):
        inputs = keras.Input(shape=input_shape)
        x = inputs
        for _ in range(num_transformer_blocks):
            x = transformer_encoder(x, head_size, num_heads, ff_dim, dropout)
        x = layers.GlobalAveragePooling1D(data_format="channels_last")(x)
        for dim in mlp_units:
            x = layers.Dense(dim, activation="relu")(x)
            x = layers.Dropout(mlp_dropout)(x)
        outputs = layers.Dense(2, activation="softmax")(x)
        return keras.Model(inputs, outputs)

    model = build_model(
        (50, 1),
        head_size=32,
        num_heads=2,
        ff_dim=4,
        num_transformer_blocks=2,
        mlp_units=[16],
        mlp_dropout=0.4,
        dropout=0.25,
    )
    return model, [floats(2, 50, 1)]


def timeseries_classification_from_scratch():
    input_shape, num_classes = (60, 1), 2
    input_layer = keras.layers.Input(input_shape)
    conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)
    conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)
    conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)
    gap = keras.layers.GlobalAveragePooling1D()(conv3)
    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer), [floats(2, 60, 1)]


def timeseries_weather_forecasting():
    inputs = keras.layers.Input(shape=(120, 7))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    return keras.Model(inputs=inputs, outputs=outputs), [floats(2, 120, 7)]


# ------------------------------------------------------------------ examples/audio, rl, generative


def speaker_recognition_cnn():
    """examples/audio/speaker_recognition_using_cnn.py."""

    def residual_block(x, filters, conv_num=3, activation="relu"):
        s = keras.layers.Conv1D(filters, 1, padding="same")(x)
        for _ in range(conv_num - 1):
            x = keras.layers.Conv1D(filters, 3, padding="same")(x)
            x = keras.layers.Activation(activation)(x)
        x = keras.layers.Conv1D(filters, 3, padding="same")(x)
        x = keras.layers.Add()([x, s])
        x = keras.layers.Activation(activation)(x)
        return keras.layers.MaxPool1D(pool_size=2, strides=2)(x)

    inputs = keras.layers.Input(shape=(400, 1), name="input")
    x = residual_block(inputs, 8, 2)
    x = residual_block(x, 16, 2)
    x = residual_block(x, 32, 3)
    x = keras.layers.AveragePooling1D(pool_size=3, strides=3)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(5, activation="softmax", name="output")(x)
    return keras.models.Model(inputs=inputs, outputs=outputs), [floats(2, 400, 1)]


def ddpg_actor():
    """examples/rl/ddpg_pendulum.py: `outputs * upper_bound`."""
    num_states, upper_bound = 3, 2.0
    last_init = keras.initializers.RandomUniform(minval=-0.003, maxval=0.003)
    inputs = layers.Input(shape=(num_states,))
    out = layers.Dense(256, activation="relu")(inputs)
    out = layers.Dense(256, activation="relu")(out)
    outputs = layers.Dense(1, activation="tanh", kernel_initializer=last_init)(out)
    outputs = outputs * upper_bound
    return keras.Model(inputs, outputs), [floats(2, num_states)]


def ddpg_actor_tf_initializer():
    """The TensorFlow-era version of the same actor: tf.random_uniform_initializer."""
    import tensorflow as tf

    inputs = layers.Input(shape=(3,))
    out = layers.Dense(64, activation="relu")(inputs)
    last_init = tf.random_uniform_initializer(minval=-0.003, maxval=0.003)
    outputs = layers.Dense(1, activation="tanh", kernel_initializer=last_init)(out) * 2.0
    return keras.Model(inputs, outputs), [floats(2, 3)]


def ddpg_critic():
    state_input = layers.Input(shape=(3,))
    state_out = layers.Dense(16, activation="relu")(state_input)
    state_out = layers.Dense(32, activation="relu")(state_out)
    action_input = layers.Input(shape=(1,))
    action_out = layers.Dense(32, activation="relu")(action_input)
    concat = layers.Concatenate()([state_out, action_out])
    out = layers.Dense(256, activation="relu")(concat)
    out = layers.Dense(256, activation="relu")(out)
    outputs = layers.Dense(1)(out)
    return keras.Model([state_input, action_input], outputs), [floats(2, 3), floats(2, 1)]


def wgan_gp_generator():
    """examples/generative/wgan_gp.py."""

    def upsample_block(
        x,
        filters,
        activation,
        kernel_size=(3, 3),
        strides=(1, 1),
        up_size=(2, 2),
        padding="same",
        use_bn=False,
        use_bias=True,
        use_dropout=False,
        drop_value=0.3,
    ):
        x = layers.UpSampling2D(up_size)(x)
        x = layers.Conv2D(
            filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias
        )(x)
        if use_bn:
            x = layers.BatchNormalization()(x)
        if activation:
            x = activation(x)
        if use_dropout:
            x = layers.Dropout(drop_value)(x)
        return x

    noise = layers.Input(shape=(32,))
    x = layers.Dense(4 * 4 * 64, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((4, 4, 64))(x)
    x = upsample_block(x, 32, layers.LeakyReLU(0.2), use_bias=False, use_bn=True)
    x = upsample_block(x, 16, layers.LeakyReLU(0.2), use_bias=False, use_bn=True)
    x = upsample_block(x, 1, layers.Activation("tanh"), use_bias=False, use_bn=True)
    x = layers.Cropping2D((2, 2))(x)
    return keras.models.Model(noise, x, name="generator"), [floats(2, 32)]


def vae_encoder():
    """examples/generative/vae.py: a custom Sampling layer (refused)."""

    class Sampling(layers.Layer):
        # As keras.io writes it now: JAX traces the call, so the noise needs a seed generator.
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            epsilon = keras.random.normal(shape=ops.shape(z_mean), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    latent_dim = 2
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
    return encoder, [floats(2, 28, 28, 1)]


# ------------------------------------------------------------------ examples/structured_data


def structured_data_from_scratch():
    """structured_data_classification_from_scratch.py (the lookups and normalizers adapted)."""
    rng = np.random.default_rng(1)
    sex, thal = rng.integers(0, 2, 30), rng.choice(["fixed", "normal", "reversible"], 30)
    age = rng.integers(29, 77, 30).astype("float32")

    def encode_numerical_feature(feature, values):
        normalizer = layers.Normalization()
        normalizer.adapt(values[:, None])
        return normalizer(feature)

    def encode_categorical_feature(feature, values, is_string):
        lookup_class = layers.StringLookup if is_string else layers.IntegerLookup
        lookup = lookup_class(output_mode="binary")
        lookup.adapt(values)
        return lookup(feature)

    sex_input = keras.Input(shape=(1,), name="sex", dtype="int64")
    thal_input = keras.Input(shape=(1,), name="thal", dtype="string")
    age_input = keras.Input(shape=(1,), name="age")
    all_features = layers.concatenate(
        [
            encode_categorical_feature(sex_input, sex, False),
            encode_categorical_feature(thal_input, thal, True),
            encode_numerical_feature(age_input, age),
        ]
    )
    x = layers.Dense(32, activation="relu")(all_features)
    x = layers.Dropout(0.5)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model([sex_input, thal_input, age_input], output)
    return model, [
        np.array([[1], [0]], "int64"),
        np.array([["normal"], ["rare"]]),
        np.array([[40.0], [61.0]], "float32"),
    ]


def wide_and_deep():
    """structured_data/wide_deep_cross_networks.py: StringLookup and ops.expand_dims."""
    vocabularies = {"soil": ["sand", "clay", "loam"], "area": ["north", "south"]}
    numeric = ["elevation", "slope"]
    inputs = {name: layers.Input(name=name, shape=(), dtype="string") for name in vocabularies}
    inputs |= {name: layers.Input(name=name, shape=(), dtype="float32") for name in numeric}

    def encode_inputs(inputs, use_embedding=False):
        encoded_features = []
        for feature_name in inputs:
            if feature_name in vocabularies:
                vocabulary = vocabularies[feature_name]
                lookup = layers.StringLookup(
                    vocabulary=vocabulary,
                    mask_token=None,
                    num_oov_indices=0,
                    output_mode="int" if use_embedding else "binary",
                )
                if use_embedding:
                    encoded_feature = lookup(inputs[feature_name])
                    embedding_dims = int(math.sqrt(len(vocabulary)))
                    embedding = layers.Embedding(
                        input_dim=len(vocabulary), output_dim=embedding_dims
                    )
                    encoded_feature = embedding(encoded_feature)
                else:
                    encoded_feature = lookup(keras.ops.expand_dims(inputs[feature_name], -1))
            else:
                encoded_feature = keras.ops.expand_dims(inputs[feature_name], -1)
            encoded_features.append(encoded_feature)
        return layers.concatenate(encoded_features)

    wide = encode_inputs(inputs)
    wide = layers.BatchNormalization()(wide)
    deep = encode_inputs(inputs, use_embedding=True)
    for units in [16, 16]:
        deep = layers.Dense(units)(deep)
        deep = layers.BatchNormalization()(deep)
        deep = layers.ReLU()(deep)
        deep = layers.Dropout(0.1)(deep)
    merged = layers.concatenate([wide, deep])
    outputs = layers.Dense(units=4, activation="softmax")(merged)
    model = keras.Model(inputs=inputs, outputs=outputs)
    data = {"soil": np.array(["sand", "loam"]), "area": np.array(["north", "south"])}
    return model, data | {"elevation": floats(2), "slope": floats(2)}


def tabtransformer():
    """structured_data/tabtransformer.py: ops.stack, MultiHeadAttention, nested Sequential MLPs."""
    categorical = {"workclass": 5, "education": 7}
    numeric = ["age", "hours"]
    embedding_dims, num_heads, dropout_rate = 8, 2, 0.1
    inputs = {name: layers.Input(name=name, shape=(), dtype="int32") for name in categorical}
    inputs |= {name: layers.Input(name=name, shape=(), dtype="float32") for name in numeric}

    def create_mlp(hidden_units, dropout_rate, activation, normalization_layer, name=None):
        mlp_layers = []
        for units in hidden_units:
            mlp_layers.append(normalization_layer())
            mlp_layers.append(layers.Dense(units, activation=activation))
            mlp_layers.append(layers.Dropout(dropout_rate))
        return keras.Sequential(mlp_layers, name=name)

    encoded_categorical, numerical = [], []
    for name in inputs:
        if name in categorical:
            embedding = layers.Embedding(input_dim=categorical[name], output_dim=embedding_dims)
            encoded_categorical.append(embedding(inputs[name]))
        else:
            numerical.append(keras.ops.expand_dims(inputs[name], -1))
    encoded_categorical_features = keras.ops.stack(encoded_categorical, axis=1)
    numerical_features = layers.concatenate(numerical)
    for block_idx in range(2):
        attention_output = layers.MultiHeadAttention(
            num_heads=num_heads,
            key_dim=embedding_dims,
            dropout=dropout_rate,
            name=f"multihead_attention_{block_idx}",
        )(encoded_categorical_features, encoded_categorical_features)
        x = layers.Add(name=f"skip_connection1_{block_idx}")(
            [attention_output, encoded_categorical_features]
        )
        x = layers.LayerNormalization(name=f"layer_norm1_{block_idx}", epsilon=1e-6)(x)
        feedforward_output = create_mlp(
            hidden_units=[embedding_dims],
            dropout_rate=dropout_rate,
            activation=keras.activations.gelu,
            normalization_layer=lambda: layers.LayerNormalization(epsilon=1e-6),
            name=f"feedforward_{block_idx}",
        )(x)
        x = layers.Add(name=f"skip_connection2_{block_idx}")([feedforward_output, x])
        encoded_categorical_features = layers.LayerNormalization(
            name=f"layer_norm2_{block_idx}", epsilon=1e-6
        )(x)
    categorical_features = layers.Flatten()(encoded_categorical_features)
    numerical_features = layers.LayerNormalization(epsilon=1e-6)(numerical_features)
    features = layers.concatenate([categorical_features, numerical_features])
    features = create_mlp(
        hidden_units=[16, 8],
        dropout_rate=dropout_rate,
        activation=keras.activations.selu,
        normalization_layer=layers.BatchNormalization,
        name="MLP",
    )(features)
    outputs = layers.Dense(units=1, activation="sigmoid", name="sigmoid")(features)
    model = keras.Model(inputs=inputs, outputs=outputs)
    data = {"workclass": np.array([1, 4], "int32"), "education": np.array([0, 6], "int32")}
    return model, data | {"age": floats(2), "hours": floats(2)}


# -------------------------------------------- examples/generative/neural_style_transfer.py


def style_transfer_features():
    """The feature extractor: VGG19's every layer's output, as a dict keyed by layer name."""
    model = keras.applications.vgg19.VGG19(weights=None, include_top=False)
    outputs_dict = dict([(layer.name, layer.output) for layer in model.layers])
    feature_extractor = keras.Model(inputs=model.inputs, outputs=outputs_dict)
    return feature_extractor, [floats(1, 32, 32, 3)]


# ------------------------------------------------------ keras/src/models/functional_test.py
# Keras's own tests of the structures a Functional model takes (Input/Functional as there).


def keras_multi_output():
    """test_basic_flow_multi_output."""
    inputs = keras.Input(shape=(3,), batch_size=2, name="input")
    x = layers.Dense(5)(inputs)
    output_a = layers.Dense(4)(x)
    output_b = layers.Dense(5)(x)
    return keras.Model(inputs, [output_a, output_b]), [floats(2, 3)]


def keras_dict_io():
    """test_basic_flow_dict_io: a dict of inputs, added by an operator."""
    input_a = keras.Input(shape=(3,), batch_size=2, name="a")
    input_b = keras.Input(shape=(3,), batch_size=2, name="b")
    x = input_a + input_b
    x = layers.Dense(5)(x)
    outputs = layers.Dense(4)(x)
    return keras.Model({"a": input_a, "b": input_b}, outputs), {
        "a": floats(2, 3),
        "b": floats(2, 3),
    }


def keras_submodel_time_distributed():
    """test_basic_flow_as_a_submodel: TimeDistributed over a Functional model."""
    submodel_inputs = keras.Input([4])
    submodel_outputs = layers.Flatten()(submodel_inputs)
    submodel = keras.Model(submodel_inputs, submodel_outputs)
    inputs = keras.Input((None, 4))
    outputs = layers.TimeDistributed(submodel)(inputs)
    return keras.Model(inputs=inputs, outputs=outputs), [floats(2, 3, 4)]


def keras_restored_dict_outputs():
    """test_restored_multi_output_type, with out_type=dict."""
    inputs = keras.Input(shape=(3,), batch_size=2, name="input")
    x = layers.Dense(5)(inputs)
    output_a = layers.Dense(4)(x)
    output_b = layers.Dense(5)(x)
    return keras.Model(inputs, {"a": output_a, "b": output_b}), [floats(2, 3)]


def keras_restored_nested_input():
    """test_restored_nested_input: inputs `[[input_a]]`."""
    input_a = keras.Input(shape=(3,), batch_size=2, name="input_a")
    x = layers.Dense(5)(input_a)
    outputs = layers.Dense(4)(x)
    return keras.Model([[input_a]], outputs), [[floats(2, 3)]]


def keras_deeply_nested():
    """test_deeply_nested_model: nested dicts in and out."""
    i1, i2, i3 = keras.Input((1,)), keras.Input((2,)), keras.Input((3,))
    o1, o2, o3 = (layers.Dense(1)(i1), layers.Dense(2)(i2), layers.Dense(3)(i3))
    with warnings.catch_warnings():  # keys that are not the inputs' names: Keras warns
        warnings.simplefilter("ignore", UserWarning)
        model = keras.Model(
            {"1": i1, "others": {"2": i2, "3": i3}},
            {"1": o1, "others": {"2": o2, "3": o3}},
        )
    return model, {"1": floats(2, 1), "others": {"2": floats(2, 2), "3": floats(2, 3)}}


def keras_unmodified_inputs():
    """test_unmodified_inputs: an input is itself an output."""
    i1 = keras.Input((2,), name="input1")
    i2 = keras.Input((2,), name="input2")
    o1 = i1 * 2
    o2 = i2
    model = keras.Model({"input1": i1, "input2": i2}, {"output1": o1, "output2": o2})
    return model, {"input1": floats(2, 2), "input2": floats(2, 2)}


def keras_unused_inputs():
    """test_unused_inputs: input2 feeds nothing."""
    i1 = keras.Input((2,), name="input1")
    i2 = keras.Input((2,), name="input2")
    o1 = i1 * 2
    model = keras.Model({"input1": i1, "input2": i2}, o1)
    return model, {"input1": floats(2, 2), "input2": floats(2, 2)}


# ------------------------------------------------------------------ examples/vision/retinanet.py


def retinanet_heads():
    """The class and box heads, one Sequential each called on every pyramid level, with the
    class head's prior bias `-np.log(99)` (a numpy float), on a small feature pyramid."""
    images = keras.Input((32, 32, 3))
    c3 = layers.Conv2D(8, 3, 2, "same", activation="relu")(images)
    c4 = layers.Conv2D(8, 3, 2, "same", activation="relu")(c3)
    p4 = layers.Conv2D(16, 1, 1, "same")(c4)
    p3 = layers.Conv2D(16, 1, 1, "same")(c3) + layers.UpSampling2D(2)(p4)
    p5 = layers.Conv2D(16, 3, 2, "same")(c4)

    def build_head(output_filters, bias_init):
        head = keras.Sequential([keras.Input(shape=[None, None, 16])])
        kernel_init = keras.initializers.RandomNormal(0.0, 0.01)
        for _ in range(2):
            head.add(layers.Conv2D(16, 3, padding="same", kernel_initializer=kernel_init))
            head.add(layers.ReLU())
        head.add(
            layers.Conv2D(
                output_filters,
                3,
                1,
                padding="same",
                kernel_initializer=kernel_init,
                bias_initializer=bias_init,
            )
        )
        return head

    prior_probability = keras.initializers.Constant(-np.log((1 - 0.01) / 0.01))
    cls_head = build_head(9 * 4, prior_probability)
    box_head = build_head(9 * 4, "zeros")
    cls_outputs, box_outputs = [], []
    for feature in [p3, p4, p5]:
        box_outputs.append(layers.Reshape([-1, 4])(box_head(feature)))
        cls_outputs.append(layers.Reshape([-1, 4])(cls_head(feature)))
    cls_outputs = layers.Concatenate(axis=1)(cls_outputs)
    box_outputs = layers.Concatenate(axis=1)(box_outputs)
    return keras.Model(images, ops.concatenate([box_outputs, cls_outputs], axis=-1)), [
        floats(1, 32, 32, 3)
    ]


# ------------------------------------------------------------------ examples/audio/ctc_asr.py


def ctc_asr():
    """build_model, smaller: Bidirectional GRUs named by their author."""
    input_dim, output_dim, rnn_layers, rnn_units = 16, 10, 2, 16
    input_spectrogram = layers.Input((None, input_dim), name="input")
    x = layers.Reshape((-1, input_dim, 1), name="expand_dim")(input_spectrogram)
    x = layers.Conv2D(8, [11, 41], strides=[2, 2], padding="same", use_bias=False, name="conv_1")(x)
    x = layers.BatchNormalization(name="conv_1_bn")(x)
    x = layers.ReLU(name="conv_1_relu")(x)
    x = layers.Reshape((-1, x.shape[-2] * x.shape[-1]))(x)
    for i in range(1, rnn_layers + 1):
        recurrent = layers.GRU(
            units=rnn_units,
            activation="tanh",
            recurrent_activation="sigmoid",
            use_bias=True,
            return_sequences=True,
            reset_after=True,
            name=f"gru_{i}",
        )
        x = layers.Bidirectional(recurrent, name=f"bidirectional_{i}", merge_mode="concat")(x)
        if i < rnn_layers:
            x = layers.Dropout(rate=0.5)(x)
    x = layers.Dense(units=rnn_units * 2, name="dense_1")(x)
    x = layers.ReLU(name="dense_1_relu")(x)
    output = layers.Dense(units=output_dim + 1, activation="softmax")(x)
    return keras.Model(input_spectrogram, output, name="DeepSpeech_2"), [floats(2, 10, input_dim)]


# ------------------------------------------------------------------ guides/working_with_rnns.py


def rnn_bidirectional_backward_layer():
    """Bidirectional with its own backward layer, and the merge modes."""
    inputs = keras.Input((5, 10))
    forward_layer = layers.LSTM(10, return_sequences=True)
    backward_layer = layers.LSTM(10, activation="relu", return_sequences=True, go_backwards=True)
    x = layers.Bidirectional(forward_layer, backward_layer=backward_layer)(inputs)
    y = layers.Bidirectional(layers.GRU(4), merge_mode="sum")(x)
    z = layers.Bidirectional(layers.SimpleRNN(3), merge_mode=None)(x)
    return keras.Model(inputs, [y, z]), [floats(2, 5, 10)]


def rnn_stateful():
    """Cross-batch statefulness: a stateful LSTM needs a fixed batch size."""
    inputs = keras.Input(batch_shape=(2, 3, 4))
    outputs = layers.LSTM(5, stateful=True)(inputs)
    return keras.Model(inputs, outputs), [floats(2, 3, 4)]


# ------------------------------------------ keras/src/models/{functional,model,sequential}_test.py


def keras_serialization_trainable_false():
    """functional_test.test_serialization: a model made untrainable."""
    inputs = keras.Input(shape=(3,), batch_size=2)
    outputs = layers.Dense(3)(inputs)
    return keras.Model(inputs, outputs, trainable=False), [floats(2, 3)]


def keras_multi_outputs_struct():
    """model_test._get_model_multi_outputs_struct: the same tensors at several paths."""
    x = keras.Input(shape=(3,), name="x")
    y1 = layers.Dense(1, name="y1", activation="sigmoid")(x)
    y2 = layers.Dense(1, name="y2", activation="sigmoid")(x)
    y3 = layers.Dense(1, name="y3", activation="sigmoid")(x)
    outputs = {"a": (y1, y2), "b": {"b1": y1, "b2": y2}, "c": {"c1": (y1, y2), "c2": y2}, "d": y3}
    return keras.Model(x, outputs), [floats(2, 3)]


def keras_multi_outputs_namedtuple():
    """model_test._get_model_multi_outputs_struct_namedtuple (a namedtuple: refused)."""
    Y = namedtuple("Y", ["y1", "y2"])
    x = keras.Input(shape=(3,), name="x")
    y1 = layers.Dense(1, name="y1", activation="sigmoid")(x)
    y2 = layers.Dense(1, name="y2", activation="sigmoid")(x)
    return keras.Model(x, Y(y1, y2)), [floats(2, 3)]


def keras_custom_compute_loss():
    """model_test._get_model_with_custom_compute_loss: a Functional subclass (refused)."""

    class MyModel(keras.Model):
        def __init__(self):
            inputs = keras.Input(shape=(3,), name="inputs")
            outputs = layers.Dense(1, name="a")(inputs)
            super().__init__(inputs=inputs, outputs=outputs)

        def compute_loss(self, x, y, y_pred, sample_weight=None, **kwargs):
            y_pred = [y_pred, y_pred]  # To list
            return super().compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, **kwargs
            )

    return MyModel(), [floats(2, 3)]


def keras_sequential_with_input_batch():
    """sequential_test.test_basic_flow_with_input: an Input with batch_size=3."""
    model = keras.Sequential(name="seq")
    model.add(keras.Input(shape=(2,), batch_size=3))
    model.add(layers.Dense(4))
    model.add(layers.Dense(5))
    return model, [floats(3, 2)]


# ------------------------------------------------------------------ the table

KERAS_IO = "https://github.com/keras-team/keras-io/blob/master/"
MODELS = {
    "functional_api_ticket": (functional_api_ticket_model, "guides/functional_api.py"),
    "functional_api_toy_resnet": (functional_api_toy_resnet, "guides/functional_api.py"),
    "functional_api_autoencoder": (functional_api_nested_autoencoder, "guides/functional_api.py"),
    "functional_api_ensemble": (functional_api_ensemble, "guides/functional_api.py"),
    "mnist_convnet": (mnist_convnet, "examples/vision/mnist_convnet.py"),
    "image_classification": (
        image_classification_from_scratch,
        "examples/vision/image_classification_from_scratch.py",
    ),
    "oxford_pets_unet": (
        oxford_pets_segmentation,
        "examples/vision/oxford_pets_image_segmentation.py",
    ),
    "conv_autoencoder": (conv_autoencoder, "examples/vision/autoencoder.py"),
    "convmixer": (convmixer, "examples/vision/convmixer.py"),
    "deeplabv3_plus": (deeplabv3_plus, "examples/vision/deeplabv3_plus.py"),
    "siamese_contrastive": (siamese_contrastive, "examples/vision/siamese_contrastive.py"),
    "text_classification": (
        text_classification_from_scratch,
        "examples/nlp/text_classification_from_scratch.py",
    ),
    "text_custom_standardize": (
        text_vectorization_custom_standardize,
        "examples/nlp/text_classification_from_scratch.py",
    ),
    "bidirectional_lstm": (bidirectional_lstm_imdb, "examples/nlp/bidirectional_lstm_imdb.py"),
    "lstm_seq2seq": (lstm_seq2seq, "examples/nlp/lstm_seq2seq.py"),
    "timeseries_transformer": (
        timeseries_transformer,
        "examples/timeseries/timeseries_classification_transformer.py",
    ),
    "timeseries_fcn": (
        timeseries_classification_from_scratch,
        "examples/timeseries/timeseries_classification_from_scratch.py",
    ),
    "weather_lstm": (
        timeseries_weather_forecasting,
        "examples/timeseries/timeseries_weather_forecasting.py",
    ),
    "speaker_recognition": (
        speaker_recognition_cnn,
        "examples/audio/speaker_recognition_using_cnn.py",
    ),
    "ddpg_actor": (ddpg_actor, "examples/rl/ddpg_pendulum.py"),
    "ddpg_actor_tf_init": (ddpg_actor_tf_initializer, "examples/rl/ddpg_pendulum.py"),
    "ddpg_critic": (ddpg_critic, "examples/rl/ddpg_pendulum.py"),
    "wgan_gp_generator": (wgan_gp_generator, "examples/generative/wgan_gp.py"),
    "vae_encoder": (vae_encoder, "examples/generative/vae.py"),
    "structured_data": (
        structured_data_from_scratch,
        "examples/structured_data/structured_data_classification_from_scratch.py",
    ),
    "wide_and_deep": (wide_and_deep, "examples/structured_data/wide_deep_cross_networks.py"),
    "tabtransformer": (tabtransformer, "examples/structured_data/tabtransformer.py"),
    "style_transfer_features": (
        style_transfer_features,
        "examples/generative/neural_style_transfer.py",
    ),
    "retinanet_heads": (retinanet_heads, "examples/vision/retinanet.py"),
    "ctc_asr": (ctc_asr, "examples/audio/ctc_asr.py"),
    "rnn_bidirectional": (rnn_bidirectional_backward_layer, "guides/working_with_rnns.py"),
    "rnn_stateful": (rnn_stateful, "guides/working_with_rnns.py"),
}
KERAS = "https://github.com/keras-team/keras/blob/master/"
FUNCTIONAL_TEST = "keras/src/models/functional_test.py"
MODELS |= {
    name: (builder, FUNCTIONAL_TEST)
    for name, builder in {
        "keras_multi_output": keras_multi_output,
        "keras_dict_io": keras_dict_io,
        "keras_submodel_time_distributed": keras_submodel_time_distributed,
        "keras_restored_dict_outputs": keras_restored_dict_outputs,
        "keras_restored_nested_input": keras_restored_nested_input,
        "keras_deeply_nested": keras_deeply_nested,
        "keras_unmodified_inputs": keras_unmodified_inputs,
        "keras_unused_inputs": keras_unused_inputs,
        "keras_serialization_untrainable": keras_serialization_trainable_false,
    }.items()
}
MODELS |= {
    "keras_multi_outputs_struct": (keras_multi_outputs_struct, "keras/src/models/model_test.py"),
    "keras_outputs_namedtuple": (keras_multi_outputs_namedtuple, "keras/src/models/model_test.py"),
    "keras_custom_compute_loss": (keras_custom_compute_loss, "keras/src/models/model_test.py"),
    "keras_sequential_input_batch": (
        keras_sequential_with_input_batch,
        "keras/src/models/sequential_test.py",
    ),
}


def source_url(source: str) -> str:
    """Where a model's source file is: Keras's own repository or keras-io."""
    return (KERAS if source.startswith("keras/") else KERAS_IO) + source


if __name__ == "__main__":  # the README's table
    import kgraphs
    from kgraphs.recipe.files import dump_yaml

    print("| model | source | outcome | recipe / `to_json()` |\n| --- | --- | --- | --- |")
    for name, (builder, source) in MODELS.items():
        model, _ = builder()
        try:
            text = dump_yaml(kgraphs.to_recipe(model))
            outcome, ratio = "round trip", f"{len(text) / len(model.to_json()):.1%}"
        except kgraphs.ConfigError as error:
            outcome, ratio = f"refused: {error.problems[0][1].split(';')[0]}", "-"
        print(f"| {name} | [{source}]({source_url(source)}) | {outcome} | {ratio} |")
