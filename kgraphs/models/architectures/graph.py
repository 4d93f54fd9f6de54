"""`architecture: graph`: any Functional graph of built-in Keras layers, described as data.

The format itself (its fields, checks and builder) is `kgraphs.graph_format`; this module
registers it as an architecture, so a graph recipe validates and builds like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kgraphs.graph_format.builder import build_graph
from kgraphs.graph_format.checks import graph_problems, partial_graph_problems
from kgraphs.graph_format.spec import GraphSpec, structure_keys
from kgraphs.models.registry import ArchitectureConfig, register

if TYPE_CHECKING:
    import keras


class GraphConfig(GraphSpec, ArchitectureConfig):
    def output_names(self) -> tuple[str, ...]:
        # The keys of a mapping name its outputs (`y["scores"]`, compile's loss per key).
        return self.output_keys() or tuple(self.output_list)

    def problems(self) -> list[tuple[str, str]]:
        return graph_problems(self)

    @classmethod
    def partial_problems(cls, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        return partial_graph_problems(data)

    @classmethod
    def output_names_of(cls, data: Mapping[str, Any]) -> tuple[str, ...] | None:
        return structure_keys(data.get("outputs"))


@register(GraphConfig)
def graph(config: GraphConfig, *, name: str) -> keras.Model:
    """Any Functional graph of built-in Keras layers, described as data.

    Example:
        >>> import kgraphs
        >>> model = kgraphs.graph({
        ...     "inputs": [{"name": "features", "shape": [8]}],
        ...     "nodes": [
        ...         {"name": "hidden", "layer": "Dense", "args": {"units": 4, "activation": "relu"},
        ...          "inputs": "features"},
        ...         {"name": "score", "layer": "Dense", "args": {"units": 1}, "inputs": "hidden"},
        ...     ],
        ...     "outputs": "score",
        ... })
        >>> model.count_params(), model.output_names
        (41, ['score'])
    """
    return build_graph(config, name=name, where="config")
