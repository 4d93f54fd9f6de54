"""Every tutorial notebook runs top to bottom in a real kernel and shows its diagrams inline."""

import pytest
from notebook_runner import NOTEBOOKS, execute

pytestmark = pytest.mark.slow


def test_there_is_a_notebook_per_chapter_section():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_and_shows_a_diagram(path):
    committed = path.read_text()
    assert '"outputs": []' in committed and '"execution_count": null' in committed
    notebook = execute(path)
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    mimes = {mime for o in outputs for mime in o.get("data", {})}
    assert "image/svg+xml" in mimes  # kgraphs.plot displays inline
