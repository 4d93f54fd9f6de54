"""The documentation site (build/site/, `make docs`), served on 127.0.0.1 and opened in headless
Chromium as a reader opens it.

Every page must load with no failed request, no request to any other host (each one is
recorded and refused) and no script error; the tutorials must show their diagrams and learning
curves; the reference pages must hold an entry for every public name, command, architecture
field and catalogued error, as the code has them now. `make test` builds the site and then
runs these with KGRAPHS_SITE_TESTS=1; tests/conftest.py leaves this folder out otherwise.
"""

import functools
import http.server
import inspect
import json
import re
import sys
import threading

import pydantic_core
import pytest
from chromium import launched_chromium
from conftest import ROOT, run_kgraphs

import kgraphs
from kgraphs.cli.parser import build_parser
from kgraphs.models import registry
from kgraphs.recipe.schema import recipe_schema

sys.path.insert(0, str(ROOT / "docs"))
import build_docs

SITE = ROOT / "build" / "site"
PAGES = sorted(path.relative_to(SITE).as_posix() for path in SITE.rglob("*.html"))
NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))
COMMANDS = list(build_docs.subcommands(build_parser()))
SCHEMA = recipe_schema()
DEFINITIONS = {**SCHEMA["definitions"], "the-recipe-file": SCHEMA}


@pytest.fixture(scope="module")
def site():
    """build/site/ served by Python's http.server on a free port of 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def visit(browser, site):
    """Opens a page of the site; afterwards, every request must have stayed on the site and
    succeeded, and nothing may have been logged as an error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused, failed, errors = [], [], []

    def only_the_site(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_site)

    def open_page(path: str):
        page = context.new_page()
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(site + path, wait_until="networkidle")
        assert response.status == 200, path
        return page

    yield open_page
    context.close()
    assert refused == []
    assert failed == []
    assert errors == []


def test_the_site_has_a_page_per_notebook_reference_and_gallery():
    expected = {
        "index.html",
        "tutorials/index.html",
        *(f"tutorials/{name}/index.html" for name in NOTEBOOKS),
        *(f"reference/{name}/index.html" for name in ("api", "cli", "recipes", "errors")),
        *(f"guide/{path.stem}/index.html" for path in (ROOT / "docs" / "guide").glob("*.md")),
        "gallery/index.html",
        *(f"gallery/{name}.html" for name in _gallery_models()),
    }
    assert expected | OPENED_BY_THEIR_OWN_TEST <= set(PAGES)


# Pages that a test of their own opens with `visit`, which makes the checks every page gets:
# each is opened once.
OPENED_BY_THEIR_OWN_TEST = {
    *(f"tutorials/{name}/index.html" for name in NOTEBOOKS),
    "reference/errors/index.html",
    "gallery/index.html",
    "guide/deploy-matrix/index.html",
}


@pytest.mark.parametrize("path", [p for p in PAGES if p not in OPENED_BY_THEIR_OWN_TEST])
def test_every_page_loads_with_nothing_from_another_host(visit, path):
    page = visit(path)
    assert page.title()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_tutorial_shows_its_diagrams_and_learning_curve(visit, name):
    page = visit(f"tutorials/{name}/index.html")
    assert page.title()
    diagrams = page.locator('.jp-RenderedSVG img[src^="data:image/svg+xml"]')  # kgraphs.plot's
    assert diagrams.count() >= 1
    assert all(_shown(diagrams.nth(i), image=True) for i in range(diagrams.count()))
    curves = page.locator('.celltag_learning-curve img[src^="data:image/png"]')
    assert curves.count() >= 1
    assert all(_shown(curves.nth(i), image=True) for i in range(curves.count()))
    # No warning or traceback, and none of TensorFlow's start-up lines, reaches the page.
    assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0


