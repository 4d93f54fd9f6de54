"""The deployment matrix: every shipped recipe whose weights fit, in every format, each cell
`kgraphs.deploy`'s verdict on the file (verified with its largest difference, or not with the
reason), each checked against the format's runtime run here without kgraphs (`independently`):
a verdict the runtime disagrees with fails the build. tests/test_deploy.py makes it and keeps
it in build/deploy-matrix.md, stamped with what it was made from (tests/notebook_runner.py's
`stamp`: this file, every file of kgraphs, recipes included, the locked versions and the
backend); `make docs` takes that copy when its stamp is what is here now, and makes the matrix
again otherwise, so the page cannot go stale. tests/site checks the page.
`python tests/deploy_matrix.py` prints it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from notebook_runner import stamp

ROOT = Path(__file__).resolve().parent.parent
TESTED = ROOT / "build" / "deploy-matrix.md"  # the tests' matrix, for `make docs`
FILE_NAMES = {
    "savedmodel": "model",
    "onnx": "model.onnx",
    "litert": "model.tflite",
    "openvino": "model.xml",
}


def independently(path: Path, format: str, inputs: dict) -> list:
    """The file's outputs, computed by its runtime's own API, written here, not by kgraphs:
    the reference each verdict is checked against. A runtime that refuses the file raises."""
    import numpy as np

    if format == "savedmodel":
        import tensorflow as tf

        function = tf.saved_model.load(str(path)).signatures["serving_default"]
        results = function(**{name: tf.constant(value) for name, value in inputs.items()})
        return [results[f"output_{i}"].numpy() for i in range(len(results))]
    if format == "onnx":
        import onnxruntime

        return onnxruntime.InferenceSession(str(path)).run(None, inputs)
    if format == "litert":
        from ai_edge_litert.interpreter import Interpreter

        results = Interpreter(model_path=str(path)).get_signature_runner()(**inputs)
        return [results[f"output_{i}"] for i in range(len(results))]
    import openvino

    compiled = openvino.Core().compile_model(str(path), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    results = compiled(inputs)
    return [np.asarray(results[output]) for output in compiled.outputs]


def runtime_agrees(report, model) -> bool:
    """Whether the format's runtime, run here on fresh inputs, does what the report says: a
    verified file loads and gives Keras's outputs within the tolerance; a refused one that was
    written fails to load or run, or gives other outputs than Keras (a refused export wrote
    nothing to try)."""
    import keras
    import numpy as np

    import kgraphs

    if report.path is None:
        return not report.verified
    inputs, _ = kgraphs.example_data(model, batch_size=5, seed=11)
    feeds = (
        {tensor.name: inputs[tensor.name] for tensor in model.inputs}
        if isinstance(inputs, dict)
        else {model.inputs[0].name: inputs}
    )
    expected = [keras.ops.convert_to_numpy(value) for value in keras.tree.flatten(model(inputs))]
    try:
        given = independently(report.path, report.format, feeds)
    except Exception:
        return not report.verified
    matches = len(given) == len(expected) and all(
        np.shape(ours) == np.shape(theirs)
        and np.allclose(ours, theirs, rtol=0, atol=report.tolerance)
        for ours, theirs in zip(given, expected, strict=False)
    )
    return matches == report.verified


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
                if not runtime_agrees(report, model):
                    raise AssertionError(f"{name} in {format}: the runtime disagrees: {report}")
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
        "from Keras's outputs; a refused one, the reason, with the layers that cause it. Each "
        "verdict was checked again by loading the file in the runtime's own API, outside "
        "kgraphs, on other inputs: the build fails where the runtime disagrees.",
        "",
        "| recipe | " + " | ".join(formats) + " |",
        "| --- | " + " | ".join("---" for _ in formats) + " |",
    ]
    for name, row in table.items():
        lines.append(f"| `{name}` | " + " | ".join(_cell(row[f]) for f in formats) + " |")
    return "\n".join(lines) + "\n"


def _stamp_line() -> str:
    return f"<!-- made from: {json.dumps(stamp(Path(__file__)), sort_keys=True)} -->\n"


def keep_tested(text: str) -> Path:
    """`text`, the matrix the tests made, in build/deploy-matrix.md with its stamp."""
    from kgraphs.util.atomic import write_text

    TESTED.parent.mkdir(parents=True, exist_ok=True)
    return write_text(TESTED, _stamp_line() + text)


def tested_copy() -> str | None:
    """The matrix the tests made from what is here now, or None (none made, or made from
    other sources or on another backend)."""
    if not TESTED.is_file():
        return None
    line, _, text = TESTED.read_text().partition("\n")
    return text if line + "\n" == _stamp_line() else None


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    sys.stdout.write(markdown(cells(shipped_recipes())))
