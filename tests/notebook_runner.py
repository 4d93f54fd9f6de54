"""Run the tutorial notebooks the ways users do: in a Jupyter kernel, or as a plain script.

Jupyter, JupyterLab, VS Code and `jupyter nbconvert --execute` start the kernel in the
notebook's own folder, so that is `execute`'s default. `make notebooks` writes executed copies,
outputs included, under build/notebooks/. The committed notebooks carry no outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def execute(path: Path, *, cwd: Path | None = None, timeout: int = 300) -> nbformat.NotebookNode:
    """The notebook at `path` executed in a real kernel started in `cwd` (default: its folder).

    Raises `nbclient.exceptions.CellExecutionError` on the first failing cell.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    client.execute()
    return notebook


def tagged(notebook: nbformat.NotebookNode, tag: str) -> list[tuple[int, nbformat.NotebookNode]]:
    """The cells whose metadata `tags` hold `tag`, with their indices: how the tests and the
    site find a tutorial's chapter code, learning curve and exercise."""
    return [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if tag in cell.get("metadata", {}).get("tags", [])
    ]


def as_script(path: Path) -> str:
    """The notebook's code cells as one Python script, as `jupyter nbconvert --to script` does."""
    notebook = nbformat.read(path, as_version=4)
    return "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code") + "\n"


def main(output: str) -> None:
    from kgraphs.util.atomic import write_text

    for path in NOTEBOOKS:
        print(f"running {path.relative_to(ROOT)}", flush=True)
        write_text(Path(output) / path.name, nbformat.writes(execute(path)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "notebooks"))
