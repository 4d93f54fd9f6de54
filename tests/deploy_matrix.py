"""The deployment matrix: every shipped recipe whose weights fit, in every format, each cell
`kgraphs.deploy`'s verdict on the file (verified with its largest difference, or not with the
reason). `make docs` regenerates it for the site on every build (docs/build_docs.py), so it
cannot go stale; tests/site checks the page. `python tests/deploy_matrix.py` prints it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE_NAMES = {
    "savedmodel": "model",
    "onnx": "model.onnx",
    "litert": "model.tflite",
    "openvino": "model.xml",
}


def shipped_recipes() -> list[Path]:
    return sorted(
        path
        for path in (ROOT / "recipes").rglob("*")
        if path.suffix in {".yaml", ".yml", ".json", ".toml"}
    )


def cells(recipes: list[Path]) -> dict[str, dict[str, str]]:
    """recipe (relative to recipes/) -> format -> the cell's text."""
    import keras

    import kgraphs
    from kgraphs.config.limits import MAX_PARAMETERS

    table: dict[str, dict[str, str]] = {}
    for path in recipes:
        recipe = kgraphs.load_recipe(path)
        count = recipe.config.parameter_count()
        if count is not None and count > MAX_PARAMETERS:
            continue  # weights that do not fit: nothing to deploy here
        name = str(path.relative_to(ROOT / "recipes"))
        table[name] = {}
        keras.backend.clear_session()
        model = kgraphs.build(recipe, compile=False)
        for format, file_name in FILE_NAMES.items():
            with tempfile.TemporaryDirectory() as folder:
                report = kgraphs.deploy(model, Path(folder) / file_name, format=format)
            if report.verified:
                table[name][format] = f"verified ({report.largest_difference:.0e})"
            else:
                table[name][format] = "refused: " + "; ".join(report.problems)
    return table


def markdown(table: dict[str, dict[str, str]]) -> str:
    formats = list(FILE_NAMES)
    lines = [
        "# Deployment matrix",
        "",
        "Every shipped recipe (its weights as built: the check is of the conversion) written by "
        "Keras's own exporter and checked by `kgraphs.deploy` in the format's own runtime, on "
        "TensorFlow, at this build of the site. A verified cell gives the largest difference "
        "from Keras's outputs; a refused one, the reason, with the layers that cause it.",
        "",
        "| recipe | " + " | ".join(formats) + " |",
        "| --- | " + " | ".join("---" for _ in formats) + " |",
    ]
    for name, row in table.items():
        lines.append(f"| `{name}` | " + " | ".join(_cell(row[f]) for f in formats) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    sys.stdout.write(markdown(cells(shipped_recipes())))
