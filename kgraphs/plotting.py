"""`plot()`: Keras's own diagram of a model, without `keras.utils.plot_model`'s traps.

The graph comes from `keras.utils.model_to_dot` (the code behind `plot_model`), then kgraphs:
- names each box after its layer instead of `id(layer)`, so the same model gives the same
  bytes on every run;
- marks layers called more than once (shared weights) with a coloured row and the call count;
- renders with Graphviz's `dot` itself, to png, svg, pdf or dot, written atomically into
  folders it creates, and returns a `Diagram` that displays inline in notebooks (SVG too);
- raises a clear error, in notebooks as well, when pydot or `dot` is missing or the format
  is unknown (where `plot_model` prints a line and returns None, or fails inside pydot).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraphs.atomic import write_bytes
from kgraphs.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import keras

FORMATS = ("png", "svg", "pdf", "dot")
# Keras's own default resolution for raster output.
DEFAULT_DPI = 200
# The chapter draws every model with shapes; names and activations make boxes readable.
DEFAULT_OPTIONS = {"show_shapes": True, "show_layer_names": True, "show_layer_activations": True}
SHARED_COLOUR = "#e8590c"
INSTALL_GRAPHVIZ = (
    "install Graphviz: `sudo apt-get install -y graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz`"
)


class GraphvizMissingError(RuntimeError):
    """pydot or Graphviz's `dot` program is not installed."""


@dataclass(frozen=True)
class Diagram:
    """A rendered diagram: its bytes, its format and the file it was written to (if any).

    Jupyter shows it inline through `_repr_svg_` / `_repr_png_` / `_repr_pdf_`.
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

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"Diagram(format={self.format!r}, {len(self.data):,} bytes{where})"


def plot(
    model_or_recipe: object,
    to_file: str | Path | None = None,
    *,
    format: str | None = None,
    **options: Any,
) -> Diagram:
    """Draw a model (or anything `kgraphs.build` accepts) and optionally write it to a file.

    Args:
        model_or_recipe: a `keras.Model`, or a recipe name, path, dict or `Recipe`.
        to_file: where to write; missing folders are created and the file is replaced whole.
        format: png, svg, pdf or dot; by default the suffix of `to_file`, else svg.
        **options: `keras.utils.model_to_dot` options (`show_dtype`, `rankdir`, `dpi`,
            `expand_nested`, ...); shapes, layer names and activations are shown by default.

    Example:
        >>> import kgraphs
        >>> diagram = kgraphs.plot("siamese_text")
        >>> diagram.format, b"shared: 2 calls" in diagram.data
        ('svg', True)
    """
    chosen = _format(to_file, format)
    model = _model(model_or_recipe)
    dpi = options.pop("dpi", DEFAULT_DPI)
    source = dot_source(model, **options)
    data = source.encode("utf-8") if chosen == "dot" else render(source, chosen, dpi=dpi)
    path = write_bytes(to_file, data) if to_file is not None else None
    return Diagram(data=data, format=chosen, path=path)


def dot_source(model: keras.Model, **options: Any) -> str:
    """The Graphviz source of the model's diagram, with stable names and shared layers marked."""
    try:
        import pydot  # noqa: F401
    except ImportError:
        raise GraphvizMissingError("plotting needs pydot: `pip install pydot`") from None
    import keras

    allowed = _model_to_dot_options()
    unknown = [name for name in options if name not in allowed]
    if unknown:
        raise ConfigError(
            [
                (
                    name,
                    f"unknown plot option; expected one of {sorted(allowed)}"
                    f"{did_you_mean(name, allowed)}",
                )
                for name in unknown
            ]
        )
    graph = keras.utils.model_to_dot(model, **(DEFAULT_OPTIONS | options))
    # A dpi baked into the graph makes Graphviz's SVG crop and zoom its drawing; resolution
    # is applied by `render`, to raster output only.
    graph.obj_dict["attributes"].pop("dpi", None)
    names = {}
    for layer, qualified_name in _layers(model):
        names[str(id(layer))] = qualified_name
        calls = _calls(model, layer)
        if calls > 1:
            _mark_shared(graph, str(id(layer)), calls)
    text = graph.to_string()
    # Keras names boxes by id(layer), which changes from run to run; layer names do not.
    return re.sub(r"\b\d{6,}\b", lambda m: _quote(names.get(m.group(0), m.group(0))), text)


def render(source: str, format: str, *, dpi: int = DEFAULT_DPI) -> bytes:
    """Run Graphviz's `dot` on `source` and return the rendered bytes (`dpi` for png only)."""
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizMissingError(f"Graphviz's `dot` program is not on PATH; {INSTALL_GRAPHVIZ}")
    command = [executable, f"-T{format}"] + ([f"-Gdpi={dpi}"] if format == "png" else [])
    result = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout


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


def _model(model_or_recipe: object) -> keras.Model:
    import keras

    if isinstance(model_or_recipe, keras.Model):
        return model_or_recipe
    from kgraphs.building import build

    return build(model_or_recipe, compile=False)


def _model_to_dot_options() -> set[str]:
    import inspect

    import keras

    parameters = inspect.signature(keras.utils.model_to_dot).parameters
    return {name for name in parameters if name not in ("model", "subgraph", "kwargs")}


def _layers(model: keras.Model, prefix: str = ""):
    """Every box drawn for `model` with a unique name (nested models qualify theirs).

    These are the model's operations, as `model_to_dot` draws them: its layers plus any ops
    Keras records in the graph itself, such as the `not_equal` behind an Embedding's mask.
    """
    import keras

    for layer in getattr(model, "_operations", model.layers):
        yield layer, prefix + layer.name
        if isinstance(layer, keras.Model) and hasattr(layer, "_nodes"):
            yield from _layers(layer, prefix=f"{prefix}{layer.name}/")


def _calls(model: keras.Model, layer: Any) -> int:
    """How many times `model`'s own graph calls `layer` (calls in other models don't count)."""
    own_nodes = getattr(model, "_nodes", None)
    if own_nodes is None:
        return 1
    from keras.src.ops.function import make_node_key

    return sum(
        make_node_key(layer, index) in own_nodes for index in range(len(layer._inbound_nodes))
    )


def _mark_shared(graph: Any, node_name: str, calls: int) -> None:
    for node in graph.get_node(node_name):
        label = node.get_label()
        span = re.search(r'colspan="(\d+)"', label)
        row = (
            f'<tr><td bgcolor="{SHARED_COLOUR}" colspan="{span.group(1) if span else 1}">'
            f'<font point-size="14" color="white"><b>shared: {calls} calls</b></font></td></tr>'
        )
        node.set_label(label.replace("</table>>", row + "</table>>"))
        node.set("color", SHARED_COLOUR)


def _quote(name: str) -> str:
    return name if name.startswith('"') else '"' + name.replace('"', '\\"') + '"'
