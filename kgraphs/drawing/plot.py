"""`plot()`: diagrams that fit a screen for small and ResNet-size models alike.

By default a model is drawn collapsed (`kgraphs.drawing.collapsed`): its groups (nested models, the
name hierarchy, structural blocks) are boxes with their layer and parameter counts, opened
as deep as a screen allows. `depth=None` draws every layer from `keras.utils.model_to_dot`
(the code behind `plot_model`), without its traps. Either way kgraphs:
- names each box after its layer instead of `id(layer)`, so the same model gives the same
  bytes on every run;
- marks layers called more than once (shared weights) with a coloured row and the call count;
- renders with Graphviz's `dot` itself (`kgraphs.drawing.graphviz`), checked and never empty or
  squeezed, to png, svg, pdf, dot or an interactive html page, written atomically into
  folders it creates, and returns a `Diagram` that displays inline in notebooks (SVG too);
- raises a clear error, in notebooks as well, when pydot or `dot` is missing or the format
  is unknown (where `plot_model` prints a line and returns None, or fails inside pydot).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraphs.drawing import graphviz as rendering
from kgraphs.drawing.dot_text import SHARED_COLOUR, quote
from kgraphs.drawing.graphviz import GraphvizMissingError
from kgraphs.drawing.style import check_style_options
from kgraphs.introspection.layer_graph import LayerGraph, call_count, parameters_of
from kgraphs.util.atomic import write_bytes
from kgraphs.util.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import keras

FORMATS = ("png", "svg", "pdf", "dot", "html")
# A picture of a layer graph that is not a model (a diff's union) has no interactive page.
PICTURE_FORMATS = ("png", "svg", "pdf", "dot")
# Keras's own default resolution for raster output.
DEFAULT_DPI = 200
# The chapter draws every model with shapes; names and activations make boxes readable.
DEFAULT_OPTIONS = {"show_shapes": True, "show_layer_names": True, "show_layer_activations": True}


@dataclass(frozen=True)
class Diagram:
    """A rendered diagram: its bytes, its format and the file it was written to (if any).

    Jupyter shows it inline through `_repr_svg_` / `_repr_png_` / `_repr_pdf_`.

    Example:
        >>> import kgraphs, tempfile
        >>> diagram = kgraphs.plot("residual_cnn", f"{tempfile.mkdtemp()}/resnet.png")
        >>> diagram.format, diagram.path.name, diagram.data[:4]
        ('png', 'resnet.png', b'\\x89PNG')
    """

    data: bytes
    format: str
    path: Path | None = None

    def _repr_svg_(self) -> str | None:
        return self.data.decode("utf-8") if self.format == "svg" else None

    def _repr_png_(self) -> bytes | None:
        return self.data if self.format == "png" else None

    def _repr_pdf_(self) -> bytes | None:
        return self.data if self.format == "pdf" else None

    def _repr_html_(self) -> str | None:
        if self.format != "html":
            return None
        # A whole page (its script and styles) is kept apart from the notebook's in a frame.
        page = html.escape(self.data.decode("utf-8"), quote=True)
        return f'<iframe srcdoc="{page}" style="width:100%;height:640px;border:0"></iframe>'

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"Diagram(format={self.format!r}, {len(self.data):,} bytes{where})"


def plot(
    model_or_recipe: object,
    to_file: str | Path | None = None,
    *,
    format: str | None = None,
    depth: int | str | None = "auto",
    show_params: bool = False,
    **options: Any,
) -> Diagram:
    """Draw a model (or anything `kgraphs.build` accepts) and optionally write it to a file.

    Args:
        model_or_recipe: a `keras.Model`, or a recipe name, path, dict or `Recipe`.
        to_file: where to write; missing folders are created and the file is replaced whole.
        format: png, svg, pdf, dot or html (the interactive page); by default the suffix of
            `to_file`, else svg.
        depth: how far groups are opened (see `kgraphs.drawing.grouping`): 1 draws the top level
            with each group as one box, 2 opens those groups, and so on; "auto" (the
            default) draws the deepest level that fits a screen; None draws every layer
            the way `keras.utils.plot_model` does.
        show_params: add each layer's parameter count to its box (groups always show theirs).
        **options: `rankdir`, `show_shapes`, `show_dtype`, `show_layer_names`,
            `show_layer_activations`, `show_trainable`, `dpi`; with `depth=None`, any
            `keras.utils.model_to_dot` option (`expand_nested`, ...). Shapes, layer names
            and activations are shown by default.

    Example:
        >>> import kgraphs
        >>> diagram = kgraphs.plot("siamese_text")
        >>> diagram.format, b"shared: 2 calls" in diagram.data
        ('svg', True)
        >>> stages = kgraphs.plot("recipes/residual_cnn_stages.json", depth=2)
        >>> stages.data.count(b"stage1_block1..2, 2 x the same structure")
        1
    """
    chosen = _format(to_file, format)
    dpi = options.pop("dpi", DEFAULT_DPI)
    _check_depth(depth)
    from kgraphs.building.from_recipe import model_of

    model = model_of(model_or_recipe)
    if chosen == "html":
        from kgraphs.drawing.interactive import page

        data = page(model, show_params=show_params, **options).encode("utf-8")
    else:
        if depth is None:
            source = dot_source(model, show_params=show_params, **options)
        else:
            source = collapsed_dot_source(model, depth=depth, show_params=show_params, **options)
        data = source.encode("utf-8") if chosen == "dot" else render(source, chosen, dpi=dpi)
    path = write_bytes(to_file, data) if to_file is not None else None
    return Diagram(data=data, format=chosen, path=path)


def draw_highlighted(
    graph: LayerGraph,
    to_file: str | os.PathLike | None = None,
    *,
    format: str | None = None,
    depth: int | str = "auto",
    highlight: dict[str, str] | None = None,
    edge_highlight: dict[tuple[str, str], str] | None = None,
    **options: Any,
) -> Diagram:
    """A layer graph drawn collapsed with layers and connections coloured (`highlight`:
    key -> "added", "removed" or "changed"; `edge_highlight`: (source, target) -> "added" or
    "removed"), written atomically to `to_file` when given: the picture of a diff."""
    from kgraphs.drawing.collapsed import collapsed_source

    chosen = _format(to_file, format)
    if chosen not in PICTURE_FORMATS:
        raise ConfigError(
            [
                (
                    "format",
                    f"expected one of {list(PICTURE_FORMATS)} for this picture; given {chosen!r}",
                )
            ]
        )
    dpi = options.pop("dpi", DEFAULT_DPI)
    _check_depth(depth)
    check_style_options(options, unknown="unknown plot option")
    source = collapsed_source(
        graph, depth=depth, highlight=highlight, edge_highlight=edge_highlight, **options
    )
    data = source.encode("utf-8") if chosen == "dot" else render(source, chosen, dpi=dpi)
    path = write_bytes(to_file, data) if to_file is not None else None
    return Diagram(data=data, format=chosen, path=path)


def collapsed_dot_source(
    model: keras.Model, *, depth: int | str = "auto", show_params: bool = False, **options: Any
) -> str:
    """The Graphviz source of the model drawn with its groups collapsed below `depth`."""
    from kgraphs.drawing.collapsed import collapsed_source
    from kgraphs.introspection.layer_graph import layer_graph

    check_style_options(options, unknown="unknown plot option", full_only=_model_to_dot_options())
    return collapsed_source(layer_graph(model), depth=depth, show_params=show_params, **options)


def dot_source(model: keras.Model, *, show_params: bool = False, **options: Any) -> str:
    """The Graphviz source of every layer of the model, as `keras.utils.model_to_dot` draws it,
    with stable names, shared layers marked and (optionally) parameter counts."""
    try:
        import pydot  # noqa: F401
    except ImportError:
        raise GraphvizMissingError("plotting needs pydot: `pip install pydot`") from None
    import keras

    _check_model_to_dot_options(options)
    graph = keras.utils.model_to_dot(model, **(DEFAULT_OPTIONS | options))
    # A dpi baked into the graph makes Graphviz's SVG crop and zoom its drawing; resolution
    # is applied by `render`, to raster output only. `concentrate` merges edges the model
    # has, and the "ortho" splines Keras asks for come out empty on many graphs (#21801):
    # `render` routes edges itself.
    for attribute in ("dpi", "concentrate", "splines"):
        graph.obj_dict["attributes"].pop(attribute, None)
    names = {}
    for layer, qualified_name in _layers(model):
        names[str(id(layer))] = qualified_name
        _escape_name(graph, str(id(layer)), layer.name)
        calls = call_count(model, layer)
        if show_params:
            _add_row(graph, str(id(layer)), f"{parameters_of(layer):,} params", colour=None)
        if calls > 1:
            _add_row(graph, str(id(layer)), f"shared: {calls} calls", colour=SHARED_COLOUR)
    text = graph.to_string()
    # Keras names boxes by id(layer), which changes from run to run; layer names do not.
    # Only those ids are replaced: a shape such as (None, 1000000) in a label stays as it is.
    return re.sub(
        r"\b\d{6,}\b",
        lambda m: quote(names[m.group(0)]) if m.group(0) in names else m.group(0),
        text,
    )


def render(source: str, format: str, *, dpi: int = DEFAULT_DPI) -> bytes:
    """Run Graphviz's `dot` on `source` and return the checked bytes (`dpi` for png only)."""
    return rendering.render(source, format, dpi=dpi)


