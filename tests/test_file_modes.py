"""Every kind of output gets the permissions a plain `open()` would give it, whatever the umask.

The reference is the operating system itself: a file created with `open(path, "w")` in the same
folder under the same umask (and, for a replaced file, `open()` on a file with the same earlier
mode). Atomic writes start from a temporary file, and `mkstemp` would make every output 0600:
unreadable to a web server serving the gallery as another user.
"""

import contextlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, clean_environment

import kgraphs
from kgraphs.building.saving import save_model
from kgraphs.drawing.gallery import render_gallery
from kgraphs.util.atomic import write_bytes, write_text

pytestmark = pytest.mark.backend_independent(
    reason="permissions come from kgraphs.util.atomic and the umask, whatever wrote the bytes"
)

UMASKS = [0o022, 0o077, 0o002]


@contextlib.contextmanager
def umask(value: int):
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def open_mode(folder: Path, *, existing_mode: int | None = None) -> int:
    """The mode `open(..., "w")` gives a file in `folder` under the current umask."""
    reference = folder / f".reference-{os.getpid()}"
    reference.unlink(missing_ok=True)
    if existing_mode is not None:
        reference.touch()
        reference.chmod(existing_mode)
    with open(reference, "w") as stream:
        stream.write("x")
    result = mode(reference)
    reference.unlink()
    return result


def outputs_in_process(folder: Path) -> list[Path]:
    """One file of every kind the library writes, written by the library's own functions."""
    written = [kgraphs.plot("siamese_text", folder / f"model.{f}").path for f in FORMATS]
    recipes = [kgraphs.load_recipe("residual_cnn"), kgraphs.load_recipe("siamese_text")]
    written += render_gallery(recipes, folder / "gallery", formats=["svg", "png"])
    written.append(save_model(kgraphs.build("residual_cnn", stem_filters=4), folder / "m.keras"))
    written.append(write_text(folder / "notes" / "executed.ipynb", "{}"))
    written.append(write_bytes(folder / "bench.json", b"{}"))
    return written


FORMATS = ["png", "svg", "pdf", "dot", "html"]


@pytest.mark.parametrize("mask", UMASKS, ids=oct)
def test_new_outputs_get_the_mode_open_gives(tmp_path, mask):
    with umask(mask):
        written = outputs_in_process(tmp_path)
        expected = open_mode(tmp_path)
    assert expected == 0o666 & ~mask
    # 5 formats; 2 recipes x (svg, png, full svg, html) + 2 pages; .keras, notebook, json
    assert len(written) == 5 + 2 * 4 + 2 + 3
    assert {str(path.relative_to(tmp_path)): oct(mode(path)) for path in written} == {
        str(path.relative_to(tmp_path)): oct(expected) for path in written
    }
    assert not [p for p in tmp_path.rglob("*") if ".partial" in p.name]


@pytest.mark.parametrize("earlier", [0o600, 0o640, 0o664])
def test_a_replaced_output_keeps_its_mode_as_open_does(tmp_path, earlier):
    target = tmp_path / "model.svg"
    with umask(0o022):
        kgraphs.plot("residual_cnn", target)
        target.chmod(earlier)
        kgraphs.plot("siamese_text", target)
        expected = open_mode(tmp_path, existing_mode=earlier)
    assert mode(target) == expected == earlier


# The commands write through the functions above, checked under every umask in-process; one
# umask here, whose mode (0640) is neither mkstemp's 0600 nor a fixed 0644.
@pytest.mark.slow
@pytest.mark.parametrize("mask", [0o027], ids=oct)
def test_command_line_outputs_get_the_mode_open_gives(tmp_path, mask):
    def run(*arguments: str) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "kgraphs", *arguments],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_environment(),
            timeout=180,
            preexec_fn=lambda: os.umask(mask),
        )
        assert result.returncode == 0, result.stderr

    run("build", "ticket_priority", "--set", "config.vocab_size=50", "-o", "out/model.keras")
    run("export", "out/model.keras", "-o", "out/model.yaml")
    run("plot", str(ROOT / "recipes" / "residual_cnn.yaml"), "-o", "out/diagrams")
    with umask(mask):
        expected = open_mode(tmp_path)
    written = sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert sorted(p.name for p in written) == [
        "README.md",
        "index.html",
        "model.keras",
        "model.yaml",
        "residual_cnn.full.svg",
        "residual_cnn.html",
        "residual_cnn.png",
        "residual_cnn.svg",
    ]
    assert {p.name: oct(mode(p)) for p in written} == {p.name: oct(expected) for p in written}
