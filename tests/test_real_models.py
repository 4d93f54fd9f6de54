"""The regression table: Functional models from the keras.io examples and guides, each with the
outcome it must have. A round trip is exact (parameters, layer names and classes, outputs with
copied weights) from the model, and again from its `.keras` file through `kgraphs export`; a
refusal is a `ConfigError` at the layer, naming what to use instead, and `kgraphs export` exits 2
naming the file. Exported recipes never carry code, not even as marshalled or pickled bytes.
"""

import re

import keras
import pytest
from real_models import MODELS
from round_trip import assert_same_model, rebuild, string_inputs_refused

import kgraphs
from kgraphs.cli.main import main
from kgraphs.recipe.files import dump_yaml

pytestmark = [
    pytest.mark.slow,
    # A round trip is between a model's Keras configs and a recipe, and both sides are built
    # and run on the same backend: what the backend computes is Keras's. Graph recipes build
    # and train on JAX in test_graph, test_graph_calls and test_recipes; these 47 models took
    # 56 s more there.
    pytest.mark.backend_independent(
        reason="configs to a recipe and back, each side built by Keras on the same backend"
    ),
    # Keras's test_deeply_nested_model keys its inputs "1", "2", "3", not by their names: Keras
    # warns when it builds it, and again when kgraphs builds it as written, as it should.
    pytest.mark.filterwarnings("ignore:When providing `inputs` as a dict:UserWarning"),
]

REFUSED = {  # name -> the problem, as a pattern (auto-generated layer names get a number)
    "siamese_contrastive": r"\(model\)\.lambda\w*: Lambda is refused: it runs Python code",
    "text_custom_standardize": (
        r"\(model\)\.text_vectorization\w*\.args\.standardize: "
        r"a Python function \(custom_standardization\); recipes never carry code"
    ),
    "vae_encoder": r"\(model\)\.sampling\w*: Sampling is a custom layer",
    "keras_outputs_namedtuple": r"\(model\)\.outputs: a namedtuple \(Y\); recipes hold lists",
    "keras_custom_compute_loss": (
        r"\(model\): 'my_model(_\d+)?' is a MyModel, a subclass of keras.Model whose "
        "methods are code"
    ),
}
# Refused as made, but a .keras file keeps them as Keras's loader makes them: a list.
KERAS_FILE_MAKES_IT_PLAIN = {"keras_outputs_namedtuple"}
# Base64 or hex runs (marshalled bytecode, pickles) and the markers Keras writes around code.
CODE = re.compile(r"[A-Za-z0-9+/=]{64,}|__lambda__|marshal|pickle|!!python|\bfunction\b")


@pytest.fixture(scope="module", params=list(MODELS))
def example(request):
    builder, _ = MODELS[request.param]
    model, inputs = builder()
    return request.param, model, inputs


def test_the_table_is_broad():
    assert len(MODELS) >= 20
    assert len(MODELS) - len(REFUSED) >= 20


def assert_rebuilds(text: str, model, inputs) -> None:
    assert not CODE.search(text), CODE.search(text)
    if not string_inputs_refused(text, model):
        assert_same_model(model, rebuild(text, model), inputs)


def test_round_trip_or_located_refusal(example):
    name, model, inputs = example
    if name in REFUSED:
        with pytest.raises(kgraphs.ConfigError) as caught:
            kgraphs.to_recipe(model)
        problems = [f"{location}: {message}" for location, message in caught.value.problems]
        assert any(re.match(REFUSED[name], problem) for problem in problems), problems
        assert all(
            location == "(model)" or location.startswith("(model).")
            for location, _ in caught.value.problems
        )
        return
    text = dump_yaml(kgraphs.to_recipe(model))
    assert_rebuilds(text, model, inputs)
    # Short: only what differs from Keras's defaults, plus the header lines every recipe has.
    assert len(text) < len(model.to_json()) / 4 + 100


def test_through_a_keras_file_and_the_export_command(example, tmp_path, capsys):
    name, model, inputs = example
    path, recipe = tmp_path / f"{name}.keras", tmp_path / f"{name}.yaml"
    model.save(path)
    status = main(["export", str(path), "-o", str(recipe)])
    captured = capsys.readouterr()
    if name in REFUSED and name not in KERAS_FILE_MAKES_IT_PLAIN:
        assert status == 2
        assert captured.err.startswith(f"{path}: ")
        assert "Traceback" not in captured.err
        assert not recipe.exists()
        return
    assert status == 0, captured.err
    # The file's model, as Keras's own loader makes it, is what the recipe must rebuild.
    assert_rebuilds(recipe.read_text(), keras.saving.load_model(path), inputs)