def _check_depth(depth: object) -> None:
    if depth is None or depth == "auto":
        return
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ConfigError(
            [("depth", f"expected a whole number from 1, 'auto' or None; given {depth!r}")]
        )


def _check_model_to_dot_options(options: dict[str, Any]) -> None:
    allowed = _model_to_dot_options()
    problems = [
        (
            name,
            f"unknown plot option; expected one of {sorted(allowed)}{did_you_mean(name, allowed)}",
        )
        for name in options
        if name not in allowed
    ]
    if problems:
        raise ConfigError(problems)


def _format(to_file: str | Path | None, format: str | None) -> str:
    if format is None:
        suffix = Path(to_file).suffix.lstrip(".").lower() if to_file is not None else ""
        format = suffix or "svg"
    chosen = str(format).lower()
    if chosen not in FORMATS:
        raise ConfigError(
            [
                (
                    "format",
                    f"unknown diagram format {format!r}; expected one of {list(FORMATS)}"
                    f"{did_you_mean(chosen, FORMATS)}",
                )
            ]
        )
    return chosen


def _model_to_dot_options() -> set[str]:
    import inspect

    import keras

    parameters = inspect.signature(keras.utils.model_to_dot).parameters
    return {name for name in parameters if name not in ("model", "subgraph", "kwargs")}


