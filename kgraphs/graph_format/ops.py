"""The `keras.ops` functions a graph recipe may call on tensors: an allow-list, as data.

Real models apply ops to tensors between layers: `x + inputs` (a residual add), `outputs *
upper_bound`, `ops.expand_dims(x, 1)`, the slicing and the mean subtraction that
`keras.applications.*.preprocess_input` records. A graph node can call one of these functions by
name:

    - {name: scaled, op: multiply, inputs: {x1: actions}, args: {x2: 2.0}}
    - {name: bgr, op: get_item, inputs: image, args: {key: "[..., ::-1]"}}

`inputs` gives the tensor operands (a single name is the first operand), `args` everything
else as plain data: the op's options (`axis`) and constant operands (numbers, nested lists).
Only the functions below can be named, each with its signature snapshotted here so recipes are
checked without importing TensorFlow (`tests/test_graph_ops.py` compares it with Keras). A
recipe never names a Python callable, and nothing here evaluates text: `get_item` keys are
parsed by a regular expression into slices, integers, `...` and `None`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OpSignature:
    """A `keras.ops` function: its parameters in order, the ones that take tensors, the
    ones without a default."""

    parameters: tuple[str, ...]
    operands: tuple[str, ...]
    required: tuple[str, ...]


def _op(parameters: str, operands: str, required: str | None = None) -> OpSignature:
    split = lambda text: tuple(text.split()) if text else ()  # noqa: E731
    return OpSignature(split(parameters), split(operands), split(required or operands))


_BINARY = _op("x1 x2", "x1 x2")
_UNARY = _op("x", "x")
_REDUCTION = _op("x axis keepdims", "x")

OPS: dict[str, OpSignature] = {
    **dict.fromkeys(
        [
            "add",
            "subtract",
            "multiply",
            "divide",
            "true_divide",
            "power",
            "maximum",
            "minimum",
            "matmul",
            "equal",
            "not_equal",
            "greater",
            "greater_equal",
            "less",
            "less_equal",
            "logical_and",
            "logical_or",
            "floor_divide",
            "mod",
        ],
        _BINARY,
    ),
    **dict.fromkeys(
        [
            "negative",
            "abs",
            "absolute",  # what Keras records ops.abs (and Python's abs) as
            "square",
            "sqrt",
            "exp",
            "log",
            "log1p",
            "reciprocal",
            "floor",
            "sign",
            "logical_not",
            "relu",
            "relu6",
            "sigmoid",
            "tanh",
            "silu",
            "selu",
            "softplus",
            "hard_sigmoid",
        ],
        _UNARY,
    ),
    **dict.fromkeys(["mean", "sum", "std", "var", "argmax", "argmin"], _REDUCTION),
    "max": _op("x axis keepdims initial", "x"),
    "min": _op("x axis keepdims initial", "x"),
    "clip": _op("x x_min x_max", "x", "x x_min x_max"),
    "where": _op("condition x1 x2", "condition x1 x2", "condition"),
    "expand_dims": _op("x axis", "x", "x axis"),
    "squeeze": _op("x axis", "x"),
    "reshape": _op("x newshape", "x", "x newshape"),
    "transpose": _op("x axes", "x"),
    "swapaxes": _op("x axis1 axis2", "x", "x axis1 axis2"),
    "flip": _op("x axis", "x"),
    "tile": _op("x repeats", "x", "x repeats"),
    "repeat": _op("x repeats axis", "x", "x repeats"),
    "pad": _op("x pad_width mode constant_values", "x constant_values", "x pad_width"),
    "broadcast_to": _op("x shape", "x", "x shape"),
    "split": _op("x indices_or_sections axis", "x", "x indices_or_sections"),  # several outputs
    "top_k": _op("x k sorted", "x", "x k"),  # several outputs: values, indices
    "sort": _op("x axis", "x"),
    "normalize": _op("x axis order epsilon", "x"),
    "image.resize": _op(
        "images size interpolation antialias crop_to_aspect_ratio pad_to_aspect_ratio "
        "fill_mode fill_value data_format",
        "images",
        "images size",
    ),
    "concatenate": _op("xs axis", "xs"),
    "stack": _op("x axis", "x"),
    "get_item": _op("x key", "x", "x key"),
    "cast": _op("x dtype", "x", "x dtype"),
    "one_hot": _op("x num_classes axis dtype sparse", "x", "x num_classes"),
    "cumsum": _op("x axis dtype", "x"),
    "softmax": _op("x axis", "x"),
    "log_softmax": _op("x axis", "x"),
    "gelu": _op("x approximate", "x"),
    "elu": _op("x alpha", "x"),
    "leaky_relu": _op("x negative_slope", "x"),
    "zeros_like": _op("x dtype", "x"),
    "ones_like": _op("x dtype", "x"),
    "depth_to_space": _op("x block_size data_format", "x", "x block_size"),
    "space_to_depth": _op("x block_size data_format", "x", "x block_size"),
    "image.extract_patches": _op(
        "images size strides dilation_rate padding data_format", "images", "images size"
    ),
}

# Constants larger than this belong in a layer's weights, not in a recipe.
MAX_CONSTANT_VALUES = 10_000


def constant_size(value: Any) -> int:
    """How many numbers a constant operand holds: `[[1, 2], [3, 4]]` -> 4."""
    if isinstance(value, list):
        return sum(constant_size(item) for item in value)
    return 1


def op_name(class_name: str, module: str = "") -> str:
    """The `keras.ops` function behind an operation class: `ExpandDims` -> `expand_dims`, and
    `Resize` of `keras.src.ops.image` -> `image.resize`."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", class_name).lower()
    return f"image.{name}" if module == "keras.src.ops.image" else name


