"""Train a recipe with MultiWorkerMirroredStrategy: one process per worker, TF_CONFIG set.

    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]},
                "task": {"type": "worker", "index": 0}}' \\
        python examples/train_multi_worker.py recipes/ticket_priority.yaml --steps 20

Keras 3's `model.fit` fails under MultiWorkerMirroredStrategy on the TensorFlow backend
(keras-team/keras#20585: "Attempt to convert a value (PerReplica...)"), so this script trains
with its own step: `strategy.run` on a distributed dataset, with the loss, loss weights and
optimizer of the recipe's `compile` section (through `model.compute_loss`). Every worker must
run the same command; each ends with the same weights, which `--weights-out` writes as .npz.
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("recipe")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--global-batch", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights-out", help="write the final weights here (.npz)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="config field override, e.g. vocab_size=500",
    )
    arguments = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    import kgraphs

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    keras.utils.set_random_seed(arguments.seed)  # same initial weights on every worker
    overrides = {
        key: json.loads(value) for key, value in (item.split("=", 1) for item in arguments.set)
    }
    model = kgraphs.build(arguments.recipe, strategy=strategy, **overrides)
    if not model.compiled:
        raise SystemExit(f"{arguments.recipe} has no compile section to train with")

    inputs, targets = kgraphs.example_data(
        model, batch_size=arguments.global_batch * arguments.steps, seed=arguments.seed
    )
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(arguments.global_batch)
    distributed = strategy.experimental_distribute_dataset(dataset)

    @tf.function
    def train_step(batch_inputs, batch_targets):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                predictions = model(x, training=True)
                # The recipe's losses and loss weights, averaged over this replica's batch;
                # dividing by the replica count makes the summed gradients a global average.
                loss = model.compute_loss(x=x, y=y, y_pred=predictions)
                scaled = loss / strategy.num_replicas_in_sync
            gradients = tape.gradient(scaled, model.trainable_variables)
            model.optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
            return loss

        per_replica = strategy.run(replica_step, args=(batch_inputs, batch_targets))
        return strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica, axis=None)

    with strategy.scope():
        model.optimizer.build(model.trainable_variables)
    for step, (x, y) in enumerate(distributed, start=1):
        loss = float(train_step(x, y))
        print(f"step {step} loss {loss:.6f}", flush=True)

    if arguments.weights_out:
        np.savez(arguments.weights_out, *[np.asarray(w) for w in model.get_weights()])


if __name__ == "__main__":
    main()
