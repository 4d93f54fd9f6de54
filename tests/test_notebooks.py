"""Every tutorial notebook runs wherever a user opens it and shows its diagrams inline.

Jupyter starts a notebook's kernel in the notebook's own folder; people also run the code from
the repository root as a script. So no notebook may name a file by a path relative to either
folder (`recipes/...`): each is read for such names, and each runs in its own folder.

Every notebook runs on TensorFlow in a Jupyter kernel started in notebooks/. These runs are the
ones the site shows: each writes its executed copy to build/notebooks/, which `make docs` then
uses instead of running the notebook again (tests/notebook_runner.py).

What a notebook computes depends on the Keras backend: the JAX notebook (10) sets JAX itself,
and the others run on TensorFlow. Running them all again on JAX, each compiling its own train
steps with XLA, would cost `make test` about two of its ten minutes; what they compute there is
tested by their modules (the chapter's models against the chapter's code in
test_chapter_fidelity, and test_recipes, test_tuning, test_graph, test_weight_transfer...). One
runs again, on JAX, as a plain script from the repository root, as people run a notebook's
code: the chapter's first, the shortest. How a notebook is run does not depend on the backend:
the kernel's checks (its folder, the SVG diagram and PNG learning curves displayed inline, no
file left beside the notebooks) and the script's (no Jupyter, another folder) mean the same on
either, so each is made on one.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, clean_environment
from notebook_runner import NOTEBOOKS, as_script, execute, stamp, tagged, write_executed

pytestmark = pytest.mark.slow


def test_there_is_a_notebook_per_chapter_section():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.backend_independent(reason="reads the notebooks' code")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_notebook_names_a_file_relative_to_where_it_runs(path):
    code = ast.parse(as_script(path))
    strings = {node.value for node in ast.walk(code) if isinstance(node, ast.Constant)}
    relative = [
        text
        for text in strings
        if isinstance(text, str)
        and ("/" in text or Path(text).suffix)  # a path, not a word such as "build"
        and "\n" not in text
        and any((folder / text).exists() for folder in (ROOT, path.parent))
    ]
    assert relative == []


@pytest.mark.backend_independent(
    reason="how Jupyter runs a notebook, on the backend whose runs the site shows"
)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_in_its_own_folder_and_shows_a_diagram(path):
    committed = path.read_text()
    assert '"outputs": []' in committed and '"execution_count": null' in committed
    before = sorted(path.parent.iterdir())
    ran_from = stamp(path)
    notebook = execute(path)  # the kernel starts in notebooks/, as Jupyter starts it
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    mimes = {mime for o in outputs for mime in o.get("data", {})}
    assert "image/svg+xml" in mimes  # kgraphs.plot displays inline
    curves = [cell for _, cell in tagged(notebook, "learning-curve")]
    assert curves
    for cell in curves:  # matplotlib's figure, inline
        assert any("image/png" in output.get("data", {}) for output in cell.outputs)
    assert sorted(path.parent.iterdir()) == before  # nothing left beside the notebooks
    write_executed(notebook, path, ran_from=ran_from)  # checked: the site shows this run


AS_A_SCRIPT = NOTEBOOKS[:1]  # 01_layers_as_callables


@pytest.mark.backend_independent(
    reason="how people run a notebook's code; on TensorFlow it runs in Jupyter's kernel",
    on="jax",
)
@pytest.mark.parametrize("path", AS_A_SCRIPT, ids=lambda path: path.stem)
def test_notebook_runs_as_a_plain_script_from_the_repo_root(path):
    before = sorted(path.parent.iterdir())
    result = subprocess.run(
        [sys.executable, "-c", as_script(path)],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(path.parent.iterdir()) == before
