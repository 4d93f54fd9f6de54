"""Every shipped recipe builds, compiles, trains, predicts from any input form and reloads;
those too large to allocate here (decoder_7b) are left to tests/test_structure_only.py, and a
smaller sibling of each trains in its architecture's tests."""

import warnings

import keras
import numpy as np
import pytest
from conftest import ALLOCATABLE, RECIPES, recipe_id

import kgraphs
from kgraphs.building.saving import save_model


@pytest.fixture(scope="module", params=ALLOCATABLE, ids=recipe_id)
def built(request):
    """(recipe, compiled model, example data) for one shipped recipe."""
    recipe = kgraphs.load_recipe(request.param)
    model = kgraphs.build(request.param)
    return recipe, model, kgraphs.example_data(model, batch_size=4)


def test_recipes_folder_is_not_empty():
    assert len(RECIPES) >= 8


def test_compiles_with_the_recipe_losses(built):
    recipe, model, _ = built
    assert model.compiled
    assert model.name == recipe.model_name
    assert tuple(model.output_names) == recipe.output_names


def test_one_training_step_gives_a_finite_loss(built):
    _, model, (inputs, targets) = built
    history = model.fit(inputs, targets, epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_dict_list_and_array_inputs_give_the_same_predictions_without_warnings(built):
    _, model, (inputs, _) = built
    as_list = [inputs[tensor.name] for tensor in model.inputs]
    forms = [inputs, as_list] + ([as_list[0]] if len(as_list) == 1 else [])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predictions = [keras.tree.flatten(model.predict(form, verbose=0)) for form in forms]
    for other in predictions[1:]:
        for a, b in zip(predictions[0], other, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_building_twice_gives_identical_layer_names(built):
    recipe, model, _ = built
    again = kgraphs.build(recipe)
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    assert again.count_params() == model.count_params()


def test_keras_file_round_trip_in_safe_mode(built, tmp_path):
    _, model, (inputs, _) = built
    path = save_model(model, tmp_path / "model.keras")
    reloaded = keras.saving.load_model(path, safe_mode=True)
    for a, b in zip(
        keras.tree.flatten(model.predict(inputs, verbose=0)),
        keras.tree.flatten(reloaded.predict(inputs, verbose=0)),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert [layer.name for layer in reloaded.layers] == [layer.name for layer in model.layers]


@pytest.mark.parametrize("path", ALLOCATABLE[:2], ids=recipe_id)
def test_untrained_compiled_model_reloads_without_warnings(path, tmp_path):
    model = kgraphs.build(path)
    save_model(model, tmp_path / "fresh.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reloaded = keras.saving.load_model(tmp_path / "fresh.keras")
    assert reloaded.optimizer.name == model.optimizer.name


# ------------------------------------------------------------------ shipped recipes by name


def test_every_shipped_recipe_is_a_preset_with_a_unique_name():
    shipped = kgraphs.presets()
    assert sorted(shipped.values()) == sorted(path.resolve() for path in RECIPES)
    assert len(shipped) == len(RECIPES)  # no two files share a name (x.yaml and x.json)


def test_the_chapters_architectures_have_presets_of_their_names():
    chapter = {"image_multitask", "residual_cnn", "siamese_text", "ticket_priority"}
    assert chapter <= set(kgraphs.architectures()) & set(kgraphs.presets())
    assert "graph" not in kgraphs.presets()  # a graph has no defaults to name


@pytest.mark.parametrize("name", sorted(set(kgraphs.architectures()) & set(kgraphs.presets())))
def test_a_preset_named_after_an_architecture_is_exactly_its_defaults(name):
    # So `build(name)` is the factory's model, compiled as the chapter compiles it.
    recipe = kgraphs.load_recipe(name)
    defaults = kgraphs.load_recipe({"version": 1, "architecture": name})
    assert recipe.config == defaults.config
    assert recipe.compile is not None
    assert recipe.source == name


def test_presets_load_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, path in kgraphs.presets().items():
        by_name, by_path = kgraphs.load_recipe(name), kgraphs.load_recipe(path)
        assert by_name.to_dict() == by_path.to_dict(), name
    model = kgraphs.build("image_multitask", input_shape=[32, 32, 3])
    assert model.compiled
    assert model.get_compile_config()["loss_weights"] == {"class_label": 1.0, "bounding_box": 0.5}
    assert not kgraphs.build("image_multitask", compile=False).compiled


def test_a_file_in_the_working_folder_is_read_as_a_file_not_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "image_multitask.yaml").write_text(
        "version: 1\narchitecture: image_multitask\nconfig: {num_classes: 3}\n"
    )
    assert kgraphs.load_recipe("image_multitask.yaml").config.num_classes == 3
    assert kgraphs.load_recipe("image_multitask").config.num_classes == 10


def test_an_unknown_name_suggests_the_closest_preset():
    with pytest.raises(kgraphs.ConfigError) as caught:
        kgraphs.load_recipe("graph/unet_smal")
    assert caught.value.problems == [
        (
            "(recipe)",
            "'graph/unet_smal' is not a shipped recipe (`kgraphs list` shows them), an "
            "architecture, or a recipe file (.json, .toml, .yaml, .yml); "
            "did you mean 'graph/unet_small'?",
        )
    ]
