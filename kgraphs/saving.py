"""Saving models as `.keras` files, atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kgraphs.atomic import atomic_path

if TYPE_CHECKING:
    import keras


def save_model(model: keras.Model, path: str | os.PathLike) -> Path:
    """`model.save(path)`, but the `.keras` file appears whole or not at all.

    Models built by kgraphs hold only built-in layers, so the file reloads with
    `keras.saving.load_model(path)` in its default safe mode.
    """
    with atomic_path(path) as temporary:
        model.save(temporary)
    return Path(path)
