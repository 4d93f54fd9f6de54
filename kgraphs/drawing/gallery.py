"""The diagram gallery: every recipe drawn in one process, with `index.html` and `README.md`.

Each recipe becomes `<model name>.<format>` files, drawn collapsed to fit a screen with
parameter counts in the boxes (`depth="auto"`, `show_params=True`; html is the interactive
page), plus the two views the pages link to: `<model name>.full.svg` (every layer) and
`<model name>.html` (the interactive page, `kgraphs.drawing.interactive`). Both pages list the
recipes folder by folder (the top-level recipes, then `graph/`), each with its picture,
description, inputs and outputs (with shapes) and parameter count. They are built from the
recipes alone (no dates, no absolute paths), so the same recipes give the same bytes.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kgraphs.building.from_recipe import model_of
from kgraphs.drawing.interactive import page
from kgraphs.drawing.plot import collapsed_dot_source, dot_source, render
from kgraphs.introspection.layer_graph import output_labels
from kgraphs.recipe.loading import Recipe
from kgraphs.util.atomic import write_bytes, write_text
from kgraphs.util.errors import ConfigError


@dataclass(frozen=True)
class Entry:
    """What the gallery pages say about one drawn recipe."""

    name: str
    description: str
    source: str
    inputs: list[str]
    outputs: list[str]
    parameters: int
    files: dict[str, str]  # format -> file name, each drawn collapsed
    folder: str  # the recipe's folder, as the gallery's headings name it
    full: str  # file name of the picture of every layer
    interactive: str  # file name of the interactive page


def render_gallery(
    recipes: Sequence[Recipe],
    folder: Path,
    *,
    formats: Sequence[str] = ("svg", "png"),
    progress: IO[str] | None = None,
) -> list[Path]:
    """Draw each recipe into `folder` and write the two gallery pages; return the files."""
    _check_file_names(recipes, formats)
    folders = _folder_names(recipes)
    written, entries = [], []
    for index, recipe in enumerate(recipes, start=1):
        if progress is not None:
            print(f"[{index}/{len(recipes)}] {recipe.source}", file=progress, flush=True)
        # Layers Keras names (`not_equal_3`) count up across models; starting each recipe
        # afresh keeps its pictures the same whichever recipes are drawn with it.
        import keras

        keras.backend.clear_session()
        model = model_of(recipe)  # structure only: a gallery draws models of any size
        name = recipe.model_name
        collapsed = collapsed_dot_source(model, show_params=True)
        outputs = {
            f"{name}.full.svg": render(dot_source(model, show_params=True), "svg"),
            f"{name}.html": page(model, show_params=True).encode("utf-8"),
        }
        files = {}
        for format in formats:
            files[format] = f"{name}.{format}"
            if format == "dot":
                outputs[files[format]] = collapsed.encode("utf-8")
            elif format != "html":  # the interactive page, written above
                outputs[files[format]] = render(collapsed, format)
        for file_name, data in sorted(outputs.items()):
            written.append(write_bytes(folder / file_name, data))
        entries.append(_entry(recipe, model, files, folders[index - 1]))
    written.append(write_text(folder / "index.html", index_html(entries)))
    written.append(write_text(folder / "README.md", readme_markdown(entries)))
    return written


def _file_names(name: str, formats: Sequence[str]) -> set[str]:
    return {f"{name}.full.svg", f"{name}.html"} | {f"{name}.{format}" for format in formats}


def _check_file_names(recipes: Sequence[Recipe], formats: Sequence[str]) -> None:
    """Refuse recipes whose files would overwrite each other's or the gallery pages."""
    owner = {"index.html": "the gallery", "README.md": "the gallery"}
    problems = []
    for recipe in recipes:
        for file_name in sorted(_file_names(recipe.model_name, formats)):
            if file_name in owner:
                problems.append(
                    (
                        "name",
                        f"{recipe.source}: its model name {recipe.model_name!r} would write "
                        f"{file_name}, as {owner[file_name]} does; rename the model",
                    )
                )
            owner[file_name] = str(recipe.source)
    if problems:
        raise ConfigError(problems)


def _folder_names(recipes: Sequence[Recipe]) -> list[str]:
    """Each recipe's folder, named from the folder holding all of them (`recipes/graph`)."""
    folders = [Path(recipe.source or ".").parent for recipe in recipes]
    if not folders:
        return []
    anchor = Path(os.path.commonpath([str(folder) for folder in folders])).parent
    return [folder.relative_to(anchor).as_posix() for folder in folders]


