"""Each format's own runtime: load the file, feed it inputs by name, return its outputs in
order, and what the file says of its inputs and outputs (names, shapes, dtypes; None for a
dimension left dynamic)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kgraphs.util.stderr import silenced_stderr

# A check runs a handful of examples once: one thread a runtime (ONNX Runtime, LiteRT,
# OpenVINO) is enough, and leaves the other cores to whatever else the machine runs.
ONE_THREAD = 1

Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class Tensor:
    name: str
    shape: Shape
    dtype: str


@dataclass(frozen=True)
class Run:
    """What a runtime read from the file and computed from the inputs."""

    inputs: list[Tensor]
    outputs: list[Tensor]
    values: list[np.ndarray]  # the outputs, in the file's order


class RuntimeRefusal(Exception):
    """The runtime cannot load or run the file: the reason, as the runtime gives it."""


def run_savedmodel(path: Path, inputs: Mapping[str, np.ndarray]) -> Run:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    signature = loaded.signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    results = signature(**{name: tf.constant(value) for name, value in inputs.items()})
    names = sorted(results, key=_output_order)
    return Run(
        inputs=[  # the signature keeps them in no particular order: by name
            Tensor(name, _shape(spec.shape), spec.dtype.name)
            for name, spec in sorted(specs.items())
        ],
        outputs=[
            Tensor(name, _shape(signature.structured_outputs[name].shape), results[name].dtype.name)
            for name in names
        ],
        values=[results[name].numpy() for name in names],
    )


def run_onnx(path: Path, inputs: Mapping[str, np.ndarray]) -> Run:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = ONE_THREAD
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    feeds = session.get_inputs()
    values = session.run(None, {item.name: inputs[item.name] for item in feeds})
    return Run(
        inputs=[Tensor(i.name, _shape(i.shape), _onnx_type(i.type)) for i in feeds],
        outputs=[
            Tensor(o.name, _shape(o.shape), _onnx_type(o.type)) for o in session.get_outputs()
        ],
        values=list(values),
    )


def run_litert(path: Path, inputs: Mapping[str, np.ndarray]) -> Run:
    from ai_edge_litert.interpreter import Interpreter

    try:  # Flex ops refuse at the first of these: the standalone interpreter has none
        # LiteRT's C++ writes to descriptor 2 (its delegate's notice, the Flex ops' error,
        # which the exception carries too).
        with silenced_stderr():
            interpreter = Interpreter(model_path=str(path), num_threads=ONE_THREAD)
            runner = interpreter.get_signature_runner()
            details = runner.get_input_details()
            results = runner(**{name: inputs[name] for name in details})
    except (RuntimeError, ValueError) as error:
        raise RuntimeRefusal(str(error).strip()) from None
    names = sorted(results, key=_output_order)
    outputs = runner.get_output_details()
    return Run(
        inputs=[
            Tensor(name, _shape(item["shape_signature"]), np.dtype(item["dtype"]).name)
            for name, item in details.items()
        ],
        outputs=[
            Tensor(name, _shape(outputs[name]["shape_signature"]), results[name].dtype.name)
            for name in names
        ],
        values=[results[name] for name in names],
    )


def run_openvino(path: Path, inputs: Mapping[str, np.ndarray]) -> Run:
    import openvino

    core = openvino.Core()
    # At float32: on CPUs with bfloat16 units OpenVINO would otherwise infer in bfloat16, which
    # checks the hardware's rounding rather than the conversion.
    compiled = core.compile_model(
        core.read_model(str(path)),
        "CPU",
        {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": ONE_THREAD},
    )
    results = compiled(
        {item.get_any_name(): inputs[item.get_any_name()] for item in compiled.inputs}
    )
    return Run(
        inputs=[
            Tensor(
                item.get_any_name(),
                _partial(item.get_partial_shape()),
                item.get_element_type().to_dtype().name,
            )
            for item in compiled.inputs
        ],
        outputs=[
            Tensor(
                item.get_any_name() if item.get_names() else f"output_{index}",
                _partial(item.get_partial_shape()),
                item.get_element_type().to_dtype().name,
            )
            for index, item in enumerate(compiled.outputs)
        ],
        values=[np.asarray(results[item]) for item in compiled.outputs],
    )


RUNTIMES: dict[str, Callable[[Path, Mapping[str, np.ndarray]], Run]] = {
    "savedmodel": run_savedmodel,
    "onnx": run_onnx,
    "litert": run_litert,
    "openvino": run_openvino,
}


def _output_order(name: str) -> tuple[int, str]:
    """`output_0`, `output_1`, ..., `output_10` in number order (Keras's export names them)."""
    head, _, number = name.rpartition("_")
    return (int(number), head) if number.isdigit() else (1 << 30, name)


def _shape(dimensions: Any) -> Shape:
    """A shape with None for every dynamic dimension (-1, a symbolic name, None)."""
    return tuple(
        int(size) if isinstance(size, (int, np.integer)) and size >= 0 else None
        for size in (list(dimensions) if dimensions is not None else [])
    )


def _partial(shape: Any) -> Shape:
    return tuple(None if size.is_dynamic else size.get_length() for size in shape)


def _onnx_type(text: str) -> str:
    """`tensor(float)` -> float32, as numpy names dtypes."""
    inner = text.removeprefix("tensor(").removesuffix(")")
    return {"float": "float32", "double": "float64"}.get(inner, inner)