def _layers(model: keras.Model, prefix: str = ""):
    """Every box drawn for `model` with a unique name (nested models qualify theirs).

    These are the model's operations, as `model_to_dot` draws them: its layers plus any ops
    Keras records in the graph itself, such as the `not_equal` behind an Embedding's mask.
    A Sequential model keeps no operations list of its own (it is empty): its layers are it.
    """
    import keras

    for layer in getattr(model, "_operations", None) or model.layers:
        yield layer, prefix + layer.name
        if isinstance(layer, keras.Model):
            yield from _layers(layer, prefix=f"{prefix}{layer.name}/")


def _escape_name(graph: Any, node_name: str, name: str) -> None:
    """Keras puts a layer's name into its HTML label as it is: `<`, `>` or `&` in a name
    would break the label (Graphviz refuses it). Escape it."""
    escaped = html.escape(name, quote=False)
    if escaped == name:
        return
    for node in graph.get_node(node_name):
        node.set_label(node.get_label().replace(name, escaped))


def _add_row(graph: Any, node_name: str, text: str, *, colour: str | None) -> None:
    """Add a row (coloured, when `colour` is given) at the bottom of a box's label."""
    for node in graph.get_node(node_name):
        label = node.get_label()
        span = re.search(r'colspan="(\d+)"', label)
        colspan = span.group(1) if span else 1
        if colour is None:
            row = f'<tr><td colspan="{colspan}"><font point-size="12">{text}</font></td></tr>'
        else:
            row = (
                f'<tr><td bgcolor="{colour}" colspan="{colspan}">'
                f'<font point-size="14" color="white"><b>{text}</b></font></td></tr>'
            )
            node.set("color", colour)
        node.set_label(label.replace("</table>>", row + "</table>>"))
