"""`deploy()`: a model written by Keras's own exporter, then loaded in the format's own runtime,
fed example data by name and compared with Keras, before anyone ships it.

A file that passes is renamed onto the path (atomically: the export goes to a temporary name
beside it). A file that fails its check is kept beside the path as `PATH.unverified` (with
`.bin` for OpenVINO), for inspection, and the path is left as it was. Ops a runtime cannot run
(LiteRT's Flex ops, OpenVINO's unconverted ones) are reported with the layers that make them,
and with the recipe change that avoids them where one is known.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgraphs.deploying.formats import Format, format_of
from kgraphs.deploying.runtimes import RUNTIMES, RuntimeRefusal, Tensor
from kgraphs.introspection.layer_graph import format_shape
from kgraphs.util.environment import environment_variable
from kgraphs.util.errors import ConfigError

# Ops of a TensorFlow while loop over a TensorList: what a recurrent layer becomes when it is
# not unrolled; LiteRT runs them only as Flex ops, OpenVINO does not convert them.
LOOP_OPS = re.compile(r"TensorList|While|Enter|Exit|NextIteration|LoopCond")


@dataclass(frozen=True)
class DeployReport:
    """What was written and how it compares with Keras.

    Attributes:
        format: the format's name (`onnx`).
        path: where the verified file is, or the `.unverified` one kept beside it (None when
            nothing could be written).
        runtime: what loaded the file.
        verified: the file loads, runs on every input by name and gives Keras's outputs within
            the tolerance.
        inputs, outputs: the file's own, with names, shapes (None: dynamic) and dtypes.
        largest_difference: the largest absolute difference from Keras's outputs.
        tolerance: the largest allowed.
        problems: why it is not verified, each naming the op or layer.
        suggestions: recipe changes that would make the format work.

    Example:
        >>> import kgraphs, tempfile, pathlib
        >>> report = kgraphs.deploy("residual_cnn", pathlib.Path(tempfile.mkdtemp()) / "m.onnx")
        >>> report.verified, report.runtime, report.largest_difference < report.tolerance
        (True, 'onnxruntime', True)
    """

    format: str
    path: Path | None
    runtime: str
    verified: bool
    inputs: list[Tensor] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)
    largest_difference: float | None = None
    tolerance: float = 0.0
    problems: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = (
            f"{self.format}: verified in {self.runtime}"
            if self.verified
            else f"{self.format}: NOT verified in {self.runtime}"
        )
        if self.largest_difference is not None:
            head += (
                f", largest difference {self.largest_difference:.1e} "
                f"(tolerance {self.tolerance:.0e})"
            )
        lines = [head + (f"; {self.path}" if self.path else "")]
        for label, tensors in (("inputs", self.inputs), ("outputs", self.outputs)):
            if tensors:
                lines.append(
                    f"  {label}: "
                    + ", ".join(f"{t.name} {t.dtype} {format_shape(t.shape)}" for t in tensors)
                )
        lines += [f"  problem: {problem}" for problem in self.problems]
        lines += [f"  try: {suggestion}" for suggestion in self.suggestions]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.text()


def deploy(
    model_or_recipe: object,
    path: str | os.PathLike,
    *,
    format: str | None = None,
    tolerance: float | None = None,
    batch_size: int = 3,
    **overrides: Any,
) -> DeployReport:
    """Export a model with Keras's own exporter, load the file in its format's runtime, feed it
    example data by name and compare every output with Keras's.

    Args:
        model_or_recipe: a `keras.Model`, or a recipe (built with its weights as initialized:
            the check is of the conversion, not of training).
        path: where the file goes: a folder for `savedmodel`, `.onnx`, `.tflite` (LiteRT) or
            `.xml` (OpenVINO, with its `.bin` beside it).
        format: `savedmodel`, `onnx`, `litert` or `openvino`; by default the path's suffix says.
        tolerance: the largest absolute difference allowed; 1e-5 for SavedModel, 1e-4 for the
            others by default.
        batch_size: the example batch; more than 1, so a batch dimension fixed at 1 is found.
        **overrides: fields of the recipe's config.

    Returns:
        The `DeployReport`; `verified` says whether the file passed. A file that fails is kept
        as `PATH.unverified`, and `path` is not written.

    Raises:
        ConfigError: a path that does not fit the format, an unknown format or a bad recipe,
            all before anything is built.

    Example:
        >>> import kgraphs, tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> path = folder / "model.onnx"
        >>> report = kgraphs.deploy("image_multitask", path, input_shape=[32, 32, 3])
        >>> report.verified, [t.shape for t in report.inputs]
        (True, [(None, 32, 32, 3)])
    """
    import keras

    from kgraphs.building.from_recipe import build
    from kgraphs.building.structure_only import is_structure_only
    from kgraphs.recipe.loading import load_recipe
    from kgraphs.training.data import example_data

    target = Path(path)
    chosen = format_of(target, format)
    if tolerance is not None and not tolerance > 0:
        raise ConfigError(
            [("tolerance", f"expected a number above 0; given {tolerance!r}")], source="deploy"
        )
    if isinstance(model_or_recipe, keras.Model):
        if overrides:
            raise ConfigError(
                [("overrides", "change recipes only; given a model")], source="deploy"
            )
        model = model_or_recipe
    else:
        model = build(load_recipe(model_or_recipe, **overrides), compile=False)
    if is_structure_only(model):
        raise ConfigError(
            [("model", "a structure-only model has no weights to deploy")], source="deploy"
        )
    allowed = chosen.tolerance if tolerance is None else tolerance
    inputs, _ = example_data(model, batch_size=batch_size)
    if isinstance(inputs, dict) and all(tensor.name in inputs for tensor in model.inputs):
        feeds = {tensor.name: inputs[tensor.name] for tensor in model.inputs}
    else:  # both in the model's own input structure, so flattened alike
        feeds = {
            tensor.name: value
            for tensor, value in zip(
                keras.tree.flatten(model.input), keras.tree.flatten(inputs), strict=True
            )
        }
    # Called once, eagerly: Keras's ONNX export on JAX needs a model that has been called.
    expected = [keras.ops.convert_to_numpy(value) for value in keras.tree.flatten(model(inputs))]
    report = {"format": chosen.name, "runtime": chosen.runtime, "tolerance": allowed}
    written = _temporary(target, chosen)
    try:
        with warnings.catch_warnings(), _quiet_logger("tensorflow"), _no_telemetry():
            # Keras's tf2onnx shim asks numpy for `np.object`, and TensorFlow logs each
            # SavedModel it writes on the way ("Assets written to"): neither is the user's.
            warnings.filterwarnings("ignore", category=FutureWarning, module="keras.src.export")
            model.export(str(written), format=chosen.keras_format, verbose=False)
    except Exception as error:  # a conversion the exporter refuses: nothing was written
        _remove(written, chosen)
        return DeployReport(
            path=None, verified=False, **report, **_explained(model, _first_lines(error))
        )
    try:
        run = RUNTIMES[chosen.name](written, feeds)
    except Exception as error:  # the runtime refuses the file: it fails its check
        kept = _keep_beside(written, target, chosen)
        message = str(error) if isinstance(error, RuntimeRefusal) else _first_lines(error)
        return DeployReport(path=kept, verified=False, **report, **_explained(model, message))
    problems, largest = _compared(model, run, expected, allowed)
    verified = not problems
    final = _move(written, target, chosen) if verified else _keep_beside(written, target, chosen)
    return DeployReport(
        path=final,
        verified=verified,
        inputs=run.inputs,
        outputs=run.outputs,
        largest_difference=largest,
        problems=problems,
        **report,
    )


@contextlib.contextmanager
def _no_telemetry() -> Iterator[None]:
    """OpenVINO's converter reports each conversion to Google Analytics unless the user has run
    its `opt_in_out --opt_out`, from a process it forks off the caller (two seconds of CPU for
    a process the size of TensorFlow's). A check sends nothing anywhere: while it converts, the
    environment says CI, where the converter reports nothing (openvino_telemetry's
    `disable_in_ci`, which OpenVINO's converter sets)."""
    with environment_variable("CI", "true"):
        yield


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """`name`'s Python logger shows only errors while the block runs."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _compared(
    model: Any, run: Any, expected: list, tolerance: float
) -> tuple[list[str], float | None]:
    """What differs between the runtime's outputs and Keras's (and batch sizes fixed at 1),
    and the largest difference among the outputs of Keras's shapes."""
    from kgraphs.introspection.layer_graph import output_labels

    differences: list[float] = []
    problems = [
        f"input {tensor.name} has its batch dimension fixed at 1"
        for tensor in run.inputs
        if tensor.shape[:1] == (1,)
    ]
    if len(run.values) != len(expected):
        problems.append(f"{len(run.values)} outputs; Keras gives {len(expected)}")
    for tensor, given, want, name in zip(
        run.outputs, run.values, expected, output_labels(model), strict=False
    ):
        if given.shape != want.shape:
            problems.append(f"output {name}: shape {given.shape}; Keras gives {want.shape}")
            continue
        difference = float(abs(given.astype("float64") - want.astype("float64")).max())
        differences.append(difference)
        if len(run.values) == len(expected) and not difference <= tolerance:
            problems.append(
                f"output {name} ({tensor.name}) differs from Keras's by {difference:.1e}, over "
                f"the tolerance of {tolerance:.0e}"
            )
    return problems, max(differences, default=None)


def _explained(model: Any, message: str) -> dict[str, list[str]]:
    """The runtime's or exporter's refusal, with the layers that make the ops it names and a
    recipe change that avoids them, where one is known."""
    ops = sorted(
        set(re.findall(r"\((Flex\w+)\)", message))
        | {
            op.strip()
            for found in re.findall(r"No conversion rule found for operations: ([^\n]+)", message)
            for op in found.split(",")
        }
    )
    problems = [
        message.splitlines()[0][:300] if not ops else f"ops it cannot run: {', '.join(ops)}"
    ]
    suggestions = []
    if any(LOOP_OPS.search(op) for op in ops) or "TensorList" in message:
        recurrent = _recurrent_layers(model)
        if recurrent:
            names = ", ".join(f"{layer.name} ({type(layer).__name__})" for layer in recurrent)
            problems.append(f"made by the recurrent layers' loops: {names}")
            suggestions.append(
                "unroll=True on those layers, with a fixed sequence length (the recipe's "
                "sequence_length, or the input's shape), so no loop is exported"
            )
    return {"problems": problems, "suggestions": suggestions}


def _recurrent_layers(model: Any) -> list[Any]:
    from keras import layers

    return [
        layer
        for layer in model._flatten_layers(include_self=False)
        if isinstance(layer, (layers.RNN, layers.Bidirectional))
    ]


def _first_lines(error: Exception) -> str:
    return f"{type(error).__name__}: {str(error).strip()}"[:2000]


def _temporary(target: Path, chosen: Format) -> Path:
    """A name beside `target` for the export, ending as the format needs (OpenVINO: .xml)."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp{chosen.suffix}")


def _companions(path: Path, chosen: Format) -> list[Path]:
    """The files an export at `path` is made of: OpenVINO's .xml has its .bin beside it."""
    return [path, path.with_suffix(".bin")] if chosen.name == "openvino" else [path]


def _remove(path: Path, chosen: Format) -> None:
    for part in _companions(path, chosen):
        if part.is_dir():
            shutil.rmtree(part)
        elif part.exists():
            part.unlink()


def _move(written: Path, target: Path, chosen: Format) -> Path:
    """Rename the export (and its .bin) onto `target`, replacing what was there."""
    for source, destination in zip(
        _companions(written, chosen), _companions(target, chosen), strict=True
    ):
        if destination.is_dir():
            shutil.rmtree(destination)
        os.replace(source, destination)
    return target


def _keep_beside(written: Path, target: Path, chosen: Format) -> Path:
    kept = target.with_name(target.name + ".unverified")
    if chosen.name == "openvino":
        kept = target.with_name(target.stem + ".unverified.xml")
    return _move(written, kept, chosen)
