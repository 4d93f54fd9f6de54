"""`make plot`'s gallery: every recipe drawn, pages that show them, the same bytes every time."""

import os
import re
import shutil
import subprocess
import sys

import drawn_gallery
import keras
import pytest
from conftest import RECIPES

import kgraphs
from kgraphs.drawing.gallery import render_gallery
from kgraphs.drawing.plot import collapsed_dot_source, dot_source, render

pytestmark = [
    pytest.mark.slow,
    pytest.mark.backend_independent(
        reason="the gallery draws structure-only builds, which test_structure_only checks are "
        "the built models on each backend; drawing them is the same code on either"
    ),
]


def render_recipes(folder, hash_seed: str):
    """The shipped recipes rendered into `folder` by a `kgraphs plot` process."""
    result = subprocess.run(
        [sys.executable, "-m", "kgraphs", "plot", "recipes", "-o", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return render_recipes(tmp_path_factory.mktemp("first"), "1")


@pytest.fixture(scope="module")
def two_renders(rendered, tmp_path_factory):
    """The shipped recipes rendered twice, each by its own `kgraphs plot` process.

    The two processes hash strings differently, so nothing may depend on the order of a set.
    """
    return [rendered, render_recipes(tmp_path_factory.mktemp("second"), "2")]


@pytest.fixture(scope="module")
def built():
    """(recipe, model) for each shipped recipe, built as the gallery builds them, once: on
    JAX a build takes about a second."""
    models = {}
    for path in RECIPES:
        recipe = kgraphs.load_recipe(path)
        keras.backend.clear_session()  # as the gallery does: Keras's names start afresh
        models[path] = recipe, kgraphs.build(recipe, compile=False, weights=False)
    return models


def test_every_recipe_is_drawn_collapsed_in_full_and_interactive(rendered, built):
    """svg and png collapsed with parameter counts, svg of every layer, the interactive page."""
    folder = rendered
    for path in RECIPES:
        recipe, model = built[path]
        name = recipe.model_name
        collapsed = render(collapsed_dot_source(model, show_params=True), "svg")
        assert (folder / f"{name}.svg").read_bytes() == collapsed
        assert (folder / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        full = render(dot_source(model, show_params=True), "svg")
        assert (folder / f"{name}.full.svg").read_bytes() == full
        assert (folder / f"{name}.html").read_bytes().startswith(b"<!DOCTYPE html>")
    # Checked: the site shows this render (make docs copies it; tests/drawn_gallery.py).
    drawn_gallery.keep(folder, ran_from=drawn_gallery.drawn_from())


def test_two_renders_are_byte_identical(two_renders):
    first, second = two_renders
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir())
    names = [kgraphs.load_recipe(path).model_name for path in RECIPES]
    expected = {"index.html", "README.md"} | {
        f"{name}.{ending}" for name in names for ending in ("svg", "png", "full.svg", "html")
    }
    assert set(files) == expected
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize(
    ("page", "heading"), [("index.html", r'<h2 id="[^"]*">(.*?)</h2>'), ("README.md", r"^## (.*)$")]
)
def test_pages_list_the_recipes_folder_by_folder(rendered, page, heading):
    text = (rendered / page).read_text()
    headings = [(m.start(), m.group(1)) for m in re.finditer(heading, text, flags=re.M)]
    assert [title for _, title in headings] == ["recipes/", "recipes/graph/"]
    for path in RECIPES:
        name = kgraphs.load_recipe(path).model_name
        where = text.index(f"{name}</h3>" if page == "index.html" else f"### {name}\n")
        folder = [title for start, title in headings if start < where][-1]
        assert folder == ("recipes/graph/" if path.parent.name == "graph" else "recipes/")


@pytest.mark.parametrize("page", ["index.html", "README.md"])
def test_every_link_on_the_pages_leads_to_a_file(rendered, page):
    folder = rendered
    text = (folder / page).read_text()
    targets = set(re.findall(r'(?:href|src)="([^"#][^"]*)"|\]\(([^)]+)\)', text))
    files = {target for pair in targets for target in pair if target}
    names = [kgraphs.load_recipe(path).model_name for path in RECIPES]
    assert {f"{name}.html" for name in names} <= files
    assert {f"{name}.full.svg" for name in names} <= files
    for target in files:
        assert (folder / target).is_file(), target


def test_a_model_named_like_a_gallery_page_is_refused(tmp_path):
    recipe = kgraphs.load_recipe({"version": 1, "architecture": "residual_cnn", "name": "index"})
    with pytest.raises(kgraphs.ConfigError, match=r"would write index\.html"):
        render_gallery([recipe], tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("page", ["index.html", "README.md"])
def test_pages_show_each_recipe_with_its_facts(rendered, built, page):
    text = (rendered / page).read_text()
    for path in RECIPES:
        recipe, model = built[path]
        assert recipe.model_name in text
        assert recipe.description in text.replace("&#x27;", "'")
        assert f"{model.count_params():,}" in text
        for name in recipe.output_names:
            assert name in text
        assert f"{recipe.model_name}.svg" in text


def test_progress_is_shown_for_many_recipes(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kgraphs",
            "plot",
            "recipes",
            "-o",
            str(tmp_path),
            "--format",
            "dot",
            "--set",
            "config.num_classes=3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # num_classes does not exist in every architecture: the recipes that lack it are refused.
    assert result.returncode == 2
    assert "config.num_classes: unknown key" in result.stderr


def test_browser_shows_every_diagram(rendered, tmp_path):
    """Open index.html in headless Chromium and count the images that actually loaded."""
    chromium = shutil.which("chromium")
    assert chromium, "make test installs Debian's chromium"
    gallery = tmp_path / "gallery"
    shutil.copytree(rendered, gallery)
    page = (gallery / "index.html").read_text()
    probe = (
        "<script>window.addEventListener('load', () => { document.body.dataset.loaded = "
        "[...document.images].filter(i => i.complete && i.naturalWidth > 100).length; "
        "document.body.dataset.total = document.images.length; });</script>"
    )
    (gallery / "probe.html").write_text(page.replace("</body>", probe + "</body>"))
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            (gallery / "probe.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    loaded = re.search(r'data-loaded="(\d+)"', result.stdout)
    total = re.search(r'data-total="(\d+)"', result.stdout)
    assert loaded and total, result.stdout[-2000:] + result.stderr[-2000:]
    assert int(total.group(1)) == len(RECIPES)
    assert int(loaded.group(1)) == len(RECIPES)
