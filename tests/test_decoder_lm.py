"""The `decoder_lm` architecture: its exact parameter count against Keras and an independent
hand-written model, the shipped 7B and 70B recipes built as structure only, a small sibling that
trains and is causal, the graph-recipe round trip, and the head-count checks."""

import math

import keras
import numpy as np
import pytest
from keras import layers, ops

import kgraphs
from kgraphs import ConfigError
from kgraphs.models import registry
from kgraphs.models.architectures.decoder_lm import DecoderLmConfig

SMALL = [
    {
        "vocabulary_size": 100,
        "width": 32,
        "depth": 2,
        "query_heads": 4,
        "key_value_heads": 2,
        "mlp_width": 64,
        "sequence_length": 8,
    },
    # multi-query attention, any sequence length, dropout (off in predict)
    {
        "vocabulary_size": 57,
        "width": 24,
        "depth": 1,
        "query_heads": 3,
        "key_value_heads": 1,
        "mlp_width": 40,
        "dropout": 0.1,
    },
    # multi-head attention (as many key/value heads as query heads)
    {
        "vocabulary_size": 10,
        "width": 16,
        "depth": 3,
        "query_heads": 2,
        "key_value_heads": 2,
        "mlp_width": 16,
        "norm_epsilon": 1e-6,
    },
]
# Documented totals: Mistral-7B's and Llama-2-70B's shapes, untied heads.
MISTRAL_7B = 7_241_732_096
LLAMA_2_70B = 68_976_648_192


