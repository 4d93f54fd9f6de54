"""Training wherever Keras trains: MirroredStrategy over two CPUs, two loopback workers."""

import json
import socket
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, clean_environment

pytestmark = [
    pytest.mark.slow,
    pytest.mark.tensorflow_only(reason="tf.distribute's strategies"),
]

MIRRORED = """
import os, sys, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np, kgraphs

def losses(strategy):
    keras.utils.set_random_seed(0)
    model = kgraphs.build("recipes/image_multitask.yaml", strategy=strategy,
                          input_shape=[24, 24, 3], conv_filters=[4, 8])
    keras.utils.set_random_seed(1)
    inputs, targets = kgraphs.example_data(model, batch_size=32, seed=3)
    history = model.fit(inputs, targets, batch_size=16, epochs=3, shuffle=False, verbose=0)
    return model, history.history["loss"]

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
mirrored_model, mirrored = losses(strategy)
_, single = losses(None)
try:  # a plain batch under two replicas
    kgraphs.distributed_train_step(mirrored_model)(kgraphs.example_data(mirrored_model))
    refusal = None
except TypeError as error:
    refusal = str(error)
print(json.dumps({
    "refusal": refusal,
    "replicas": strategy.num_replicas_in_sync,
    "mirrored_variables": all(isinstance(w.value, tf.distribute.DistributedValues)
                              for w in mirrored_model.weights),
    "mirrored": mirrored, "single": single,
}))
"""