def op_function(name: str) -> Any:
    """The `keras.ops` function an allowed op name stands for (imports Keras)."""
    import keras

    function: Any = keras.ops
    for part in name.split("."):
        function = getattr(function, part)
    return function


# ------------------------------------------------------------------ get_item keys as text

_INDEX = r"-?\d+"
_PART = re.compile(rf"^(?:\.\.\.|None|{_INDEX}|(?:{_INDEX})?:(?:{_INDEX})?(?::(?:{_INDEX})?)?)$")


def format_key(key: Any) -> str:
    """A `x[...]` key as the text between the brackets: `(Ellipsis, slice(None, None, -1))`
    -> `"[..., ::-1]"`.

    Example:
        >>> format_key((slice(None), slice(1, 3), Ellipsis, 0, None))
        '[:, 1:3, ..., 0, None]'
    """
    # A .keras file gives back a tuple key as a list.
    parts = tuple(key) if isinstance(key, (tuple, list)) else (key,)
    return "[" + ", ".join(_format_part(part) for part in parts) + "]"


def _format_part(part: Any) -> str:
    if part is Ellipsis:
        return "..."
    if part is None:
        return "None"
    if isinstance(part, slice):
        start, stop, step = (
            "" if value is None else str(int(value)) for value in (part.start, part.stop, part.step)
        )
        return f"{start}:{stop}" + (f":{step}" if step else "")
    if isinstance(part, int) and not isinstance(part, bool):
        return str(part)
    raise ValueError(f"cannot write a {type(part).__name__} index")


def parse_key(text: str) -> tuple:
    """`"[..., ::-1]"` -> `(Ellipsis, slice(None, None, -1))`; `ValueError` if malformed.

    Example:
        >>> parse_key("[:, 1:3, ..., 0, None]")
        (slice(None, None, None), slice(1, 3, None), Ellipsis, 0, None)
    """
    if not (isinstance(text, str) and text.startswith("[") and text.endswith("]")):
        raise ValueError("expected an index in brackets such as '[..., ::-1]' or '[:, 0]'")
    parts = [part.strip() for part in text[1:-1].split(",")]
    if not parts or any(not _PART.match(part) for part in parts):
        raise ValueError(
            "expected integers, slices (start:stop:step), '...' or None separated by commas"
        )
    return tuple(_parse_part(part) for part in parts)


def _parse_part(part: str) -> Any:
    if part == "...":
        return Ellipsis
    if part == "None":
        return None
    if ":" not in part:
        return int(part)
    numbers = [int(value) if value else None for value in part.split(":")]
    return slice(*numbers)