def reference_model(config: dict) -> keras.Model:
    """The same network written independently: attention from Dense projections and keras.ops
    (key/value heads repeated over the query heads, an explicit lower-triangular mask)."""
    width, depth = config["width"], config["depth"]
    heads, kv_heads = config["query_heads"], config["key_value_heads"]
    head_dim = width // heads
    epsilon = config.get("norm_epsilon", 1e-5)

    def attend(tensors):
        query, key, value = tensors
        key = ops.repeat(key, heads // kv_heads, axis=2)
        value = ops.repeat(value, heads // kv_heads, axis=2)
        scores = ops.einsum("bqhd,bkhd->bhqk", query, key) / math.sqrt(head_dim)
        length = ops.shape(query)[1]
        causal = ops.tril(ops.ones((length, length), dtype="bool"))
        weights = ops.softmax(ops.where(causal, scores, -1e9), axis=-1)
        return ops.einsum("bhqk,bkhd->bqhd", weights, value)

    tokens = keras.Input((config.get("sequence_length"),), dtype="int32")
    x = layers.Embedding(config["vocabulary_size"], width, name="token_embedding")(tokens)
    for i in range(1, depth + 1):
        h = layers.RMSNormalization(epsilon=epsilon, name=f"block{i}_attention_norm")(x)
        q = layers.Dense(heads * head_dim, use_bias=False, name=f"block{i}_query")(h)
        k = layers.Dense(kv_heads * head_dim, use_bias=False, name=f"block{i}_key")(h)
        v = layers.Dense(kv_heads * head_dim, use_bias=False, name=f"block{i}_value")(h)
        q = layers.Reshape((-1, heads, head_dim))(q)
        k = layers.Reshape((-1, kv_heads, head_dim))(k)
        v = layers.Reshape((-1, kv_heads, head_dim))(v)
        h = layers.Reshape((-1, heads * head_dim))(layers.Lambda(attend)([q, k, v]))
        x = x + layers.Dense(width, use_bias=False, name=f"block{i}_output")(h)
        h = layers.RMSNormalization(epsilon=epsilon, name=f"block{i}_mlp_norm")(x)
        gate = layers.Dense(config["mlp_width"], use_bias=False, name=f"block{i}_mlp_gate")(h)
        up = layers.Dense(config["mlp_width"], use_bias=False, name=f"block{i}_mlp_up")(h)
        h = ops.silu(gate) * up
        x = x + layers.Dense(width, use_bias=False, name=f"block{i}_mlp_down")(h)
    x = layers.RMSNormalization(epsilon=epsilon, name="final_norm")(x)
    logits = layers.Dense(config["vocabulary_size"], use_bias=False, name="logits")(x)
    return keras.Model(tokens, logits)


def copy_weights(model: keras.Model, reference: keras.Model, depth: int) -> None:
    """The model's weights into the reference, the attention kernels flattened over heads."""
    for layer in reference.layers:
        if layer.weights and not layer.name.endswith(("_query", "_key", "_value", "_output")):
            layer.set_weights(model.get_layer(layer.name).get_weights())
    for i in range(1, depth + 1):
        query, key, value, output = model.get_layer(f"block{i}_attention").get_weights()
        for part, kernel in [("query", query), ("key", key), ("value", value)]:
            reference.get_layer(f"block{i}_{part}").set_weights([kernel.reshape(len(kernel), -1)])
        reference.get_layer(f"block{i}_output").set_weights([output.reshape(-1, output.shape[-1])])


def token_ids(shape: tuple[int, int], vocabulary_size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, vocabulary_size, shape).astype("int32")


@pytest.mark.parametrize("config", SMALL, ids=lambda config: f"width{config['width']}")
def test_small_models_match_the_count_and_a_hand_written_reference(config):
    model = kgraphs.decoder_lm(**config)
    reference = reference_model(config)
    count = DecoderLmConfig.model_validate(config).parameter_count()
    assert model.count_params() == count == reference.count_params()
    assert model.output_names == ["logits"]
    dropout = ["attention_dropout", "mlp_dropout"] if config.get("dropout") else []
    block = ["attention_norm", "attention", *dropout[:1], "attention_residual", "mlp_norm"]
    block += ["mlp_gate", "mlp_up", "mlp_gated", "mlp_down", *dropout[1:], "mlp_residual"]
    assert [layer.name for layer in model.layers] == [
        "token_ids",
        "token_embedding",
        *(f"block{i}_{part}" for i in range(1, config["depth"] + 1) for part in block),
        "final_norm",
        "logits",
    ]

    copy_weights(model, reference, config["depth"])
    tokens = token_ids((2, config.get("sequence_length") or 5), config["vocabulary_size"])
    np.testing.assert_allclose(
        model.predict(tokens, verbose=0), reference.predict(tokens, verbose=0), atol=2e-5
    )


@pytest.mark.parametrize(
    ("path", "total"),
    [("recipes/decoder_7b.yaml", MISTRAL_7B), ("benchmarks/decoder_70b.yaml", LLAMA_2_70B)],
    ids=["decoder_7b", "decoder_70b"],
)
def test_billion_parameter_recipes_build_as_structure_only(path, total):
    recipe = kgraphs.load_recipe(path)  # validates at any size: no weight is involved
    model = kgraphs.build(recipe, weights=False)
    assert model.count_params() == recipe.config.parameter_count() == total
    assert model.get_layer(f"block{recipe.config.depth}_mlp_residual")  # every block is there
    assert model.output_shape == (None, 4096, 32_000)


def test_the_defaults_are_small_enough_to_train_here():
    model = kgraphs.decoder_lm()
    assert model.count_params() == DecoderLmConfig().parameter_count() == 7_047_424
    assert model.output_shape == (None, None, 8_000)


def test_a_small_sibling_of_the_7b_recipe_trains_and_is_causal():
    vocabulary, length = 200, 16
    model = kgraphs.build(
        "recipes/decoder_7b.yaml",
        width=64,
        depth=2,
        mlp_width=128,
        query_heads=4,
        key_value_heads=2,
        vocabulary_size=vocabulary,
        sequence_length=length,
    )
    model.compile(
        optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    tokens = token_ids((8, length + 1), vocabulary)
    history = model.fit(tokens[:, :-1], tokens[:, 1:], batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])

    inputs = token_ids((2, length), vocabulary, seed=1)
    changed = inputs.copy()
    position = 9
    changed[:, position] = (changed[:, position] + 1) % vocabulary
    before = model.predict(inputs, verbose=0)
    after = model.predict(changed, verbose=0)
    np.testing.assert_allclose(before[:, :position], after[:, :position], rtol=0, atol=1e-6)
    assert np.abs(before[:, position:] - after[:, position:]).min(axis=-1).max() > 0


def test_the_model_exports_to_a_graph_recipe_that_rebuilds_it():
    model = kgraphs.decoder_lm(**SMALL[0])
    recipe = kgraphs.to_recipe(model)
    attention = next(n for n in recipe["config"]["nodes"] if n["name"] == "block1_attention")
    assert attention["call"] == {"use_causal_mask": True}
    rebuilt = kgraphs.build(recipe)
    assert rebuilt.count_params() == model.count_params()
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    rebuilt.set_weights(model.get_weights())
    tokens = token_ids((2, 8), 100)
    np.testing.assert_allclose(
        rebuilt.predict(tokens, verbose=0), model.predict(tokens, verbose=0), atol=1e-6
    )


@pytest.mark.parametrize(
    ("fields", "locations"),
    [
        ({"query_heads": 32, "key_value_heads": 5}, ["config.key_value_heads"]),
        ({"width": 100, "query_heads": 8, "key_value_heads": 8}, ["config.query_heads"]),
        (
            {"width": 100, "query_heads": 3, "key_value_heads": 2},
            ["config.query_heads", "config.key_value_heads"],
        ),
    ],
)
def test_heads_that_do_not_divide_are_refused_at_their_field(fields, locations):
    with pytest.raises(ConfigError) as caught:
        registry.get("decoder_lm").config(fields)
    assert [location for location, _ in caught.value.problems] == locations
    with pytest.raises(ConfigError) as caught:  # through a recipe file, at the same place
        kgraphs.load_recipe("recipes/decoder_7b.yaml", **fields)
    assert [location for location, _ in caught.value.problems] == locations
