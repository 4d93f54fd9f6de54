"""What a diff finds, as data: each layer's status and changes, and the model's endpoints.

The reports (`kgraphs.diffing.report`) read these; `kgraphs.diffing.compare.ModelDiff` adds
the reports and the picture to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kgraphs.introspection.layer_graph import LayerGraph, LayerInfo

STATUSES = ("added", "removed", "changed")


@dataclass(frozen=True)
class LayerDiff:
    """One layer of either side: `status` is "added", "removed", "changed" or "same"."""

    status: str
    a: LayerInfo | None
    b: LayerInfo | None
    # "class", "inbound", "calls", "parameters", "input shape", "output shape": (from, to)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # config paths ("units", "kernel_initializer.config.seed"): (from, to); a path one
    # side lacks has `kgraphs.introspection.matching.ABSENT` there
    arguments: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The layer's qualified name in B, or in A for a removed layer."""
        return (self.b or self.a).key  # type: ignore[union-attr]


@dataclass(frozen=True)
class Differences:
    """The differences between architectures A and B, as data (`ModelDiff` reports them)."""

    a: LayerGraph
    b: LayerGraph
    a_label: str
    b_label: str
    layers: tuple[LayerDiff, ...]  # every layer of both sides, in topological order
    inputs: tuple[tuple[str, Any, Any], ...]  # (name, from shape, to shape); "(order)"
    outputs: tuple[tuple[str, Any, Any], ...]

    @property
    def same(self) -> bool:
        return not (self.inputs or self.outputs or self.added or self.removed or self.changed)

    @property
    def added(self) -> list[LayerDiff]:
        return [layer for layer in self.layers if layer.status == "added"]

    @property
    def removed(self) -> list[LayerDiff]:
        return [layer for layer in self.layers if layer.status == "removed"]

    @property
    def changed(self) -> list[LayerDiff]:
        return [layer for layer in self.layers if layer.status == "changed"]

    @property
    def parameters(self) -> tuple[int, int]:
        """Total parameters of A and of B."""
        return self.a.total_parameters(), self.b.total_parameters()