@pytest.fixture(scope="module")
def api_entries(browser, site):
    """The API page's entries by heading: what their docstrings say and how they are called."""
    entries = _evaluate(
        browser,
        site + "reference/api/",
        """() => [...document.querySelectorAll("h2.doc-heading")].map(heading => {
            const entry = heading.parentElement;
            const signature = entry.querySelector(":scope > .doc-signature");
            const contents = entry.querySelector(":scope > .doc-contents");
            return [heading.firstChild.textContent.trim(), {
                signature: signature ? signature.textContent : "",
                text: contents.textContent,
                prompts: contents.querySelectorAll(":scope > .highlight .gp").length,
            }];
        })""",
    )
    return dict(entries)


@pytest.mark.parametrize("name", kgraphs.__all__)
def test_every_public_name_has_its_docstring_and_example_on_the_api_page(api_entries, name):
    entry = api_entries[f"kgraphs.{name}"]
    first_line = (inspect.getdoc(getattr(kgraphs, name)) or "").split("\n", 1)[0]
    assert _words(first_line.replace("`", "")) in _words(entry["text"])
    assert entry["prompts"] >= 1  # its doctest, shown as code
    if name in registry.names():  # the factory's own call, not its builder's
        parameters = re.findall(r"^ {4}(.+?),?$", entry["signature"], re.MULTILINE)
        assert parameters == ["config: Mapping[str, Any] | None = None", "/", "**fields: Any"]


def test_the_api_page_has_an_entry_per_public_name_and_no_other(api_entries):
    assert sorted(api_entries) == sorted(f"kgraphs.{name}" for name in kgraphs.__all__)


@pytest.fixture(scope="module")
def cli_sections(browser, site):
    """The command-line page's help blocks, by the heading above each."""
    sections = _evaluate(
        browser,
        site + "reference/cli/",
        """() => [...document.querySelectorAll("article h2")].map(heading => {
            let block = heading.nextElementSibling;
            while (block && !block.querySelector("pre")) block = block.nextElementSibling;
            return [heading.firstChild.textContent.trim(), block.querySelector("pre").innerText];
        })""",
    )
    return dict(sections)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_shows_its_help_on_the_cli_page(cli_sections, command):
    printed = run_kgraphs(command, "--help", cwd=ROOT, COLUMNS=build_docs.HELP_COLUMNS)
    assert printed.returncode == 0
    assert cli_sections[f"kgraphs {command}"].strip() == printed.stdout.strip()


def test_the_cli_page_has_a_section_per_command_and_no_other(cli_sections):
    assert sorted(cli_sections) == sorted(f"kgraphs {command}" for command in COMMANDS)


@pytest.fixture(scope="module")
def field_rows(browser, site):
    """The recipe page's tables: {definition: {field: [type, bounds, default, description]}}."""
    tables = _evaluate(
        browser,
        site + "reference/recipes/",
        """() => [...document.querySelectorAll("article :is(h2, h3, h4)[id]")].map(h => {
            // The table after the heading, before the next one (the theme wraps tables).
            let next = h.nextElementSibling, table = null;
            while (next && !table && !/^H[1-4]$/.test(next.tagName)) {
                table = next.tagName === "TABLE" ? next : next.querySelector("table");
                next = next.nextElementSibling;
            }
            const rows = table ? [...table.tBodies[0].rows] : [];
            return [h.id, Object.fromEntries(rows.map(row => {
                const cells = [...row.cells].map(cell => cell.textContent.trim());
                return [cells[0], cells.slice(1)];
            }))];
        })""",
    )
    return dict(tables)


BOUNDS = {"ge": "{} ≤ value", "gt": "{} < value", "le": "value ≤ {}", "lt": "value < {}"}
ARCHITECTURE_FIELDS = [
    (name, field)
    for name in registry.names()
    for field in registry.get(name).config_class.model_fields
]


@pytest.mark.parametrize(("name", "field"), ARCHITECTURE_FIELDS)
def test_every_architecture_field_is_on_the_recipe_page(field_rows, name, field):
    config_class = registry.get(name).config_class
    kind, bounds, default, description = field_rows[config_class.__name__][field]
    declared = config_class.model_fields[field]
    assert description == _as_shown(DEFINITIONS[config_class.__name__]["properties"][field])
    assert description  # every field is described, from the comment above it
    assert kind
    if declared.is_required():
        assert default == "required"
    else:
        plain = pydantic_core.to_jsonable_python(declared.get_default(call_default_factory=True))
        assert default == json.dumps(plain)
    for constraint in declared.metadata:  # Field(ge=1, le=65_536): `1 ≤ value ≤ 65536`
        for attribute, shown in BOUNDS.items():
            if getattr(constraint, attribute, None) is not None:
                assert shown.format(getattr(constraint, attribute)) in bounds


