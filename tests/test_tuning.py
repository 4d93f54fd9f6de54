"""Tuning a shipped recipe's search spaces with KerasTuner, and the best trial back as a recipe."""

from __future__ import annotations

import io
import sys

import keras
import numpy as np
import pytest
import yaml
from conftest import COMMAND_LINE
from test_cli import kgraphs_cli

import kgraphs
from kgraphs import ConfigError
from kgraphs.recipe.loading import read_source
from kgraphs.recipe.overrides import with_overrides
from kgraphs.training.tuning import best_recipe, tuner

# KerasTuner's search loop and kgraphs' mapping of its values to a recipe: the fits a search
# runs are test_recipes', on both backends (as for kgraphs/training/tuning.py's doctests).
pytestmark = pytest.mark.backend_independent(
    reason="the search loop and the recipe it gives; its fits are test_recipes' on each backend"
)

# The shipped ticket_priority recipe, small, with three search spaces, one conditional.
SPACES = {
    "config.vocab_size": 60,
    "config.embedding_dim": {"search": "choice", "values": [4, 8]},
    "config.lstm_units": {"search": "int", "min": 4, "max": 12, "step": 4},
    "config.dropout": {"search": "float", "min": 0.0, "max": 0.3, "when": {"embedding_dim": 8}},
}
SET = [
    f"--set={path}={yaml.safe_dump(value, default_flow_style=True).strip()}"
    for path, value in SPACES.items()
]


def shipped_with_spaces() -> dict:
    return with_overrides(read_source("ticket_priority")[0], SPACES)


@pytest.fixture(scope="module")
def data():
    concrete = kgraphs.build("ticket_priority", vocab_size=60, embedding_dim=4, lstm_units=4)
    return kgraphs.example_data(concrete, batch_size=48, seed=1)


@pytest.fixture(scope="module")
def searched(data, tmp_path_factory):
    progress = io.StringIO()
    search = tuner(
        shipped_with_spaces(),
        max_trials=4,
        directory=str(tmp_path_factory.mktemp("trials")),
        seed=7,
        progress=progress,
    )
    search.search(*data, epochs=1, validation_split=0.25, batch_size=16, verbose=0)
    return search, progress.getvalue()


def test_the_search_space_is_the_recipes(searched):
    search, _ = searched
    space = {hp.name: hp for hp in search.oracle.get_space().space}
    assert list(space) == ["config.embedding_dim", "config.lstm_units", "config.dropout"]
    assert space["config.embedding_dim"].values == [4, 8]
    lstm = space["config.lstm_units"]
    assert (lstm.min_value, lstm.max_value, lstm.step) == (4, 12, 4)
    (condition,) = space["config.dropout"].conditions
    assert condition.get_config() == {"name": "config.embedding_dim", "values": [8]}


def test_each_trial_builds_its_values_and_reports_a_line(searched):
    search, progress = searched
    lines = progress.splitlines()
    assert len(lines) == len(search.oracle.trials) == 4
    assert all(line.startswith("trial ") and "val_loss" in line for line in lines)
    for trial in search.oracle.trials.values():
        model = search.hypermodel.build(trial.hyperparameters)
        values = trial.hyperparameters.values
        assert model.get_layer("text_embedding").output_dim == values["config.embedding_dim"]
        assert model.get_layer("text_lstm").units == values["config.lstm_units"]
        has_dropout = any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
        assert has_dropout == (values["config.embedding_dim"] == 8)


def test_the_best_trial_comes_back_as_a_concrete_recipe(searched, data):
    search, _ = searched
    best = best_recipe(search)
    assert best.search_spaces == {}
    trial = search.oracle.get_best_trials(1)[0]
    values = trial.hyperparameters.values
    assert best.config.embedding_dim == values["config.embedding_dim"]
    assert best.config.lstm_units == values["config.lstm_units"]
    assert best.config.vocab_size == 60 and best.compile.loss == {"priority": "binary_crossentropy"}
    assert best.description.startswith(f"Best trial {trial.trial_id} of <dict>, val_loss ")

    # Rebuilt with the trial's seed, the recipe is the trial's model exactly: the same
    # parameter count, layer configurations, weights and predictions.
    keras.utils.set_random_seed(11)
    ours = kgraphs.build(best)
    keras.utils.set_random_seed(11)
    theirs = search.hypermodel.build(trial.hyperparameters)
    assert ours.count_params() == theirs.count_params()
    assert [layer.get_config() for layer in ours.layers] == [
        layer.get_config() for layer in theirs.layers
    ]
    inputs, _ = data
    np.testing.assert_array_equal(
        ours.predict(inputs, verbose=0), theirs.predict(inputs, verbose=0)
    )
    # Written out and read back, it is the same recipe.
    assert kgraphs.load_recipe(best.to_dict()).to_dict() == best.to_dict()


def test_tuning_prints_no_traceback_and_needs_no_tensorboard(searched, capfd):
    search, _ = searched
    search.search(*searched_data_again(), epochs=1, validation_split=0.25, verbose=0)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "tensorboard" not in sys.modules


def searched_data_again():
    concrete = kgraphs.build("ticket_priority", vocab_size=60, embedding_dim=4, lstm_units=4)
    return kgraphs.example_data(concrete, batch_size=16, seed=2)


def test_a_recipe_without_spaces_or_an_unknown_algorithm_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="has no search spaces to tune"):
        tuner("ticket_priority", directory=str(tmp_path))
    with pytest.raises(ConfigError, match="did you mean 'bayesian'"):
        tuner(shipped_with_spaces(), directory=str(tmp_path), algorithm="bayesan")


def tune_command(folder, *options: str) -> list[str]:
    """`kgraphs tune` of the shipped recipe with SPACES, on folder/data.npz, into folder."""
    data, best, trials = (str(folder / name) for name in ("data.npz", "best.yaml", "trials"))
    return [
        "tune",
        "ticket_priority",
        *SET,
        "--data",
        data,
        "-o",
        best,
        "--directory",
        trials,
        *options,
    ]


@pytest.mark.slow
@COMMAND_LINE
def test_command_line_tune_writes_the_best_recipe_and_resumes(data, tmp_path):
    inputs, targets = data
    np.savez(tmp_path / "data.npz", priority=targets, **inputs)
    arguments = tune_command(tmp_path, "--max-trials", "3", "--epochs", "1", "--seed", "3")
    first = kgraphs_cli(*arguments)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stdout + first.stderr
    assert len([line for line in first.stderr.splitlines() if line.startswith("trial ")]) == 3
    assert (tmp_path / "best.yaml").read_text().startswith("# yaml-language-server: $schema=")
    best = kgraphs.load_recipe(tmp_path / "best.yaml")
    assert best.search_spaces == {} and best.config.lstm_units in (4, 8, 12)
    assert kgraphs.build(best).count_params() > 0

    again = kgraphs_cli(*arguments)  # the same directory: resumed, no trial run twice
    assert again.returncode == 0, again.stderr
    assert "Reloading Tuner" in again.stdout
    assert not [line for line in again.stderr.splitlines() if line.startswith("trial ")]


@pytest.mark.slow
@COMMAND_LINE
def test_command_line_tune_names_missing_data(data, tmp_path):
    inputs, targets = data
    np.savez(tmp_path / "data.npz", priorty=targets, **inputs)
    result = kgraphs_cli(*tune_command(tmp_path))
    assert result.returncode == 2
    assert "--data priority: no array for this output" in result.stderr
    assert "--data priorty: not an input or output of the model" in result.stderr
    assert "did you mean 'priority'?" in result.stderr
    assert not (tmp_path / "best.yaml").exists()
