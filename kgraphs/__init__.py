"""kgraphs: build, share and draw Keras Functional-API models from configs and recipe files.

Importing kgraphs does not import TensorFlow; building, plotting and exporting do.

Example:
    >>> import kgraphs
    >>> kgraphs.architectures()
    ['graph', 'image_multitask', 'residual_cnn', 'siamese_text', 'ticket_priority']
    >>> kgraphs.ticket_priority().count_params()
    652561
"""

from kgraphs import registry
from kgraphs.blocks import conv_unit, residual_block
from kgraphs.building import build
from kgraphs.data import example_data
from kgraphs.diffing import diff
from kgraphs.distributed import distributed_train_step
from kgraphs.errors import ConfigError
from kgraphs.export import to_recipe
from kgraphs.models import graph, image_multitask, residual_cnn, siamese_text, ticket_priority
from kgraphs.plotting import Diagram, plot
from kgraphs.presets import presets
from kgraphs.recipe import Recipe, load_recipe

__version__ = "0.1.0"


def architectures() -> list[str]:
    """The registered architecture names, sorted."""
    return registry.names()


__all__ = [
    "ConfigError",
    "Diagram",
    "Recipe",
    "architectures",
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
]
