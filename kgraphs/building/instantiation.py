"""`instantiate`: a validated recipe's uncompiled model, its architecture's builder called on its
config, with whatever Keras still refuses reported as a located recipe problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgraphs.graph_format.builder import keras_cause
from kgraphs.models import registry
from kgraphs.util.errors import ConfigError

if TYPE_CHECKING:
    import keras

    from kgraphs.recipe.loading import Recipe


def instantiate(recipe: Recipe) -> keras.Model:
    """The uncompiled model of a validated recipe (refused over the memory limit where weights
    are allocated: not inside `structure_only`)."""
    architecture = registry.get(recipe.architecture)
    try:
        return architecture.make(recipe.config, name=recipe.model_name)
    except ConfigError as error:
        raise error.with_source(recipe.source) from None
    except (ValueError, TypeError) as error:
        # Validation should catch every bad config first; if Keras still refuses one, the user
        # gets it as a located recipe problem rather than a traceback from deep inside Keras.
        raise ConfigError(
            [("config", f"Keras cannot build this config: {keras_cause(error)}")],
            source=recipe.source,
        ) from None
