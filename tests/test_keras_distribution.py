"""`build(..., distribution=...)`: Keras's multi-device API on JAX, against one device.

The reference is the same recipe trained by plain Keras on one device from the same weights on
the same global batches; DataParallel over two host CPU devices must give the same per-step
losses. JAX fixes its device count when it starts, so the runs happen in a process of their own
(tests/data_parallel_run.py) with XLA_FLAGS set, whichever backend this suite runs on.
"""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import BACKEND, ROOT, clean_environment

import kgraphs

CASES = {
    # The chapter's multi-output model: two losses, the bounding box weighted by half.
    "image_multitask": ["input_shape=[24, 24, 3]", "conv_filters=[4, 8]", "num_classes=3"],
    # BatchNormalization: its batch statistics must cover the global batch, not a device's half;
    # and Dropout, whose masks must not depend on how the batch is split.
    "recipes/graph/separable_cnn.yaml": [],
}


@pytest.mark.slow
@pytest.mark.backend_independent(
    reason="its own JAX process, the same whichever backend the suite runs on", on="jax"
)
@pytest.mark.parametrize("recipe", CASES)
def test_data_parallel_over_two_devices_trains_as_one_device(recipe):
    overrides = [argument for item in CASES[recipe] for argument in ("--set", item)]
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "data_parallel_run.py"), recipe, *overrides],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=clean_environment(
            KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2"
        ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["devices"] == 2
    assert report["mesh_devices"] == 2  # the variables live on both devices
    single, parallel = report["single"], report["parallel"]
    assert len(single) == len(parallel) == 4
    assert set(single[0]) == set(parallel[0])
    losses = [name for name in single[0] if name.endswith("loss")]
    assert len(losses) >= (3 if recipe == "image_multitask" else 1)
    for one_device, two_devices in zip(single, parallel, strict=True):
        for name in losses:
            np.testing.assert_allclose(two_devices[name], one_device[name], rtol=1e-4)
    assert report["weights_relative_difference"] < 1e-4


def test_strategy_and_distribution_belong_to_their_backends():
    """Each API is refused on the other backend with the way out, before anything is built."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with pytest.raises(ValueError, match=r"keras\.distribution runs on the JAX backend"):
            kgraphs.build("ticket_priority", distribution=keras.distribution.DataParallel())
        with pytest.raises(TypeError, match="pass it as distribution="):
            kgraphs.build("ticket_priority", strategy=keras.distribution.DataParallel())
        with pytest.raises(TypeError, match=r"a tf\.distribute strategy goes to strategy="):
            kgraphs.build("ticket_priority", distribution=tf.distribute.get_strategy())
        with pytest.raises(ValueError, match="not both"):
            kgraphs.build(
                "ticket_priority",
                strategy=tf.distribute.get_strategy(),
                distribution=keras.distribution.DataParallel(),
            )
    else:
        with pytest.raises(ValueError, match="needs the TensorFlow backend; Keras runs on jax"):
            kgraphs.build("ticket_priority", strategy=object())
        with pytest.raises(TypeError, match="not object"):
            kgraphs.build("ticket_priority", distribution=object())
        model = kgraphs.build("ticket_priority", vocab_size=50)
        with pytest.raises(ValueError, match="Keras runs on jax"):
            kgraphs.distributed_train_step(model)
