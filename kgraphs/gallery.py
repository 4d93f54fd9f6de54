"""The diagram gallery: every recipe drawn once, TensorFlow imported once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from kgraphs.atomic import write_bytes
from kgraphs.building import instantiate
from kgraphs.plotting import dot_source, render
from kgraphs.recipe import Recipe


def render_gallery(
    recipes: Sequence[Recipe],
    folder: Path,
    *,
    formats: Sequence[str] = ("svg", "png"),
    progress: IO[str] | None = None,
) -> list[Path]:
    """Draw each recipe into `folder` as `<model name>.<format>`; return the files written."""
    written = []
    for index, recipe in enumerate(recipes, start=1):
        if progress is not None:
            print(f"[{index}/{len(recipes)}] {recipe.source}", file=progress, flush=True)
        source = dot_source(instantiate(recipe))
        for format in formats:
            data = source.encode() if format == "dot" else render(source, format)
            written.append(write_bytes(folder / f"{recipe.model_name}.{format}", data))
    return written
