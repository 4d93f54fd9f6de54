"""The chapter's four models, written by hand exactly as the chapter writes them.

The only change is `import keras` for `from tensorflow import keras` (kgraphs targets Keras 3).
Tests compare kgraphs's defaults with these, and `benchmarks/` times them side by side.
"""

import keras
from keras import layers


def multi_input_model():
    text_input = keras.Input(shape=(None,), dtype="int32", name="text")
    metadata_input = keras.Input(shape=(5,), dtype="float32", name="metadata")
    text_features = layers.Embedding(input_dim=10000, output_dim=64)(text_input)
    text_features = layers.LSTM(32)(text_features)
    metadata_features = layers.Dense(16, activation="relu")(metadata_input)
    combined_features = layers.Concatenate()([text_features, metadata_features])
    priority_output = layers.Dense(1, activation="sigmoid", name="priority")(combined_features)
    return keras.Model(inputs=[text_input, metadata_input], outputs=priority_output)


def multi_output_model():
    image_input = keras.Input(shape=(128, 128, 3), name="image")
    x = layers.Conv2D(32, 3, activation="relu")(image_input)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    base_output = layers.Flatten()(x)
    class_output = layers.Dense(10, activation="softmax", name="class_label")(base_output)
    bbox_output = layers.Dense(4, name="bounding_box")(base_output)
    return keras.Model(inputs=image_input, outputs=[class_output, bbox_output])


def shared_layer_model():
    input_a = keras.Input(shape=(None,), dtype="int32", name="text_a")
    input_b = keras.Input(shape=(None,), dtype="int32", name="text_b")
    shared_embedding = layers.Embedding(input_dim=10000, output_dim=128, name="shared_embed")
    encoded_a = shared_embedding(input_a)
    encoded_b = shared_embedding(input_b)
    lstm_layer = layers.LSTM(64, name="lstm")
    vector_a = lstm_layer(encoded_a)
    lstm_layer_b = layers.LSTM(64, name="lstm_b")
    vector_b = lstm_layer_b(encoded_b)
    concatenated_vectors = layers.Concatenate()([vector_a, vector_b])
    output = layers.Dense(1, activation="sigmoid", name="similarity")(concatenated_vectors)
    return keras.Model(inputs=[input_a, input_b], outputs=output)


def resnet_like_model():
    input_tensor = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(input_tensor)
    residual = x
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, padding="same")(x)
    x = layers.Add()([x, residual])
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs=input_tensor, outputs=output_tensor)


# architecture name -> (chapter builder, parameter count the chapter's model has,
#                       names the chapter gives its layers)
CHAPTER = {
    "ticket_priority": (multi_input_model, 652_561, ["text", "metadata", "priority"]),
    "image_multitask": (multi_output_model, 825_806, ["image", "class_label", "bounding_box"]),
    "siamese_text": (
        shared_layer_model,
        1_378_945,
        ["text_a", "text_b", "shared_embed", "lstm", "lstm_b", "similarity"],
    ),
    "residual_cnn": (resnet_like_model, 76_298, []),
}
