"""The command line, run as users run it: a subprocess, exit codes, no tracebacks."""

import subprocess
import sys
import tempfile
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import COMMAND_LINE, ROOT, clean_environment, run_kgraphs

import kgraphs

pytestmark = pytest.mark.slow  # each command that builds a model imports TensorFlow afresh


# Users run the command from their own folders, not from this repository.
ELSEWHERE = Path(tempfile.mkdtemp(prefix="kgraphs-cli-"))
TICKET = str(ROOT / "recipes" / "ticket_priority.yaml")


def kgraphs_cli(*arguments: str, **variables: str) -> subprocess.CompletedProcess:
    return run_kgraphs(*arguments, cwd=ELSEWHERE, **variables)


def test_list_names_every_architecture_and_shipped_recipe():
    result = kgraphs_cli("list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    split = next(i for i, line in enumerate(lines) if line.startswith("shipped recipes"))
    assert [line.split()[0] for line in lines[1:split]] == kgraphs.architectures()
    assert [line.split()[0] for line in lines[split + 1 :]] == list(kgraphs.presets())


def test_shipped_recipes_are_taken_by_name_outside_the_repository():
    result = kgraphs_cli("validate", "graph/unet_small", "image_multitask")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok  graph/unet_small  (graph, outputs: mask)")


def test_validate_the_shipped_recipes():
    result = kgraphs_cli("validate", str(ROOT / "recipes"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok  ") >= 8


def test_validate_a_bad_recipe_exits_2_with_located_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\narchitecture: ticket_priority\nconfig: {lstm_unit: 3}\n")
    result = kgraphs_cli("validate", str(bad), TICKET)
    assert result.returncode == 2
    assert f"{bad}: 1 problem" in result.stderr
    assert "config.lstm_unit: unknown key; did you mean 'lstm_units'?" in result.stderr
    assert "Traceback" not in result.stderr
    assert f"ok  {TICKET}" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "phrase"),
    [
        (
            ["validate", TICKET, "--set", "config.lstm_units=0"],
            "config.lstm_units: expected a value >= 1",
        ),
        (["validate", TICKET, "--set", "lstm_units"], "KEY=VALUE"),
        (["validate", "nowhere.yaml"], "cannot read"),
        (["build", TICKET, "-o", "model.h5"], "expected a .keras file"),
        (["plot", TICKET, "-o", "out", "--format", "gif"], "--format"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_mistakes_exit_2_without_traceback(arguments, phrase):
    result = kgraphs_cli(*arguments)
    assert result.returncode == 2, result
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr


@COMMAND_LINE
def test_build_writes_a_keras_file_that_reloads_in_safe_mode(tmp_path):
    output = tmp_path / "models" / "ticket.keras"
    result = kgraphs_cli("build", TICKET, "-o", str(output), "--set", "config.lstm_units=8")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # quiet: no TensorFlow start-up lines
    model = keras.saving.load_model(output, safe_mode=True)
    assert model.get_layer("text_lstm").units == 8
    assert model.count_params() == kgraphs.build("ticket_priority", lstm_units=8).count_params()
    inputs, _ = kgraphs.example_data(model)
    assert np.isfinite(model.predict(inputs, verbose=0)).all()
    assert sorted(p.name for p in output.parent.iterdir()) == ["ticket.keras"]


def test_summary_prints_the_keras_summary():
    result = kgraphs_cli(
        "summary",
        "siamese_text",
        "--set",
        "config.similarity=cosine",
        "--set",
        "config.share_encoder=true",
    )
    assert result.returncode == 0, result.stderr
    assert "cosine_similarity" in result.stdout
    assert "Total params: 1,329,410" in result.stdout


# TensorFlow warns at import when TF_ENABLE_ONEDNN_OPTS holds a value it cannot read, on every
# x86-64 Linux build whatever the CPU; the other start-up lines depend on the CPU's features.
UNREADABLE_ONEDNN = {"TF_ENABLE_ONEDNN_OPTS": "unreadable"}
ONEDNN_WARNING = "TF_ENABLE_ONEDNN_OPTS is not set to either"


TENSORFLOW_LOGS = pytest.mark.tensorflow_only(reason="TensorFlow's own start-up lines")


@TENSORFLOW_LOGS
def test_tensorflow_warns_at_import_in_this_environment():
    # The reference for the two tests below: plain TensorFlow, same environment.
    result = subprocess.run(
        [sys.executable, "-c", "import tensorflow"],
        capture_output=True,
        text=True,
        env=clean_environment(**UNREADABLE_ONEDNN),
    )
    assert ONEDNN_WARNING in result.stderr


@TENSORFLOW_LOGS
@pytest.mark.parametrize("level", ["3", "0"])
def test_verbose_shows_tensorflow_logs_whatever_the_log_level(level):
    result = kgraphs_cli(
        "--verbose", "summary", "ticket_priority", TF_CPP_MIN_LOG_LEVEL=level, **UNREADABLE_ONEDNN
    )
    assert result.returncode == 0, result.stderr
    assert ONEDNN_WARNING in result.stderr


@pytest.mark.parametrize("level", ["3", "0"])
def test_without_verbose_tensorflow_start_up_lines_are_hidden(level):
    result = kgraphs_cli(
        "summary", "ticket_priority", TF_CPP_MIN_LOG_LEVEL=level, **UNREADABLE_ONEDNN
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
