"""Train a recipe with MultiWorkerMirroredStrategy: one process per worker, TF_CONFIG set.

    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]},
                "task": {"type": "worker", "index": 0}}' \\
        python examples/train_multi_worker.py recipes/ticket_priority.yaml --steps 20

Keras 3's `model.fit` fails under MultiWorkerMirroredStrategy on the TensorFlow backend
(keras-team/keras#20585), so this script runs its own loop around
`kgraphs.distributed_train_step`: Keras's own training step (the recipe's losses, loss
weights, metrics and optimizer) on every replica. Every worker must run the same command;
each prints the same per-step logs and ends with the same weights, which `--weights-out`
writes as .npz. Replace `example_data` with your own `tf.data` pipeline of global batches.
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("recipe", help="a recipe file or the name of a shipped recipe")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--global-batch", type=int, default=16, help="summed over all replicas")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights-out", help="write the final weights here (.npz)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="config field override, the value as JSON, e.g. vocab_size=500",
    )
    arguments = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    import kgraphs

    # The strategy first: it must exist before TensorFlow creates any device state.
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    keras.utils.set_random_seed(arguments.seed)  # the same initial weights on every worker
    overrides = {
        key: json.loads(value) for key, value in (item.split("=", 1) for item in arguments.set)
    }
    model = kgraphs.build(arguments.recipe, strategy=strategy, **overrides)
    if not model.compiled:
        raise SystemExit(f"{arguments.recipe} has no compile section to train with")

    # Every worker makes the same data; the strategy gives each replica its part of every
    # global batch (sharding by data, since these tensors are not files).
    inputs, targets = kgraphs.example_data(
        model, batch_size=arguments.global_batch * arguments.steps, seed=arguments.seed
    )
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(arguments.global_batch)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = dataset.with_options(options)

    train_step = kgraphs.distributed_train_step(model)
    for step, batch in enumerate(strategy.experimental_distribute_dataset(dataset), start=1):
        model.reset_metrics()  # per-step logs; reset once an epoch for fit's running means
        logs = train_step(batch)
        print(
            f"step {step} " + " ".join(f"{k} {float(v):.9g}" for k, v in logs.items()), flush=True
        )

    if arguments.weights_out:
        np.savez(arguments.weights_out, *[np.asarray(w) for w in model.get_weights()])


if __name__ == "__main__":
    main()
