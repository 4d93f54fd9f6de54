"""Every output is written whole or not at all: failures and kills mid-write leave the old file."""

import os
import signal
import subprocess
import sys
import time
import zipfile

import keras
import pytest
from conftest import COMMAND_LINE

import kgraphs
from kgraphs.building.saving import save_model


class FailsWhileSaving(keras.layers.Layer):
    """A real layer whose config cannot be written: Keras fails partway through `save`."""

    def call(self, inputs):
        return inputs

    def get_config(self):
        raise RuntimeError("cannot serialize this layer")


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def test_failed_model_save_keeps_the_old_file(tmp_path):
    target = tmp_path / "model.keras"
    save_model(kgraphs.ticket_priority(lstm_units=2), target)
    old = target.read_bytes()
    inputs = keras.Input((3,), name="x")
    broken = keras.Model(inputs, FailsWhileSaving(name="broken")(inputs))
    with pytest.raises(RuntimeError, match="cannot serialize"):
        save_model(broken, target)
    assert target.read_bytes() == old
    assert leftovers(tmp_path) == []
    assert keras.saving.load_model(target).count_params() > 0


@pytest.mark.slow
@COMMAND_LINE
def test_failed_render_keeps_the_old_diagram(tmp_path):
    target = tmp_path / "diagram.svg"
    target.write_text("old diagram")
    code = (
        "import kgraphs\n"
        "try:\n"
        f"    kgraphs.plot(kgraphs.ticket_priority(), {str(target)!r})\n"
        "except kgraphs.drawing.plot.GraphvizMissingError:\n"
        "    print('refused')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PATH=str(tmp_path)),
        timeout=120,
    )
    assert "refused" in result.stdout, result.stderr
    assert target.read_text() == "old diagram"
    assert leftovers(tmp_path) == []


@pytest.mark.slow
@COMMAND_LINE
def test_failed_export_keeps_the_old_recipe(tmp_path):
    target = tmp_path / "recipe.yaml"
    target.write_text("old: recipe\n")
    (tmp_path / "broken.keras").write_bytes(b"PK\x03\x04 not really a zip")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kgraphs",
            "export",
            str(tmp_path / "broken.keras"),
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{tmp_path / 'broken.keras'}: 1 problem")
    assert target.read_text() == "old: recipe\n"


@pytest.mark.slow
def test_killed_mid_save_leaves_the_old_file_or_a_whole_new_one(tmp_path):
    target = tmp_path / "big.keras"
    save_model(kgraphs.ticket_priority(lstm_units=2), target)
    old = target.read_bytes()
    code = (
        "import kgraphs, sys\nfrom kgraphs.building.saving import save_model\n"
        "model = kgraphs.ticket_priority(vocab_size=2_000_000, embedding_dim=64)\n"
        "print('saving', flush=True)\n"
        f"save_model(model, {str(target)!r})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "saving"
    time.sleep(0.3)  # inside the write of ~0.5 GB of weights
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    data = target.read_bytes()
    if data != old:  # the save finished before the kill: then the new file is whole
        with zipfile.ZipFile(target) as archive:
            assert archive.testzip() is None
