"""Run the tutorial notebooks the ways users do: in a Jupyter kernel, or as a plain script.

Jupyter, JupyterLab, VS Code and `jupyter nbconvert --execute` start the kernel in the
notebook's own folder, so that is `execute`'s default. The committed notebooks carry no outputs.

Executed copies, outputs included, go to build/notebooks/ (`make notebooks`, and the TensorFlow
pass of tests/test_notebooks.py as it checks each notebook), stamped with what they were run
from: the notebook, kgraphs' files, the locked versions and the backend. `make docs` takes a
copy whose stamp matches what it would run (`executed_copy`) and executes only the others, so
`make test` runs each notebook once per backend.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXECUTED = ROOT / "build" / "notebooks"
STAMP = "kgraphs_executed_from"  # the notebook metadata key of an executed copy's stamp


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


def stamp(path: Path) -> dict[str, str]:
    """What a run of the notebook at `path` depends on: its text, every file of the kgraphs
    package (code, recipes, page templates), the locked versions, and the Keras backend a kernel
    started from this process would pick (kgraphs' own reading of Keras's rule)."""
    from kgraphs.util.backend import backend

    digest = hashlib.sha256()
    package = ROOT / "kgraphs"
    files = [path, ROOT / "requirements.lock"]
    files += sorted(
        file for file in package.rglob("*") if file.is_file() and "__pycache__" not in file.parts
    )
    for file in files:
        digest.update(f"{file.relative_to(ROOT)}\0{file.stat().st_size}\0".encode())
        digest.update(file.read_bytes())
    return {"sources": digest.hexdigest(), "backend": backend()}


def write_executed(
    notebook: nbformat.NotebookNode, path: Path, folder: Path = EXECUTED, *, ran_from: dict
) -> Path:
    """The executed `notebook` (of the notebook at `path`) written whole into `folder`, with
    `ran_from`, the `stamp(path)` taken before it ran, in its metadata."""
    from kgraphs.util.atomic import write_text

    copy = nbformat.from_dict(notebook)
    copy.metadata[STAMP] = ran_from
    return write_text(folder / path.name, nbformat.writes(copy))


def executed_copy(path: Path, folder: Path = EXECUTED) -> nbformat.NotebookNode | None:
    """The executed copy of the notebook at `path` in `folder`, when it was run from what is
    here now (`stamp`), on the backend a kernel would pick now; otherwise None."""
    copy = folder / path.name
    if not copy.is_file():
        return None
    notebook = nbformat.read(copy, as_version=4)
    if notebook.metadata.get(STAMP) != stamp(path):
        return None
    del notebook.metadata[STAMP]
    return notebook


def main(output: str) -> None:
    for path in NOTEBOOKS:
        print(f"running {path.relative_to(ROOT)}", flush=True)
        ran_from = stamp(path)
        write_executed(execute(path), path, Path(output), ran_from=ran_from)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "notebooks"))
