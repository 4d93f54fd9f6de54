"""Saving models as `.keras` files, atomically, and loading them back in safe mode."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kgraphs.util.atomic import atomic_path
from kgraphs.util.errors import ConfigError

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


def load_model(path: str | os.PathLike) -> keras.Model:
    """The uncompiled model of a `.keras` file, loaded in Keras's safe mode.

    A missing file, or one Keras cannot load in safe mode (a Lambda's code, a custom class, a
    corrupt archive), is a `ConfigError` naming the file.
    """
    import keras

    if not Path(path).is_file():
        raise ConfigError([("(file)", "no such .keras file")], source=str(path))
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as error:
        first_line = (str(error).strip() or type(error).__name__).splitlines()[0][:300]
        raise ConfigError(
            [("(file)", f"Keras cannot load it in safe mode: {first_line}")], source=str(path)
        ) from None
