"""Every tutorial notebook runs wherever a user opens it and shows its diagrams inline.

Jupyter starts a notebook's kernel in the notebook's own folder; people also run the code from
the repository root as a script. Both are run here, so a notebook that reaches for a relative
path (`recipes/...`) fails the suite as it would fail the user.
"""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT, clean_environment
from notebook_runner import NOTEBOOKS, as_script, execute, tagged

pytestmark = pytest.mark.slow


def test_there_is_a_notebook_per_chapter_section():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_in_its_own_folder_and_shows_a_diagram(path):
    committed = path.read_text()
    assert '"outputs": []' in committed and '"execution_count": null' in committed
    before = sorted(path.parent.iterdir())
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


@pytest.mark.backend_independent(reason="how notebooks run; the kernel runs cover each backend")
def test_notebooks_run_as_plain_scripts_from_the_repo_root():
    def run(path):
        return path.stem, subprocess.run(
            [sys.executable, "-c", as_script(path)],
            cwd=ROOT,
            env=clean_environment(),
            capture_output=True,
            text=True,
            timeout=300,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: two notebooks at a time
        results = dict(pool.map(run, NOTEBOOKS))
    failed = {name: r.stderr[-2000:] for name, r in results.items() if r.returncode != 0}
    assert not failed
    assert len(results) == len(NOTEBOOKS)
