"""The built-in architectures, one module each; importing this package registers them all."""

from kgraphs.models.graph import graph
from kgraphs.models.image_multitask import image_multitask
from kgraphs.models.residual_cnn import residual_cnn
from kgraphs.models.siamese_text import siamese_text
from kgraphs.models.ticket_priority import ticket_priority

__all__ = ["graph", "image_multitask", "residual_cnn", "siamese_text", "ticket_priority"]
