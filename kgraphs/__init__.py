"""kgraphs: build, share and draw Keras Functional-API models from configs and recipe files.

Importing kgraphs does not import TensorFlow; building, plotting and exporting do. Nor does it
import numpy, pydantic or anything else: each public name imports its module the first time
it is used (`kgraphs.build`, `from kgraphs import plot`), so a script or command pays only for
what it uses.

Example:
    >>> import kgraphs
    >>> kgraphs.architectures()
    ['graph', 'image_multitask', 'residual_cnn', 'siamese_text', 'ticket_priority']
    >>> kgraphs.ticket_priority().count_params()
    652561
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time, __getattr__ imports them
    from kgraphs.blocks import conv_unit, residual_block
    from kgraphs.building import build
    from kgraphs.data import example_data
    from kgraphs.diffing import diff
    from kgraphs.distributed import distributed_train_step
    from kgraphs.errors import ConfigError
    from kgraphs.export import to_recipe
    from kgraphs.models.graph import graph
    from kgraphs.models.image_multitask import image_multitask
    from kgraphs.models.residual_cnn import residual_cnn
    from kgraphs.models.siamese_text import siamese_text
    from kgraphs.models.ticket_priority import ticket_priority
    from kgraphs.plotting import Diagram, plot
    from kgraphs.recipe import Recipe, load_recipe
    from kgraphs.tuning import best_recipe, tuner

# Imported now, not on first use: the module `kgraphs.presets` shares the function's name, and
# importing it later (as loading a recipe does) would bind the module over the function.
from kgraphs.presets import presets

__version__ = "0.1.0"

# Each public name and the module that defines it, imported on first use (PEP 562).
_MODULES = {
    "ConfigError": "kgraphs.errors",
    "Diagram": "kgraphs.plotting",
    "Recipe": "kgraphs.recipe",
    "best_recipe": "kgraphs.tuning",
    "build": "kgraphs.building",
    "conv_unit": "kgraphs.blocks",
    "diff": "kgraphs.diffing",
    "distributed_train_step": "kgraphs.distributed",
    "example_data": "kgraphs.data",
    "graph": "kgraphs.models.graph",
    "image_multitask": "kgraphs.models.image_multitask",
    "load_recipe": "kgraphs.recipe",
    "plot": "kgraphs.plotting",
    "residual_block": "kgraphs.blocks",
    "residual_cnn": "kgraphs.models.residual_cnn",
    "siamese_text": "kgraphs.models.siamese_text",
    "ticket_priority": "kgraphs.models.ticket_priority",
    "to_recipe": "kgraphs.export",
    "tuner": "kgraphs.tuning",
}


def architectures() -> list[str]:
    """The registered architecture names, sorted.

    Example:
        >>> import kgraphs
        >>> kgraphs.architectures()
        ['graph', 'image_multitask', 'residual_cnn', 'siamese_text', 'ticket_priority']
    """
    from kgraphs import registry

    return registry.names()


def __getattr__(name: str) -> object:
    if name in _MODULES:
        value = getattr(importlib.import_module(_MODULES[name]), name)
    else:
        value = _submodule(name)
    globals()[name] = value  # later lookups find it without calling __getattr__
    return value


def _submodule(name: str) -> object:
    """`kgraphs.saving` and the like, used as attributes without importing them first."""
    if not name.startswith("__"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ConfigError",
    "Diagram",
    "Recipe",
    "architectures",
    "best_recipe",
    "build",
    "conv_unit",
    "diff",
    "distributed_train_step",
    "example_data",
    "graph",
    "image_multitask",
    "load_recipe",
    "plot",
    "presets",
    "residual_block",
    "residual_cnn",
    "siamese_text",
    "ticket_priority",
    "to_recipe",
    "tuner",
]
