"""Train a recipe on one JAX device and with `keras.distribution.DataParallel`; print the logs.

Run by tests/test_keras_distribution.py in a process of its own, because JAX reads XLA_FLAGS
(`--xla_force_host_platform_device_count=2`: two CPU devices) once, when it starts:

    KERAS_BACKEND=jax XLA_FLAGS=--xla_force_host_platform_device_count=2 \\
        python tests/data_parallel_run.py RECIPE [--set FIELD=VALUE ...]

Both models start from the same weights and see the same global batches in the same order.
The printed JSON holds each model's per-step logs (as `fit` reports them to callbacks), the
final weights' largest relative difference, and where the distributed model's variables live.
"""

import argparse
import contextlib
import json
import sys

import jax
import keras
import numpy as np

import kgraphs

GLOBAL_BATCH = 8
STEPS = 4


class StepLogs(keras.callbacks.Callback):
    """Every batch's logs; `fit` gives running means over the epoch, so step N's own loss is
    `N * mean_N - (N - 1) * mean_(N-1)`, and equal running means mean equal step losses."""

    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append({name: float(value) for name, value in logs.items()})


def train(model, inputs, targets, scope):
    recorder = StepLogs()
    with scope:
        model.fit(
            inputs,
            targets,
            batch_size=GLOBAL_BATCH,
            epochs=1,
            shuffle=False,
            verbose=0,
            callbacks=[recorder],
        )
    return recorder.steps


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("recipe")
    parser.add_argument("--set", action="append", default=[], dest="overrides")
    arguments = parser.parse_args(argv)
    overrides = {}
    for item in arguments.overrides:
        field, _, value = item.partition("=")
        overrides[field] = json.loads(value)

    keras.utils.set_random_seed(0)
    single = kgraphs.build(arguments.recipe, **overrides)
    distribution = keras.distribution.DataParallel()
    # The same seed again: Dropout's seed generator state is not among the weights that
    # set_weights copies, and with the same state JAX draws the same masks however the batch
    # is split (its threefry generator is partitionable).
    keras.utils.set_random_seed(0)
    parallel = kgraphs.build(arguments.recipe, distribution=distribution, **overrides)
    parallel.set_weights(single.get_weights())
    inputs, targets = kgraphs.example_data(single, batch_size=GLOBAL_BATCH * STEPS, seed=0)

    single_steps = train(single, inputs, targets, scope=contextlib.nullcontext())
    parallel_steps = train(parallel, inputs, targets, scope=distribution.scope())
    weight_differences = [
        float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a))), 1e-12))
        for a, b in zip(single.get_weights(), parallel.get_weights(), strict=True)
    ]
    sharding = parallel.weights[0].value.sharding
    json.dump(
        {
            "devices": len(jax.devices()),
            "mesh_devices": int(sharding.mesh.devices.size),
            "single": single_steps,
            "parallel": parallel_steps,
            "weights_relative_difference": max(weight_differences),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