@pytest.mark.parametrize(
    ("table", "fields"),
    [
        ("the-recipe-file", ["version", "architecture", "name", "description", "config"]),
        ("CompileSpec", ["optimizer", "loss", "loss_weights", "metrics"]),
        ("GraphInput", ["name", "shape", "dtype"]),
        ("GraphNode", ["name", "layer", "op", "args", "reuse", "graph", "inputs", "call"]),
        ("IntSpace", ["when", "search", "min", "max", "step", "sampling", "default"]),
    ],
)
def test_the_recipe_page_documents_the_file_graph_format_compile_and_search_spaces(
    field_rows, table, fields
):
    assert set(fields) <= set(field_rows[table])
    for field in fields:
        assert field_rows[table][field][3] == _as_shown(DEFINITIONS[table]["properties"][field])


def test_the_errors_page_shows_what_kgraphs_says_now(visit):
    page = visit("reference/errors/index.html")
    assert page.title()
    rows = page.locator("article table tbody tr")
    assert rows.count() == len(build_docs.ERROR_CASES)
    for index, (mistake, text) in enumerate(build_docs.ERROR_CASES):
        cells = rows.nth(index).locator("td")
        assert cells.nth(0).inner_text() == mistake
        assert cells.nth(1).inner_text() == text
        assert cells.nth(2).inner_text().split("\n") == build_docs.problem_lines(text)
    shown = page.locator("article pre").last.inner_text().rstrip("\n")
    assert shown.startswith("$ kgraphs validate bad.yaml graph.yaml broken.yaml\nbad.yaml: 2")
    assert shown.endswith("$ echo $?\n2")


def test_the_gallery_shows_every_shipped_recipe(visit):
    page = visit("gallery/index.html")
    assert page.title()
    models = _gallery_models()
    images = page.locator("article img")
    assert images.count() == len(models)
    for name in models:
        image = page.locator(f'article img[alt="Diagram of {name}"]')
        assert _shown(image, image=True), name
        for view in (f"{name}.html", f"{name}.full.svg"):
            assert page.locator(f'article a[href="{view}"]').count() == 1, view


def _gallery_models() -> list[str]:
    return sorted(kgraphs.load_recipe(name).model_name for name in kgraphs.presets())


def _shown(locator, *, image: bool = False) -> bool:
    """Laid out with a size, and for an image, decoded."""
    box = locator.bounding_box()
    loaded = locator.evaluate("node => node.complete && node.naturalWidth > 0") if image else True
    return bool(box and box["width"] > 0 and box["height"] > 0 and loaded)


def _evaluate(browser, url: str, script: str):
    """What `script` returns in the page at `url`."""
    page = browser.new_page()
    page.goto(url)
    try:
        return page.evaluate(script)
    finally:
        page.close()


def _as_shown(schema: dict) -> str:
    """A field's description as the page shows it: Markdown's `code` marks become code."""
    return " ".join(schema["description"].replace("`", "").split())


def _words(text: str) -> str:
    return " ".join(re.findall(r"\S+", text))


def test_the_deployment_matrix_has_every_shipped_recipe_in_every_format(visit):
    from conftest import ALLOCATABLE, recipe_id

    page = visit("guide/deploy-matrix/index.html")
    assert page.title()
    rows = page.locator("article table tbody tr")
    assert rows.count() == len(ALLOCATABLE)
    for index, path in enumerate(ALLOCATABLE):
        cells = [text.strip() for text in rows.nth(index).locator("td").all_inner_texts()]
        assert cells[0] == recipe_id(path)
        assert len(cells) == 5
        assert cells[1].startswith("verified")  # a SavedModel is TensorFlow's own graph
        assert all(re.match(r"(verified \(\d|refused: \S)", cell) for cell in cells[1:]), cells
