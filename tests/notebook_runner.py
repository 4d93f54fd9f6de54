"""Run the tutorial notebooks top to bottom with a real Jupyter kernel (nbclient).

`make notebooks` uses this to write executed copies, outputs included, under build/notebooks/;
the test suite uses `execute` on each notebook. The committed notebooks carry no outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def execute(path: Path, *, timeout: int = 300) -> nbformat.NotebookNode:
    """The notebook at `path`, executed in the repo root; raises on the first failing cell."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": ROOT}}
    )
    client.execute()
    return notebook


def main(output: str) -> None:
    from kgraphs.atomic import write_text

    for path in NOTEBOOKS:
        print(f"running {path.relative_to(ROOT)}", flush=True)
        write_text(Path(output) / path.name, nbformat.writes(execute(path)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "notebooks"))
