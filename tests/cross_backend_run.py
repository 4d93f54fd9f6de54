"""Save recipes' trained models on one Keras backend, or load them on another and compare.

Run by tests/test_cross_backend.py, one process a backend (Keras picks its backend once):

    KERAS_BACKEND=tensorflow python tests/cross_backend_run.py save FOLDER RECIPE...
    KERAS_BACKEND=jax python tests/cross_backend_run.py load FOLDER

`save` builds each recipe, trains it one step (so the optimizer has state and normalization
layers have moved), and writes `NAME.keras` beside `NAME.npz` (the inputs, the outputs this
backend computes, and the optimizer's variables). `load` reads them with
`keras.saving.load_model` only (no kgraphs), predicts the same inputs, and prints JSON: per
model, the largest difference from the saved outputs and from the saved optimizer state (its
step count, moments), and the largest output. Training on from the loaded state is left out
on purpose: compiling a train step costs JAX seconds a model, and the state it would start
from is what is compared.
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np


def outputs_of(model, inputs):
    predicted = model.predict(inputs, verbose=0)
    if isinstance(predicted, dict):
        return [np.asarray(predicted[name]) for name in model.output_names]
    if isinstance(predicted, (list, tuple)):
        return [np.asarray(value) for value in predicted]
    return [np.asarray(predicted)]


def optimizer_state(model) -> list[np.ndarray]:
    """The optimizer's variables (step count, moments), empty for an uncompiled model."""
    if model.optimizer is None:
        return []
    return [np.asarray(keras.ops.convert_to_numpy(v)) for v in model.optimizer.variables]


def arrays_named(arrays, kind: str) -> dict:
    """The `kind:KEY` arrays of an .npz, by KEY, in the order they were written."""
    prefix = f"{kind}:"
    return {key[len(prefix) :]: arrays[key] for key in arrays.files if key.startswith(prefix)}


def largest_difference(got: list, want: list) -> float:
    return max(
        float(np.max(np.abs(np.asarray(a, "float64") - np.asarray(b, "float64"))))
        for a, b in zip(got, want, strict=True)
    )


def save(folder: Path, recipes: list[str]) -> dict:
    import kgraphs

    saved = {}
    for recipe in recipes:
        name = str(Path(recipe).with_suffix("")).replace("/", "__")
        keras.utils.set_random_seed(0)
        model = kgraphs.build(recipe)
        inputs, targets = kgraphs.example_data(model, batch_size=4, seed=0)
        if model.compiled:
            model.fit(inputs, targets, epochs=1, verbose=0)
        outputs = outputs_of(model, inputs)
        model.save(folder / f"{name}.keras")
        np.savez(
            folder / f"{name}.npz",
            **{f"input:{key}": value for key, value in inputs.items()},
            **{f"output:{index}": value for index, value in enumerate(outputs)},
            **{f"optimizer:{index}": value for index, value in enumerate(optimizer_state(model))},
        )
        saved[name] = {"compiled": bool(model.compiled)}
    return saved


def load(folder: Path) -> dict:
    report = {}
    for path in sorted(folder.glob("*.keras")):
        arrays = np.load(path.with_suffix(".npz"))
        saved = {kind: arrays_named(arrays, kind) for kind in ("input", "output", "optimizer")}
        model = keras.saving.load_model(path)
        outputs = outputs_of(model, saved["input"])
        entry = {
            "max_difference": largest_difference(outputs, list(saved["output"].values())),
            "max_output": max(float(np.max(np.abs(want))) for want in saved["output"].values()),
            "optimizer_variables": len(saved["optimizer"]),
        }
        if saved["optimizer"]:
            entry["optimizer_max_difference"] = largest_difference(
                optimizer_state(model), list(saved["optimizer"].values())
            )
            entry["optimizer_steps"] = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        report[path.stem] = entry
    return report


if __name__ == "__main__":
    command, folder, *recipes = sys.argv[1:]
    result = save(Path(folder), recipes) if command == "save" else load(Path(folder))
    json.dump({"backend": keras.backend.backend(), "models": result}, sys.stdout)
