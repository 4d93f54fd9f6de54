"""MkDocs hooks (`hooks:` in mkdocs.yml): the tutorials' nav, and pages that need no network.

- The Tutorials section lists the notebooks docs/build_docs.py executed into
  build/docs/tutorials/, in file-name order, so a new notebook needs no edit of mkdocs.yml.
- nbconvert's template puts loaders for MathJax and Mermaid, from cdnjs.cloudflare.com, in every
  notebook page (mkdocs-jupyter has no option to leave them out). The tutorials use neither, so
  they are cut out; then every page is checked, and one that would still load a script, style
  or font from another host fails the build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

TUTORIALS = "Tutorials"
# nbconvert's lab template (base/mathjax.html.j2, lab/mermaidjs.html.j2) marks where each ends.
CDN_LOADERS = (
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL),
    re.compile(
        r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async '
        r"\(\) => \{\s*const diagrams = document\.querySelectorAll\(\"\.jp-Mermaid.*?"
        r"<!-- End of mermaid configuration -->",
        re.DOTALL,
    ),
)
# What a browser fetches by itself: a script, stylesheet, image or frame from a URL with a host,
# a CSS url(...) or @import, or a script's import("...").
REMOTE = re.compile(
    r"""(?:<(?:script|img|iframe|source|link)\b[^>]*?\b(?:src|href)\s*=\s*["']?"""
    r"""|url\(\s*["']?|@import\s+["']|import\(\s*["'])(?:https?:)?//""",
    re.IGNORECASE,
)


def on_config(config: Any) -> Any:
    """Append each executed notebook to the Tutorials section of the nav."""
    folder = Path(config.docs_dir) / "tutorials"
    notebooks = [f"tutorials/{path.name}" for path in sorted(folder.glob("*.ipynb"))]
    for entry in config.nav or []:
        if isinstance(entry, dict) and TUTORIALS in entry:
            entry[TUTORIALS] = [*entry[TUTORIALS], *notebooks]
    return config


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """A notebook page without nbconvert's CDN loaders."""
    if page.file.src_uri.endswith(".ipynb"):
        for loader in CDN_LOADERS:
            html = loader.sub("", html)
    return html


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Fail the build on a page that would fetch anything from another host."""
    remote = [match.group(0) for match in REMOTE.finditer(output)]
    if remote:
        raise PluginError(f"{page.file.src_uri} fetches from another host: {remote[:3]}")
    return output
