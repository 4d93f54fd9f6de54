"""`make docs` refuses a site that would mislead a reader or reach the network.

The project's own mkdocs.yml (its theme, Markdown extensions, link validation and hooks) builds
small sites made here, each with one mistake, by `mkdocs build --strict` as `make docs` runs it:
a link to a page that does not exist, a link to a heading that does not exist, a page that
would load a script from a CDN. A site without a mistake builds, so each failure is the
mistake's. tests/site/ checks the real site that `make docs` built.
"""

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, clean_environment

pytestmark = [
    pytest.mark.slow,
    pytest.mark.backend_independent(reason="MkDocs builds pages; no model is built"),
]

GOOD = "# Home\n\nSee [the other page](other.md#usage) and [this section](#more).\n\n## More\n"
OTHER = "# Other\n\n## Usage\n\nBack [home](index.md).\n"


def build(tmp_path, index: str) -> subprocess.CompletedProcess:
    """The project's configuration on a two-page site whose home page is `index`."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "index.md").write_text(index)
    (pages / "other.md").write_text(OTHER)
    config |= {
        "docs_dir": str(pages),
        "site_dir": str(tmp_path / "site"),
        "nav": [{"Home": "index.md"}, {"Other": "other.md"}],
        "hooks": [str(ROOT / "docs" / "hooks.py")],
        # The API reference and the notebooks are not under test here.
        "plugins": ["search"],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "mkdocs.yml")],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_environment(NO_MKDOCS_2_WARNING="1"),
    )


def test_a_site_without_mistakes_builds(tmp_path):
    built = build(tmp_path, GOOD)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "other" / "index.html").is_file()


@pytest.mark.parametrize(
    ("mistake", "page", "reported"),
    [
        ("a missing page", GOOD + "\n[gone](missing.md)\n", "missing.md"),
        ("a missing heading on another page", GOOD + "\n[x](other.md#nowhere)\n", "#nowhere"),
        ("a missing heading on the page", GOOD + "\n[x](#nowhere)\n", "#nowhere"),
        (
            "a script from a CDN",
            GOOD + '\n<script src="https://cdn.example.org/a.js"></script>\n',
            "fetches from another host",
        ),
        (
            "a stylesheet from another host",
            GOOD + '\n<link rel="stylesheet" href="//fonts.example.org/a.css">\n',
            "fetches from another host",
        ),
    ],
)
def test_the_build_fails_on(tmp_path, mistake, page, reported):
    built = build(tmp_path, page)
    assert built.returncode != 0, mistake
    assert reported in built.stderr + built.stdout
