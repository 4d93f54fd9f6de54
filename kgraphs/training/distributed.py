"""Keras's own training step for custom loops under any `tf.distribute` strategy.

TensorFlow backend only (on JAX, `keras.distribution` and `fit` cover several devices).
`model.fit` covers one machine (`MirroredStrategy`). Across machines it fails on Keras 3's
TensorFlow backend (keras-team/keras#20585: "Attempt to convert a value (PerReplica...)"), so
users write a loop, and a hand-written step is easy to get subtly wrong: Keras already divides
each replica's loss by the number of replicas (`scale_loss_for_distribution`), so dividing
again, as most `tf.distribute` tutorials written for tf.keras do, trains N times too slowly
without any error. `distributed_train_step` does not reimplement the step: it runs the model's
own `train_step` (the one `fit` runs: the recipe's losses, loss weights and metrics, loss
scaling, the optimizer's cross-replica gradient sum) on every replica, and reduces the logs as
`fit` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras
    import tensorflow as tf


def distributed_train_step(model: keras.Model) -> Callable[[Any], dict[str, tf.Tensor]]:
    """A function that trains `model` on one global batch and returns the logs `fit` shows.

    The model must be compiled and built under the strategy that will run it (for instance
    `kgraphs.build(recipe, strategy=strategy)`); that strategy is `model.distribute_strategy`.
    Give the function batches of `strategy.experimental_distribute_dataset(dataset)`, where
    `dataset` yields `(inputs, targets)` or `(inputs, targets, sample_weights)` in global
    batches. The logs are scalar tensors (`loss`, each output's loss, the compiled metrics),
    averaged over the replicas and accumulated since the last `model.reset_metrics()`, exactly
    as during an epoch of `fit`: call `model.reset_metrics()` where `fit` would (each epoch),
    or before every step for per-step values.

    BatchNormalization computes its statistics over each replica's share of the batch unless
    it is `synchronized=True`, which `kgraphs.build(..., strategy=...)` sets when the strategy
    has several replicas, so training matches one device.

    Example:
        >>> import keras, kgraphs, tensorflow as tf
        >>> strategy = tf.distribute.get_strategy()  # or MultiWorkerMirroredStrategy()
        >>> model = kgraphs.build("ticket_priority", strategy=strategy, vocab_size=50)
        >>> inputs, targets = kgraphs.example_data(model, batch_size=16)
        >>> dataset = tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(8)
        >>> step = kgraphs.distributed_train_step(model)
        >>> for batch in strategy.experimental_distribute_dataset(dataset):
        ...     model.reset_metrics()
        ...     logs = step(batch)
        >>> sorted(logs), bool(logs["loss"] > 0)
        (['accuracy', 'loss'], True)
    """
    from kgraphs.util.backend import backend

    if backend() != "tensorflow":
        # model.distribute_strategy exists on the TensorFlow backend only.
        raise ValueError(
            f"distributed_train_step runs tf.distribute strategies, on the TensorFlow backend; "
            f"Keras runs on {backend()}. There, build with "
            "distribution=keras.distribution.DataParallel() and train with model.fit in "
            "distribution.scope()"
        )
    import tensorflow as tf

    if not model.compiled:
        raise ValueError(
            f"model {model.name!r} is not compiled; build a recipe with a compile section "
            "(kgraphs.build(recipe, strategy=...)) or call model.compile(...) under the "
            "strategy's scope first"
        )
    strategy = model.distribute_strategy

    def replicated_step(batch: Any) -> dict[str, tf.Tensor]:
        logs = strategy.run(model.train_step, args=(batch,))
        # `fit` reduces its logs the same way (keras reduce_per_replica, "auto" -> mean).
        return tf.nest.map_structure(
            lambda value: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None), logs
        )

    if not model.run_eagerly:
        replicated_step = tf.function(replicated_step, jit_compile=model.jit_compile)

    def step(batch: Any) -> dict[str, tf.Tensor]:
        if strategy.num_replicas_in_sync > 1 and not any(
            isinstance(part, tf.distribute.DistributedValues) for part in tf.nest.flatten(batch)
        ):
            # Every replica would train on the whole global batch: N times the work, and
            # batch statistics computed over the wrong rows. Refuse instead of guessing.
            raise TypeError(
                f"{strategy.num_replicas_in_sync} replicas need a distributed batch: iterate "
                "over strategy.experimental_distribute_dataset(dataset)"
            )
        return replicated_step(batch)

    return step
