"""Training wherever Keras trains: MirroredStrategy over two CPUs, two loopback workers."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

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
print(json.dumps({
    "replicas": strategy.num_replicas_in_sync,
    "mirrored_variables": all(isinstance(w.value, tf.distribute.DistributedValues)
                              for w in mirrored_model.weights),
    "mirrored": mirrored, "single": single,
}))
"""


def test_mirrored_strategy_matches_a_single_device():
    result = subprocess.run(
        [sys.executable, "-c", MIRRORED], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert report["mirrored_variables"]
    np.testing.assert_allclose(report["mirrored"], report["single"], rtol=1e-4)
    assert report["mirrored"][-1] < report["mirrored"][0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_two_workers_on_loopback_end_with_identical_weights(tmp_path):
    workers = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    processes = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        environment = dict(os.environ, TF_CONFIG=json.dumps(config))
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "examples/train_multi_worker.py",
                    "recipes/image_multitask.yaml",
                    "--steps",
                    "6",
                    "--global-batch",
                    "8",
                    "--set",
                    "input_shape=[24, 24, 3]",
                    "--set",
                    "conv_filters=[4, 8]",
                    "--weights-out",
                    str(tmp_path / f"w{index}.npz"),
                ],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = []
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=240)
            outputs.append(stdout)
            assert process.returncode == 0, stderr[-3000:]
    finally:
        for process in processes:
            process.kill()
    losses = [
        [float(line.split()[-1]) for line in out.splitlines() if line.startswith("step")]
        for out in outputs
    ]
    assert len(losses[0]) == len(losses[1]) == 6
    assert losses[0] == losses[1]  # the reduced global loss, the same on both workers
    first, second = np.load(tmp_path / "w0.npz"), np.load(tmp_path / "w1.npz")
    assert len(first.files) == len(second.files) > 0
    for name in first.files:
        np.testing.assert_array_equal(first[name], second[name])
