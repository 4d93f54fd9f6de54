"""Every tutorial notebook runs wherever a user opens it and shows its diagrams inline.

Jupyter starts a notebook's kernel in the notebook's own folder; people also run the code from
the repository root as a script. Both are run here, so a notebook that reaches for a relative
path (`recipes/...`) fails the suite as it would fail the user.

Every notebook runs on TensorFlow in a Jupyter kernel started in notebooks/. These runs are the
ones the site shows: each writes its executed copy to build/notebooks/, which `make docs` then
uses instead of running the notebook again (tests/notebook_runner.py).

What a notebook computes depends on the Keras backend, so the chapter's notebooks (its four
models, the core of every tutorial) and the JAX notebook also run on JAX, as plain scripts from
the repository root. The tooling tutorials (recipes and the command line, tuning, graph
recipes, diagrams, weights, deployment) run once: each function they call is tested on JAX by
its own module (test_recipes, test_tuning, test_graph, test_diagrams, test_weight_transfer...),
and running them again there would cost `make test` about two minutes of its ten. How a
notebook is run does not depend on the backend: the kernel's checks (its folder, the SVG diagram
and PNG learning curves displayed inline, no file left beside the notebooks) and the script's
(no Jupyter, another folder) mean the same on either, so each is made on one.
"""

import subprocess
import sys

import pytest
from conftest import ROOT, clean_environment
from notebook_runner import NOTEBOOKS, as_script, execute, stamp, tagged, write_executed

pytestmark = pytest.mark.slow


def test_there_is_a_notebook_per_chapter_section():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.backend_independent(
    reason="how Jupyter runs a notebook; what it computes is checked on JAX by the script run"
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


# The notebooks whose code also runs on JAX: the chapter's (01 to 05) and the JAX notebook.
ON_JAX_TOO = [path for path in NOTEBOOKS if path.name[:2] in {"01", "02", "03", "04", "05", "10"}]


@pytest.mark.backend_independent(
    reason="how people run a notebook's code; on TensorFlow it runs in Jupyter's kernel",
    on="jax",
)
@pytest.mark.parametrize("path", ON_JAX_TOO, ids=lambda path: path.stem)
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
