"""`diff(a, b)`: what changed between two architectures, layer by layer.

Each side is a model, a `.keras` file or anything `build` takes (a recipe name, path, dict or
`Recipe`), read into a `LayerGraph`. Layers are matched by name, and layers Keras named
itself (`dense_3`) by class and position (`kgraphs.introspection.matching`), so building the
same model twice gives no differences. The report (`kgraphs.diffing.report`) lists layers
added, removed and changed (class, each argument from -> to, inbound connections, parameters,
calls, shapes), the model's inputs and outputs, and the parameter totals.

Example:
    >>> import kgraphs
    >>> result = kgraphs.diff("ticket_priority", "ticket_priority",
    ...                       set_b={"config.lstm_units": 16})
    >>> result.same, [layer.key for layer in result.changed]
    (False, ['text_lstm', 'combined_features', 'priority'])
    >>> result.changed[0].arguments, result.changed[0].changes["parameters"]
    ({'units': (32, 16)}, (12416, 5184))
    >>> result.parameters
    (652561, 645313)
    >>> print(result.text())
    A: ticket_priority (model ticket_priority: 7 layers, 652,561 parameters)
    B: ticket_priority with config.lstm_units=16 (model ticket_priority: 7 layers, ...)
    3 changed (1 only in shapes); parameters 652,561 -> 645,313 (-7,248)
    <BLANKLINE>
    layers (+ added, - removed, ~ changed; in topological order):
      ~ text_lstm          LSTM         12,416 -> 5,184 (-7,232)
          output shape: (None, 32) -> (None, 16)
          units: 32 -> 16
      ~ combined_features  Concatenate  0
          input shape: [(None, 32), (None, 16)] -> [(None, 16), (None, 16)]
          output shape: (None, 48) -> (None, 32)
      ~ priority           Dense        49 -> 33 (-16)
          input shape: (None, 48) -> (None, 32)
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraphs.diffing import report as diff_report
from kgraphs.diffing.differences import STATUSES, Differences, LayerDiff
from kgraphs.drawing.plot import Diagram, draw_highlighted
from kgraphs.introspection import matching as diff_match
from kgraphs.introspection.layer_graph import LayerGraph
from kgraphs.recipe.loading import Recipe, load_with_assignments
from kgraphs.util.errors import ConfigError

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class ModelDiff(Differences):
    """The differences between architectures A and B; `str()` is the text report."""

    def text(self) -> str:
        return diff_report.text(self)

    def markdown(self) -> str:
        return diff_report.markdown(self)

    @functools.cached_property
    def _union(self) -> tuple[LayerGraph, dict[str, str], dict[tuple[str, str], str]]:
        return diff_report.union(self)  # computed once for the picture's three parts

    def union_graph(self) -> LayerGraph:
        """Every layer of B and the removed layers of A (keys made unique), with the edges
        of both: what `plot()` draws, coloured by `highlight()`."""
        return self._union[0]

    def highlight(self) -> dict[str, str]:
        """Keys of `union_graph()` -> "added", "removed" or "changed"."""
        return self._union[1]

    def edge_highlight(self) -> dict[tuple[str, str], str]:
        """Edges of `union_graph()` only B has ("added") or only A has ("removed")."""
        return self._union[2]

    def plot(
        self,
        to_file: str | os.PathLike | None = None,
        *,
        format: str | None = None,
        depth: int | str = "auto",
        **options: Any,
    ) -> Diagram:
        """Both models in one collapsed picture: added layers green, removed red, changed
        orange (their groups framed in the colour); connections only B has green, only A had
        red and dashed. Written atomically to `to_file` when given (`kgraphs diff --plot`).

        Example:
            >>> import kgraphs
            >>> changes = kgraphs.diff("ticket_priority", "ticket_priority",
            ...                        set_b={"config.metadata_units": 0})
            >>> picture = changes.plot(format="svg")
            >>> picture.format, b"#e03131" in picture.data  # the removed layer, in red
            ('svg', True)
        """
        return draw_highlighted(
            self.union_graph(),
            to_file,
            format=format,
            depth=depth,
            highlight=self.highlight(),
            edge_highlight=self.edge_highlight(),
            **options,
        )

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(getattr(self, status))} {status}" for status in STATUSES)
        return f"<ModelDiff {self.a_label} -> {self.b_label}: {'same' if self.same else counts}>"


def diff(
    a: object,
    b: object,
    *,
    set_a: Mapping[str, Any] | None = None,
    set_b: Mapping[str, Any] | None = None,
) -> ModelDiff:
    """Compare two architectures: layers added, removed and changed, inputs, outputs, sizes.

    Args:
        a: a `keras.Model`, a `.keras` file, or anything `kgraphs.build` takes: a shipped
            recipe or architecture name, a `.yaml`/`.json`/`.toml` path, a recipe dict or a
            `Recipe`.
        b: the same, compared with `a`.
        set_a: assignments applied to A's recipe before it is built, as `kgraphs ... --set`
            takes them: dotted recipe paths, `{"config.lstm_units": 64}`.
        set_b: the same, for B's recipe.

    Raises:
        ConfigError: a side that cannot be read or built (both are read and validated before
            anything is built), or assignments for a side that is not a recipe.

    Example:
        >>> import kgraphs
        >>> changes = kgraphs.diff("ticket_priority", "ticket_priority",
        ...                       set_b={"config.lstm_units": 64})
        >>> changes.same, [layer.b.name for layer in changes.changed], changes.parameters
        (False, ['text_lstm', 'combined_features', 'priority'], (652561, 673201))
        >>> print(str(changes).splitlines()[2])
        3 changed (1 only in shapes); parameters 652,561 -> 673,201 (+20,640)
    """
    resolved = [resolve(a, set_a, side="A"), resolve(b, set_b, side="B")]
    read = []
    for side, source, assignments in zip("AB", resolved, (set_a, set_b), strict=True):
        with _blame(side):
            read.append(_read(source, assignments))
    (graph_a, label_a), (graph_b, label_b) = read
    return compare(graph_a, graph_b, a_label=label_a, b_label=label_b)


def compare(a: LayerGraph, b: LayerGraph, *, a_label: str = "A", b_label: str = "B") -> ModelDiff:
    """The `ModelDiff` of two layer graphs."""
    pairs = diff_match.match(a, b)
    pair_of = {("a", ka): index for index, (ka, _) in enumerate(pairs) if ka is not None}
    pair_of |= {("b", kb): index for index, (_, kb) in enumerate(pairs) if kb is not None}
    inbound_a, inbound_b = a.predecessors(), b.predecessors()
    layers = []
    for ka, kb in diff_match.merged_order(pairs, a, b):
        if kb is None:
            layers.append(LayerDiff("removed", a.layers[ka], None))
        elif ka is None:
            layers.append(LayerDiff("added", None, b.layers[kb]))
        else:
            changes = diff_match.layer_changes(a.layers[ka], b.layers[kb])
            if [pair_of["a", k] for k in inbound_a[ka]] != [pair_of["b", k] for k in inbound_b[kb]]:
                changes["inbound"] = (inbound_a[ka], inbound_b[kb])
            arguments = dict(
                diff_match.argument_changes(a.layers[ka].arguments, b.layers[kb].arguments)
            )
            status = "changed" if changes or arguments else "same"
            layers.append(LayerDiff(status, a.layers[ka], b.layers[kb], changes, arguments))
    return ModelDiff(
        a=a,
        b=b,
        a_label=a_label,
        b_label=b_label,
        layers=tuple(layers),
        inputs=tuple(diff_match.endpoint_changes(a, b, "inputs")),
        outputs=tuple(diff_match.endpoint_changes(a, b, "outputs")),
    )


# Reading each side through the project's own paths: recipes through `build`, `.keras` files
# through `kgraphs.building.saving`.


def resolve(source: object, assignments: Mapping[str, Any] | None = None, *, side: str) -> Any:
    """One side of a diff checked, nothing built: a validated `Recipe`, a `.keras` path or
    a model. Recipes and paths need no TensorFlow, so the command line checks both sides
    before importing it."""
    with _blame(side):
        return _resolve(source, assignments, side)


def _resolve(source: object, assignments: Mapping[str, Any] | None, side: str) -> Any:
    if isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() == ".keras":
        return _refuse_assignments(Path(source), assignments, side, "a .keras file")
    if isinstance(source, (str, os.PathLike, Mapping, Recipe)):
        return load_with_assignments(source, dict(assignments or {}))
    import keras

    if isinstance(source, keras.Model):
        return _refuse_assignments(source, assignments, side, "a built model")
    raise ConfigError(
        [
            (
                "(source)",
                "expected a keras.Model, a .keras file, or a recipe (name, path, dict or "
                f"Recipe); given {type(source).__name__}",
            )
        ]
    )


@contextlib.contextmanager
def _blame(side: str) -> Iterator[None]:
    """Say which side a `ConfigError` comes from: `B (recipes/x.yaml): 1 problem`."""
    try:
        yield
    except ConfigError as error:
        source = f"{side} ({error.source})" if error.source else side
        raise ConfigError(error.problems, source=source) from None


def _refuse_assignments(source: Any, assignments: Any, side: str, what: str) -> Any:
    if assignments:
        raise ConfigError([("--set", f"{side} is {what}; --set changes recipes only")])
    return source


def _read(source: Recipe | Path | keras.Model, assignments: Mapping[str, Any] | None) -> tuple:
    """The layer graph of a resolved side, and a label naming it in reports."""
    from kgraphs.introspection.layer_graph import layer_graph

    if isinstance(source, Recipe):
        from kgraphs.building.from_recipe import build

        model = build(source, compile=False, weights=False)  # compares structure, any size
        label = source.source or "<recipe>"
        if assignments:
            label += " with " + ", ".join(f"{path}={value}" for path, value in assignments.items())
    elif isinstance(source, Path):
        from kgraphs.building.saving import load_model

        model, label = load_model(source), str(source)
    else:
        model, label = source, f"<model {source.name}>"
    return layer_graph(model), label