def by_folder(entries: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    """The entries folder by folder: the outermost folder first, then its subfolders."""
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.folder, []).append(entry)
    return sorted(grouped.items(), key=lambda item: (item[0].count("/"), item[0]))


def _entry(recipe: Recipe, model, files: dict[str, str], folder: str) -> Entry:
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
            for name, tensor in zip(output_labels(model), model.outputs, strict=True)
        ],
        parameters=model.count_params(),
        files=files,
        folder=folder,
        full=f"{recipe.model_name}.full.svg",
        interactive=f"{recipe.model_name}.html",
    )


def _picture(entry: Entry) -> str | None:
    # Browsers show SVG sharply at any zoom; PNG is the fallback.
    for format in ("svg", "png"):
        if format in entry.files:
            return entry.files[format]
    return None


def index_html(entries: Sequence[Entry]) -> str:
    e = html.escape
    contents, sections = [], []
    for folder, members in by_folder(entries):
        links = "".join(f'<li><a href="#{e(m.name)}">{e(m.name)}</a></li>' for m in members)
        contents.append(
            f'<li><a href="#{e(_anchor(folder))}">{e(folder)}/</a><ul>{links}</ul></li>'
        )
        sections.append(f'<h2 id="{e(_anchor(folder))}">{e(folder)}/</h2>')
        sections += [_card(entry) for entry in members]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kgraphs gallery</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
h2 {{ margin-top: 2.5rem; font-family: ui-monospace, monospace; }}
section {{ border-top: 1px solid #ddd; padding: 1rem 0; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }}
dt {{ font-weight: 600; }}
dd {{ margin: 0; }}
img {{ max-width: 100%; max-height: 60rem; display: block; margin-top: 1rem; }}
</style>
</head>
<body>
<h1>kgraphs gallery</h1>
<p>{_INTRO.format(count=len(entries))}</p>
<ul>
{chr(10).join(contents)}
</ul>
{chr(10).join(sections)}
</body>
</html>
"""


_INTRO = (
    "{count} models drawn from their recipes, each collapsed to fit a screen, with parameter "
    "counts in the boxes. Every model also has an interactive view (click a group to open "
    "it) and a picture of every layer."
)


def _card(entry: Entry) -> str:
    e = html.escape
    picture = _picture(entry)
    image = (
        f'<a href="{e(entry.interactive)}"><img src="{e(picture)}" '
        f'alt="Diagram of {e(entry.name)}" loading="eager"></a>'
        if picture
        else ""
    )
    views = (
        f'<a href="{e(entry.interactive)}">interactive</a> · '
        f'<a href="{e(entry.full)}">every layer</a>'
    )
    files = " ".join(f'<a href="{e(f)}">{e(fmt)}</a>' for fmt, f in entry.files.items())
    return f"""<section id="{e(entry.name)}">
<h3>{e(entry.name)}</h3>
<p>{e(entry.description)}</p>
<dl>
<dt>Recipe</dt><dd><code>{e(entry.source)}</code></dd>
<dt>Inputs</dt><dd>{e(", ".join(entry.inputs))}</dd>
<dt>Outputs</dt><dd>{e(", ".join(entry.outputs))}</dd>
<dt>Parameters</dt><dd>{entry.parameters:,}</dd>
<dt>Views</dt><dd>{views}</dd>
<dt>Files</dt><dd>{files}</dd>
</dl>
{image}
</section>"""


def _anchor(folder: str) -> str:
    return "folder-" + folder.replace("/", "-")


def readme_markdown(entries: Sequence[Entry]) -> str:
    lines = ["# kgraphs gallery", "", _INTRO.format(count=len(entries)), ""]
    for folder, members in by_folder(entries):
        lines += [f"## {folder}/", ""]
        for entry in members:
            picture = _picture(entry)
            lines += [
                f"### {entry.name}",
                "",
                entry.description,
                "",
                f"- Recipe: `{entry.source}`",
                f"- Inputs: {', '.join(entry.inputs)}",
                f"- Outputs: {', '.join(entry.outputs)}",
                f"- Parameters: {entry.parameters:,}",
                f"- Views: [interactive]({entry.interactive}) · [every layer]({entry.full})",
                "",
            ]
            if picture:
                lines += [f"![Diagram of {entry.name}]({picture})", ""]
    return "\n".join(lines)
