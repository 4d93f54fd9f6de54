"""The diagram gallery: every recipe drawn in one process, with `index.html` and `README.md`.

Each recipe becomes `<model name>.<format>` files plus an entry on both pages showing the
picture, the description, the inputs and outputs (with shapes) and the parameter count. The
pages are built from the recipes alone (no dates, no absolute paths), so the same recipes give
the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kgraphs.atomic import write_bytes, write_text
from kgraphs.building import instantiate
from kgraphs.errors import ConfigError
from kgraphs.plotting import dot_source, render
from kgraphs.recipe import Recipe


@dataclass(frozen=True)
class Entry:
    """What the gallery pages say about one drawn recipe."""

    name: str
    description: str
    source: str
    inputs: list[str]
    outputs: list[str]
    parameters: int
    files: dict[str, str]  # format -> file name


def render_gallery(
    recipes: Sequence[Recipe],
    folder: Path,
    *,
    formats: Sequence[str] = ("svg", "png"),
    progress: IO[str] | None = None,
) -> list[Path]:
    """Draw each recipe into `folder` and write the two gallery pages; return the files."""
    names = [recipe.model_name for recipe in recipes]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(
            [("name", f"two recipes draw to the same file name {name!r}") for name in duplicates]
        )
    written, entries = [], []
    for index, recipe in enumerate(recipes, start=1):
        if progress is not None:
            print(f"[{index}/{len(recipes)}] {recipe.source}", file=progress, flush=True)
        model = instantiate(recipe)
        source = dot_source(model)
        files = {}
        for format in formats:
            data = source.encode() if format == "dot" else render(source, format)
            written.append(write_bytes(folder / f"{recipe.model_name}.{format}", data))
            files[format] = f"{recipe.model_name}.{format}"
        entries.append(_entry(recipe, model, files))
    written.append(write_text(folder / "index.html", index_html(entries)))
    written.append(write_text(folder / "README.md", readme_markdown(entries)))
    return written


def _entry(recipe: Recipe, model, files: dict[str, str]) -> Entry:
    def describe(tensor) -> str:
        shape = ", ".join("None" if dim is None else str(dim) for dim in tensor.shape)
        return f"{tensor.name} ({shape})"

    return Entry(
        name=recipe.model_name,
        description=recipe.description or "",
        source=Path(recipe.source).as_posix() if recipe.source else "",
        inputs=[describe(tensor) for tensor in model.inputs],
        outputs=[
            f"{name} {describe(tensor).split(' ', 1)[1]}"
            for name, tensor in zip(model.output_names, model.outputs, strict=True)
        ],
        parameters=model.count_params(),
        files=files,
    )


def _picture(entry: Entry) -> str | None:
    # Browsers show SVG sharply at any zoom; PNG is the fallback.
    for format in ("svg", "png"):
        if format in entry.files:
            return entry.files[format]
    return None


def index_html(entries: Sequence[Entry]) -> str:
    cards = []
    for entry in entries:
        e = html.escape
        picture = _picture(entry)
        image = (
            (
                f'<a href="{e(picture)}"><img src="{e(picture)}" alt="Diagram of {e(entry.name)}"'
                ' loading="eager"></a>'
            )
            if picture
            else ""
        )
        links = " ".join(f'<a href="{e(f)}">{e(fmt)}</a>' for fmt, f in entry.files.items())
        cards.append(f"""<section id="{e(entry.name)}">
<h2>{e(entry.name)}</h2>
<p>{e(entry.description)}</p>
<dl>
<dt>Recipe</dt><dd><code>{e(entry.source)}</code></dd>
<dt>Inputs</dt><dd>{e(", ".join(entry.inputs))}</dd>
<dt>Outputs</dt><dd>{e(", ".join(entry.outputs))}</dd>
<dt>Parameters</dt><dd>{entry.parameters:,}</dd>
<dt>Files</dt><dd>{links}</dd>
</dl>
{image}
</section>""")
    contents = "\n".join(
        f'<li><a href="#{html.escape(entry.name)}">{html.escape(entry.name)}</a></li>'
        for entry in entries
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kgraphs gallery</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
section {{ border-top: 1px solid #ddd; padding: 1rem 0; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }}
dt {{ font-weight: 600; }}
dd {{ margin: 0; }}
img {{ max-width: 100%; max-height: 60rem; display: block; margin-top: 1rem; }}
</style>
</head>
<body>
<h1>kgraphs gallery</h1>
<p>{len(entries)} models drawn from their recipes.</p>
<ul>
{contents}
</ul>
{chr(10).join(cards)}
</body>
</html>
"""


def readme_markdown(entries: Sequence[Entry]) -> str:
    lines = ["# kgraphs gallery", "", f"{len(entries)} models drawn from their recipes.", ""]
    for entry in entries:
        picture = _picture(entry)
        lines += [
            f"## {entry.name}",
            "",
            entry.description,
            "",
            f"- Recipe: `{entry.source}`",
            f"- Inputs: {', '.join(entry.inputs)}",
            f"- Outputs: {', '.join(entry.outputs)}",
            f"- Parameters: {entry.parameters:,}",
            "",
        ]
        if picture:
            lines += [f"![Diagram of {entry.name}]({picture})", ""]
    return "\n".join(lines)