@pytest.fixture(scope="module")
def mirrored_report():
    result = subprocess.run(
        [sys.executable, "-c", MIRRORED],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean_environment(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_step_refuses_a_batch_that_is_not_distributed(mirrored_report):
    assert mirrored_report["refusal"] == (
        "2 replicas need a distributed batch: iterate over "
        "strategy.experimental_distribute_dataset(dataset)"
    )


def test_mirrored_strategy_matches_a_single_device(mirrored_report):
    report = mirrored_report
    assert report["replicas"] == 2
    assert report["mirrored_variables"]
    np.testing.assert_allclose(report["mirrored"], report["single"], rtol=1e-4)
    assert report["mirrored"][-1] < report["mirrored"][0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Three inputs (token ids among them, read by an LSTM: a while loop on every replica), two
# outputs with their own losses and loss weights 1.0 and 0.2, rmsprop and a metric: the
# multi-output case a hand-written step gets wrong.
MULTI_OUTPUT = """
version: 1
architecture: graph
config:
  inputs:
    - {name: tokens, shape: [6], dtype: int32}
    - {name: features, shape: [5]}
    - {name: extra, shape: [3]}
  nodes:
    - {name: embed, layer: Embedding, args: {input_dim: 40, output_dim: 4}, inputs: tokens}
    - {name: pooled, layer: LSTM, args: {units: 4}, inputs: embed}
    - {name: merged, layer: Concatenate, inputs: [pooled, features, extra]}
    - {name: hidden, layer: Dense, args: {units: 8, activation: relu}, inputs: merged}
    - {name: score, layer: Dense, args: {units: 1, activation: sigmoid}, inputs: hidden}
    - {name: amount, layer: Dense, args: {units: 2}, inputs: hidden}
  outputs: [score, amount]
compile:
  optimizer: rmsprop
  loss: {score: binary_crossentropy, amount: mse}
  loss_weights: {score: 1.0, amount: 0.2}
  metrics: {score: [accuracy]}
"""

# The reference: one device, Keras's own train_on_batch on the same global batches.
SINGLE_DEVICE = """
import json, sys
import keras, numpy as np, kgraphs
recipe, steps, batch, seed, overrides, weights_out = sys.argv[1:]
keras.utils.set_random_seed(int(seed))
model = kgraphs.build(recipe, **json.loads(overrides))
inputs, targets = kgraphs.example_data(model, batch_size=int(batch) * int(steps), seed=int(seed))
for step in range(int(steps)):
    rows = slice(step * int(batch), (step + 1) * int(batch))
    logs = model.train_on_batch(
        keras.tree.map_structure(lambda a: a[rows], inputs),
        keras.tree.map_structure(lambda a: a[rows], targets),
        return_dict=True,
    )
    print(f"step {step + 1} " + " ".join(f"{k} {v:.9g}" for k, v in logs.items()))
np.savez(weights_out, *[np.asarray(w) for w in model.get_weights()])
"""


def parse_logs(stdout: str) -> list[dict[str, float]]:
    """`step 1 loss 0.15 score_loss 0.1 ...` lines -> one dict of logs per step."""
    steps = []
    for line in stdout.splitlines():
        if line.startswith("step "):
            words = line.split()[2:]
            steps.append({k: float(v) for k, v in zip(words[::2], words[1::2], strict=True)})
    return steps


def start_workers(count, recipe, options, folder, tag):
    workers = [f"127.0.0.1:{free_port()}" for _ in range(count)]
    processes = []
    for index in range(count):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        command = [sys.executable, "examples/train_multi_worker.py", recipe, *options]
        command += ["--weights-out", str(folder / f"{tag}{index}.npz")]
        processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=clean_environment(TF_CONFIG=json.dumps(config)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    return processes


def finish(processes) -> list[str]:
    outputs = []
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=240)
            assert process.returncode == 0, stderr[-3000:]
            outputs.append(stdout)
    finally:
        for process in processes:
            process.kill()
    return outputs


def weights(path):
    stored = np.load(path)
    return [stored[f"arr_{i}"] for i in range(len(stored.files))]


@pytest.mark.parametrize(
    ("recipe", "overrides"),
    [
        ("three_inputs_two_outputs.yaml", {}),
        (  # batch norm: statistics over the global batch, as on one device
            "residual_cnn_stages",
            {
                "input_shape": [8, 8, 3],
                "stem_filters": 4,
                "stages": [{"filters": 4, "blocks": 1}, {"filters": 8, "blocks": 1, "stride": 2}],
            },
        ),
    ],
)
def test_workers_train_exactly_as_one_device(tmp_path, recipe, overrides):
    if recipe.endswith(".yaml"):
        (tmp_path / recipe).write_text(MULTI_OUTPUT)
        recipe = str(tmp_path / recipe)
    steps, batch, seed = 5, 8, 3
    options = ["--steps", str(steps), "--global-batch", str(batch), "--seed", str(seed)]
    options += [f"--set={key}={json.dumps(value)}" for key, value in overrides.items()]

    # The two workers and the single-device reference side by side.
    workers = start_workers(2, recipe, options, tmp_path, "two")
    arguments = [recipe, str(steps), str(batch), str(seed), json.dumps(overrides)]
    reference = subprocess.Popen(
        [sys.executable, "-c", SINGLE_DEVICE, *arguments, str(tmp_path / "reference.npz")],
        cwd=ROOT,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    *two_workers, single = finish([*workers, reference])
    expected = parse_logs(single)

    assert len(expected) == steps and "loss" in expected[0]
    runs = {"worker 0 of 2": two_workers[0], "worker 1 of 2": two_workers[1]}
    for name, stdout in runs.items():
        logs = parse_logs(stdout)
        assert [sorted(step) for step in logs] == [sorted(step) for step in expected], name
        for step, (got, want) in enumerate(zip(logs, expected, strict=True), start=1):
            for key in want:
                assert got[key] == pytest.approx(want[key], rel=1e-4), (name, step, key)

    first, second = weights(tmp_path / "two0.npz"), weights(tmp_path / "two1.npz")
    for a, b, single in zip(first, second, weights(tmp_path / "reference.npz"), strict=True):
        np.testing.assert_array_equal(a, b)  # the workers stay in lockstep
        np.testing.assert_allclose(a, single, rtol=1e-4, atol=1e-6)
