"""Running Graphviz's `dot`: pictures that never come out empty, cropped or squeezed.

Keras's `model_to_dot` asks for `splines="ortho"`, which Graphviz 2.x cannot route on many
graphs: it warns, draws no edges, or writes an empty picture, more often left to right
(keras-team/keras#21801, #19717). kgraphs lays out with curved splines instead and checks
what `dot` returns: a failed run or a picture without its boxes is retried with simpler edge
routing, and fails with the reason if no routing works. A raster past Graphviz's limit of
32767 pixels a side is squeezed by Graphviz without a word; kgraphs measures the layout
first and says what to do instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from kgraphs.util.errors import ConfigError

# Edge routings tried in order: curved splines read best; straight segments always lay out.
SPLINES = ("spline", "polyline", "line")
# Graphviz scales any raster larger than this (per side) down to fit, unreadably.
MAX_RASTER_PX = 32767
INSTALL_GRAPHVIZ = (
    "install Graphviz: `sudo apt-get install -y graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz`"
)


class GraphvizMissingError(RuntimeError):
    """pydot or Graphviz's `dot` program is not installed; the message says how to install it.

    Example:
        >>> import kgraphs
        >>> try:
        ...     diagram = kgraphs.plot("ticket_priority", format="svg")
        ... except kgraphs.GraphvizMissingError as error:  # e.g. `apt-get install graphviz`
        ...     print(error)
        >>> diagram.format
        'svg'
    """


class RenderError(RuntimeError):
    """Graphviz could not draw the diagram with any edge routing; the message is Graphviz's.

    Example:
        >>> import kgraphs
        >>> try:
        ...     diagram = kgraphs.plot("graph/unet_small", format="png")
        ... except kgraphs.RenderError as error:
        ...     print(error)
        >>> diagram.data[:4]
        b'\\x89PNG'
    """


def render(source: str, format: str, *, dpi: int) -> bytes:
    """Draw `source` with `dot` as `format` (`dpi` applies to png), checked and retried."""
    if format == "png":
        check_raster_size(source, dpi=dpi)
    failures = []
    for splines in SPLINES:
        extra = [f"-Gdpi={dpi}"] if format == "png" else []
        result = run_dot(source, [f"-T{format}", f"-Gsplines={splines}", *extra])
        problem = problem_with(result, format)
        if problem is None:
            return result.stdout
        failures.append(f"splines={splines}: {problem}")
    raise RenderError("Graphviz could not draw this diagram; " + "; ".join(failures))


def layout_size(source: str, *, splines: str = SPLINES[0]) -> tuple[float, float]:
    """Width and height of the laid-out diagram, in inches."""
    result = run_dot(source, ["-Tplain", f"-Gsplines={splines}"])
    match = re.match(rb"graph \S+ (\S+) (\S+)", result.stdout)
    if result.returncode != 0 or match is None:
        raise RenderError(f"Graphviz could not lay out this diagram: {_stderr(result)}")
    return float(match.group(1)), float(match.group(2))


def check_raster_size(source: str, *, dpi: int) -> None:
    """Refuse, with what to do instead, a png that Graphviz would squeeze to fit its limit."""
    width, height = layout_size(source)
    pixels = (round(width * dpi), round(height * dpi))
    if max(pixels) <= MAX_RASTER_PX:
        return
    fitting_dpi = int(MAX_RASTER_PX / max(width, height))
    raise ConfigError(
        [
            (
                "format",
                f"a png of this diagram would be {pixels[0]} x {pixels[1]} px at dpi={dpi}, "
                f"past Graphviz's {MAX_RASTER_PX} px limit (it would be squeezed unreadably); "
                f"draw it collapsed (depth='auto' or a smaller depth), as svg or pdf, "
                f"or with dpi={fitting_dpi} or less",
            )
        ]
    )


def run_dot(source: str, arguments: list[str]) -> subprocess.CompletedProcess:
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizMissingError(f"Graphviz's `dot` program is not on PATH; {INSTALL_GRAPHVIZ}")
    return subprocess.run(
        [executable, *arguments],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
    )


def problem_with(result: subprocess.CompletedProcess, format: str) -> str | None:
    """Why `dot`'s output is not a usable picture, or None when it is."""
    if result.returncode != 0:
        return f"dot exited with status {result.returncode}: {_stderr(result)}"
    data = result.stdout
    if not data:
        return "dot wrote nothing"
    if format == "svg" and b'class="node"' not in data:
        return "the SVG has no boxes"
    if format == "png" and len(data) < 100:
        return "the PNG is empty"
    warnings = _stderr(result)
    # Failed edge routing is reported as a warning while dot still exits 0.
    if re.search(r"(?i)(trouble in init_rank|failed|lost .* edge|no space)", warnings):
        return warnings
    return None


def _stderr(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace").strip() or "no message"
