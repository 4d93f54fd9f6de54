"""kgraphs: build, share and draw Keras Functional-API models from configs and recipe files.

Importing kgraphs does not import TensorFlow; building, plotting and exporting do. Nor does it
import numpy, pydantic or anything else: each public name imports its module the first time
it is used (`kgraphs.build`, `from kgraphs import plot`), so a script or command pays only for
what it uses.

The public API is `PUBLIC` below plus one factory per registered architecture (`kgraphs.NAME`,
found by `kgraphs.models.builtin` in `kgraphs/models/architectures/`): adding an architecture
is its file and its registration, nothing else. docs/guide/architecture.md maps the packages.

Example:
    >>> import kgraphs
    >>> kgraphs.architectures()
    ['decoder_lm', 'graph', 'image_multitask', 'residual_cnn', 'siamese_text', 'ticket_priority']
    >>> kgraphs.ticket_priority().count_params()
    652561
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kgraphs.models.builtin import BUILTIN

if TYPE_CHECKING:  # what type checkers and IDEs see (a test keeps it equal to PUBLIC)
    from kgraphs.building.from_recipe import build
    from kgraphs.building.structure_only import NoWeightsError
    from kgraphs.building.weight_transfer import TransferReport, transfer_weights
    from kgraphs.deploying.verified_export import DeployReport, deploy
    from kgraphs.diffing.compare import diff
    from kgraphs.drawing.graphviz import GraphvizMissingError, RenderError
    from kgraphs.drawing.plot import Diagram, plot
    from kgraphs.export.to_recipe import to_recipe
    from kgraphs.models.blocks import conv_unit, residual_block
    from kgraphs.recipe.loading import Recipe, load_recipe
    from kgraphs.recipe.shipped import presets
    from kgraphs.training.data import example_data
    from kgraphs.training.distributed import distributed_train_step
    from kgraphs.training.tuning import best_recipe, tuner
    from kgraphs.util.errors import ConfigError

__version__ = "0.1.0"

# Each public name (besides the architectures' factories) and the module that defines it,
# imported on first use (PEP 562).
PUBLIC = {
    "ConfigError": "kgraphs.util.errors",
    "Diagram": "kgraphs.drawing.plot",
    "GraphvizMissingError": "kgraphs.drawing.graphviz",
    "NoWeightsError": "kgraphs.building.structure_only",
    "Recipe": "kgraphs.recipe.loading",
    "RenderError": "kgraphs.drawing.graphviz",
    "best_recipe": "kgraphs.training.tuning",
    "build": "kgraphs.building.from_recipe",
    "conv_unit": "kgraphs.models.blocks",
    "DeployReport": "kgraphs.deploying.verified_export",
    "deploy": "kgraphs.deploying.verified_export",
    "diff": "kgraphs.diffing.compare",
    "distributed_train_step": "kgraphs.training.distributed",
    "example_data": "kgraphs.training.data",
    "load_recipe": "kgraphs.recipe.loading",
    "plot": "kgraphs.drawing.plot",
    "presets": "kgraphs.recipe.shipped",
    "residual_block": "kgraphs.models.blocks",
    "to_recipe": "kgraphs.export.to_recipe",
    "TransferReport": "kgraphs.building.weight_transfer",
    "transfer_weights": "kgraphs.building.weight_transfer",
    "tuner": "kgraphs.training.tuning",
}


def architectures() -> list[str]:
    """The registered architecture names, sorted.

    Example:
        >>> import kgraphs
        >>> kgraphs.architectures()  # doctest: +NORMALIZE_WHITESPACE
        ['decoder_lm', 'graph', 'image_multitask', 'residual_cnn', 'siamese_text',
         'ticket_priority']
    """
    from kgraphs.models import registry

    return registry.names()


def __getattr__(name: str) -> object:
    if name in PUBLIC:
        value = getattr(importlib.import_module(PUBLIC[name]), name)
    elif name in BUILTIN:
        from kgraphs.models import registry

        value = registry.factory_of(name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups find it without calling __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = sorted([*PUBLIC, *BUILTIN, "architectures"])
