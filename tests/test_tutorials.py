"""What makes a notebook a tutorial, checked on the committed notebooks (no kernel needed).

Each tutorial teaches in prose (at least 300 words of Markdown, code blocks not counted), shows
the chapter's hand-written Functional-API code in the cell right before the kgraphs call that
builds the same model, checks in a cell that the two are the same model, trains on data it
makes and plots the learning curve, and ends with an exercise and a cell that checks it. The
cells are found by their tags (cell metadata `tags`), so the site and these tests agree on what
each cell is. tests/test_notebooks.py executes every notebook and checks the outputs: a diagram
(SVG) and the learning curve (PNG).
"""

import re

import nbformat
import pytest
from notebook_runner import NOTEBOOKS, tagged

pytestmark = pytest.mark.backend_independent(reason="the committed notebooks' cells; nothing runs")

MIN_PROSE_WORDS = 300
# Tag -> what the tagged code cell is.
REQUIRED_TAGS = {
    "chapter-code": "the chapter's hand-written Functional-API code",
    "kgraphs-call": "the kgraphs call that builds the same model (the very next cell)",
    "same-model-check": "asserts the two are the same model",
    "learning-curve": "trains and plots the learning curve",
    "exercise": "the exercise's answer cell",
    "exercise-check": "checks the exercise's answer",
}
FENCED_CODE = re.compile(r"```.*?```", re.DOTALL)
CHECKS = re.compile(r"\bassert\b|np\.testing\.assert|assert_same_model")


def prose_words(notebook) -> int:
    text = " ".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*", FENCED_CODE.sub(" ", text)))


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.stem)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_every_tutorial_teaches_in_prose(notebook):
    assert prose_words(notebook) >= MIN_PROSE_WORDS
    assert notebook.cells[0].cell_type == "markdown"
    title = notebook.cells[0].source.split("\n", 1)[0]
    assert title.startswith("# ")  # the page title on the site
    assert "`" not in title  # the site's navigation shows titles as plain text: code would vanish


def test_every_tutorial_has_the_required_cells(notebook):
    for tag in REQUIRED_TAGS:
        cells = tagged(notebook, tag)
        assert cells, f"no cell tagged {tag!r} ({REQUIRED_TAGS[tag]})"
        assert all(cell.cell_type == "code" for _, cell in cells), tag


def test_the_chapter_code_sits_beside_the_kgraphs_call_and_is_checked(notebook):
    chapter = [index for index, _ in tagged(notebook, "chapter-code")]
    call = [index for index, _ in tagged(notebook, "kgraphs-call")]
    assert [index + 1 for index in chapter] == call  # side by side: one right after the other
    check_index, check = tagged(notebook, "same-model-check")[0]
    assert check_index > call[0]
    assert CHECKS.search(check.source)


def test_the_exercise_comes_last_and_is_checked(notebook):
    exercise_index = tagged(notebook, "exercise")[-1][0]
    check_index, check = tagged(notebook, "exercise-check")[-1]
    assert exercise_index < check_index
    assert CHECKS.search(check.source)
    assert notebook.cells[exercise_index - 1].cell_type == "markdown"  # the task, in words
    later_code = [cell for cell in notebook.cells[check_index + 1 :] if cell.cell_type == "code"]
    assert not later_code


def test_the_learning_curve_is_plotted(notebook):
    (_, cell), *_ = tagged(notebook, "learning-curve")
    assert ".fit(" in cell.source and "plt." in cell.source
