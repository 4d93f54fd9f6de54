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
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        # A compiled but untrained model has an optimizer without slot variables; Keras saves
        # it that way and then warns "Skipping variable loading for optimizer" on every load.
        optimizer.build(model.trainable_variables)
    with atomic_path(path) as temporary:
        model.save(temporary)
    return Path(path)
