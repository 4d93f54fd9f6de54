"""The deployment formats: what Keras's `model.export` calls each, the file it writes, the
runtime that loads it, and the largest difference from Keras's outputs it is allowed.

Example:
    >>> format_of("model.onnx", None).name
    'onnx'
    >>> format_of("model.bin", "openvino")
    Traceback (most recent call last):
    ...
    kgraphs.util.errors.ConfigError: deploy: 1 problem
      PATH: openvino writes a .xml file (its weights go beside it, in a .bin); given 'model.bin'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kgraphs.util.errors import ConfigError


@dataclass(frozen=True)
class Format:
    name: str  # as kgraphs names it: --format NAME
    keras_format: str  # as `model.export(format=...)` names it
    suffix: str  # the path's suffix; "" for a folder (a SavedModel)
    runtime: str  # what loads the file to check it
    tolerance: float  # the largest absolute difference from Keras's outputs, by default
    described: str  # what the path must be, for messages


FORMATS = {
    "savedmodel": Format(
        "savedmodel", "tf_saved_model", "", "TensorFlow (tf.saved_model.load)", 1e-5, "a folder"
    ),
    "onnx": Format("onnx", "onnx", ".onnx", "onnxruntime", 1e-4, "a .onnx file"),
    "litert": Format(
        "litert", "litert", ".tflite", "ai_edge_litert's interpreter", 1e-4, "a .tflite file"
    ),
    "openvino": Format(
        "openvino",
        "openvino",
        ".xml",
        "OpenVINO runtime (CPU)",
        1e-4,
        "a .xml file (its weights go beside it, in a .bin)",
    ),
}


def format_of(path: str | Path, name: str | None) -> Format:
    """The format named `name`, or the one `path`'s suffix says; a ConfigError (before anything
    is built) when neither is known or the path does not fit the format."""
    suffix = Path(path).suffix.lower()
    if name is None:
        found = [f for f in FORMATS.values() if f.suffix and f.suffix == suffix]
        if not found:
            raise ConfigError(
                [
                    (
                        "--format",
                        f"cannot tell the format from {str(path)!r}; name one of "
                        f"{list(FORMATS)} (savedmodel writes a folder)",
                    )
                ],
                source="deploy",
            )
        return found[0]
    if name not in FORMATS:
        raise ConfigError(
            [("--format", f"expected one of {list(FORMATS)}; given {name!r}")], source="deploy"
        )
    chosen = FORMATS[name]
    # A SavedModel is a folder, whatever its name, but not one named like another format's file.
    file_suffixes = {f.suffix for f in FORMATS.values() if f.suffix} | {".keras", ".h5"}
    if (chosen.suffix and suffix != chosen.suffix) or (
        not chosen.suffix and suffix in file_suffixes
    ):
        raise ConfigError(
            [("PATH", f"{chosen.name} writes {chosen.described}; given {str(path)!r}")],
            source="deploy",
        )
    return chosen
