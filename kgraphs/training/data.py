"""`example_data()`: small random batches that fit any built model, for smoke tests and demos."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import keras

# Variable-length axes (a `None` in an input shape) get this many steps.
SEQUENCE_LENGTH = 12
# Integer inputs that feed no Embedding get ids below this.
DEFAULT_ID_LIMIT = 2


def example_data(model: keras.Model, batch_size: int = 8, seed: int = 0) -> tuple[Any, Any]:
    """Random `(inputs, targets)` that `model.fit` accepts.

    Inputs are a dict keyed by input name (the bare array for a model of one input made bare,
    `keras.Model(x, y)`, at whose dict Keras warns): token ids below the vocabulary of the
    Embedding they feed, floats in [0, 1) elsewhere. Targets suit each output: one-hot rows for
    a softmax head (integer classes if it is compiled with a sparse loss), 0/1 for a sigmoid
    head, normal noise otherwise. They are a dict keyed by output name when the model has
    several outputs, and the bare array when it has one, because Keras 3 cannot match a dict of
    targets to a single-output model (keras-team/keras#21513). A model made with a mapping (or a
    nesting) of inputs or outputs gets its data in that structure, keyed as the model is.

    Example:
        >>> import kgraphs
        >>> model = kgraphs.build("ticket_priority")
        >>> inputs, targets = kgraphs.example_data(model, batch_size=4)
        >>> {name: array.shape for name, array in inputs.items()}, targets.shape
        ({'text': (4, 12), 'metadata': (4, 5)}, (4, 1))
        >>> int(inputs["text"].max()) < 10_000
        True
    """
    rng = np.random.default_rng(seed)
    inputs = {}
    for tensor in model.inputs:
        shape = _concrete(tensor.shape, batch_size)
        if np.issubdtype(np.dtype(tensor.dtype), np.integer):
            limit = _id_limit(tensor)
            inputs[tensor.name] = rng.integers(1 if limit > 1 else 0, limit, shape).astype(
                tensor.dtype
            )
        else:
            inputs[tensor.name] = rng.random(shape).astype(tensor.dtype)

    arrays = [
        _target(model, tensor, index, name, rng, batch_size)
        for index, (tensor, name) in enumerate(zip(model.outputs, model.output_names, strict=True))
    ]
    return _in_structure(model, "_inputs_struct", list(inputs.values()), inputs), _in_structure(
        model, "_outputs_struct", arrays, dict(zip(model.output_names, arrays, strict=True))
    )


def _in_structure(model: keras.Model, attribute: str, arrays: list, by_name: dict) -> Any:
    """Arrays in the structure `model` was made with, where Keras matches them by it: a
    mapping (by key) or a nesting; else the dict by name (one array for one output)."""
    import keras

    structure = getattr(model, attribute, None)  # a Sequential has no structure of its own
    nested = isinstance(structure, (list, tuple)) and any(
        isinstance(item, (list, tuple, dict)) for item in structure
    )
    if isinstance(structure, dict) or nested or len(by_name) < len(arrays):
        # By key, or in order where names repeat (one output listed twice).
        return keras.tree.pack_sequence_as(structure, arrays)
    if len(arrays) == 1 and (attribute == "_outputs_struct" or _is_tensor(structure)):
        # One output: the bare array (keras-team/keras#21513). One input made bare
        # (`keras.Model(x, y)`): Keras warns at a dict, so the bare array too.
        return arrays[0]
    return by_name


def _is_tensor(structure: Any) -> bool:
    return structure is not None and not isinstance(structure, (list, tuple, dict))


def _concrete(shape: tuple, batch_size: int) -> tuple[int, ...]:
    return (batch_size, *(SEQUENCE_LENGTH if dim is None else dim for dim in shape[1:]))


def _id_limit(input_tensor: keras.KerasTensor) -> int:
    """The smallest vocabulary among the Embedding layers this integer input feeds."""
    from keras import layers

    limits, seen = [], set()
    frontier = [input_tensor._keras_history.operation]
    while frontier:
        layer = frontier.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if isinstance(layer, layers.Embedding):
            limits.append(layer.input_dim)
            continue  # ids stop being ids after the embedding
        if isinstance(layer, layers.CategoryEncoding):
            limits.append(layer.num_tokens)
            continue
        frontier += [node.operation for node in layer._outbound_nodes]
    return min(limits) if limits else DEFAULT_ID_LIMIT


def _target(model, tensor, index: int, name: str, rng: np.random.Generator, batch_size: int):
    shape = _concrete(tensor.shape, batch_size)
    layer = tensor._keras_history.operation
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if activation == "softmax":
        classes = rng.integers(0, shape[-1], shape[:-1])
        if "sparse" in _loss_name(model, index, name):
            return classes[..., None].astype("int32")
        return np.eye(shape[-1], dtype="float32")[classes]
    if activation == "sigmoid":
        return rng.integers(0, 2, shape).astype("float32")
    return rng.normal(size=shape).astype("float32")


def _loss_name(model, index: int, name: str) -> str:
    loss = getattr(model, "loss", None)
    if isinstance(loss, dict):
        loss = loss.get(name)
    elif isinstance(loss, (list, tuple)):
        loss = loss[index] if index < len(loss) else None
    return loss if isinstance(loss, str) else getattr(loss, "name", "") or ""


def read_arrays(
    path: str, *, inputs: Sequence[str], outputs: Sequence[str]
) -> tuple[dict[str, np.ndarray], Any]:
    """`(inputs, targets)` from an `.npz` file whose arrays are named by input and output name.

    Targets come as `example_data` gives them: a dict for several outputs, the bare array for
    one. Arrays are read without pickle, so a data file cannot run code.
    """
    from kgraphs.util.errors import ConfigError, did_you_mean

    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        raise ConfigError([("--data", f"cannot read {path} as .npz arrays: {error}")]) from None
    wanted = [*inputs, *outputs]
    problems = [
        (
            f"--data {name}",
            f"no array for this {kind}; the file has {sorted(arrays)}{did_you_mean(name, arrays)}",
        )
        for names, kind in ((inputs, "input"), (outputs, "output"))
        for name in names
        if name not in arrays
    ]
    problems += [
        (
            f"--data {name}",
            f"not an input or output of the model; expected {wanted}{did_you_mean(name, wanted)}",
        )
        for name in arrays
        if name not in wanted
    ]
    lengths = {len(array) for array in arrays.values() if array.ndim}
    if len(lengths) > 1:
        problems.append(("--data", f"arrays of different lengths: {sorted(lengths)}"))
    if problems:
        raise ConfigError(problems, source=str(path))
    targets = {name: arrays[name] for name in outputs}
    return {name: arrays[name] for name in inputs}, (
        targets if len(outputs) > 1 else targets[outputs[0]]
    )
