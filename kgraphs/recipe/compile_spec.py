"""The `compile` section of a recipe, and how it becomes `model.compile(...)` arguments.

Losses, metrics and optimizers are named by their Keras string names (checked against a
snapshot, so no TensorFlow is imported to validate). Keys of `loss`, `loss_weights` and
`metrics` must be output names of the model; that check runs before Keras sees them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, model_validator

from kgraphs.catalog.arguments import argument_problems
from kgraphs.catalog.keras_layers import optimizer_arguments
from kgraphs.catalog.keras_names import (
    COMPILE_METRIC_ALIASES,
    LOSSES,
    METRICS,
    OPTIMIZERS,
    check_name,
)
from kgraphs.config.validation import Float, Str, StrictConfig
from kgraphs.util.errors import ConfigError, did_you_mean

LossName = Annotated[Str, AfterValidator(check_name("loss", LOSSES))]
MetricName = Annotated[Str, AfterValidator(check_name("metric", METRICS | COMPILE_METRIC_ALIASES))]
OptimizerName = Annotated[Str, AfterValidator(check_name("optimizer", OPTIMIZERS))]
PlainValue = int | float | str | bool | None


class OptimizerSpec(StrictConfig):
    """`{name: adam, learning_rate: 0.001}`: an optimizer with its constructor arguments."""

    # Arguments are the optimizer's own, checked against the description of Keras's
    # constructors (`argument_problems`; Keras would refuse others only when the model is
    # built). They are plain values (`_plain_arguments`), which the JSON Schema says too.
    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        allow_inf_nan=False,
        json_schema_extra={
            "additionalProperties": {"type": ["number", "string", "boolean", "null"]}
        },
    )
    # A Keras optimizer; the other keys are its constructor arguments (learning_rate, ...).
    name: OptimizerName

    @model_validator(mode="after")
    def _plain_arguments(self) -> OptimizerSpec:
        for key, value in self.arguments.items():
            if not isinstance(value, PlainValue):
                raise ValueError(f"argument {key!r} must be a plain number, string or boolean")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"argument {key!r} must be finite")
        return self

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def argument_problems(self) -> list[tuple[str, str]]:
        """Each argument against the optimizer's constructor (kgraphs.catalog.keras_layers),
        located under `compile.optimizer`: unknown names with the closest, and values Keras
        would refuse when it builds the optimizer (`learning_rate: 1`, an integer)."""
        return [
            (f"compile.optimizer.{path}" if path else "compile.optimizer", message)
            for path, message in argument_problems(
                f"optimizer {self.name!r}", optimizer_arguments(self.name), self.arguments
            )
        ]


class CompileSpec(StrictConfig):
    # A Keras optimizer's name, or {name: ..., learning_rate: ...} (rmsprop: Keras's default).
    optimizer: OptimizerName | OptimizerSpec = "rmsprop"
    # A Keras loss for every output, or one per output name (null leaves an output untrained).
    loss: LossName | dict[Str, LossName | None] | None = None
    # How much each output's loss counts in the total: one number, or one per output name.
    loss_weights: Float | dict[Str, Float] | None = None
    # Keras metrics for every output, or per output name: a name or a list of names.
    metrics: list[MetricName] | dict[Str, MetricName | list[MetricName]] | None = None

    def problems(self, output_names: Sequence[str] | None) -> list[tuple[str, str]]:
        """What types cannot say: the optimizer's arguments, and, when the model's output names
        are known, the keys that name outputs."""
        problems = []
        if isinstance(self.optimizer, OptimizerSpec):
            problems += self.optimizer.argument_problems()
        if output_names is not None:
            problems += self.output_problems(output_names)
        return problems

    def output_problems(self, output_names: Sequence[str]) -> list[tuple[str, str]]:
        """Keys that are not outputs of the model (and outputs a loss dict leaves out)."""
        problems = []
        for field in ("loss", "loss_weights", "metrics"):
            value = getattr(self, field)
            if not isinstance(value, dict):
                continue
            if not output_names:
                problems.append(
                    (
                        f"compile.{field}",
                        "the model's outputs are nested (a list or mapping inside another); "
                        "per-output settings need outputs that are a name, a list of names or "
                        "a mapping of names: give one value for every output",
                    )
                )
                continue
            for key in value:
                if key not in output_names:
                    problems.append(
                        (
                            f"compile.{field}.{key}",
                            f"{key!r} is not an output of the model; expected one of "
                            f"{list(output_names)}{did_you_mean(key, output_names)}",
                        )
                    )
        if (
            output_names
            and isinstance(self.loss, dict)
            and not any(p[0].startswith("compile.loss.") for p in problems)
        ):
            for name in output_names:
                if name not in self.loss:
                    problems.append(
                        (
                            "compile.loss",
                            f"no loss for output {name!r}; name one, or write `{name}: null` "
                            "to train without it",
                        )
                    )
        return problems

    def keras_arguments(self, output_names: Sequence[str]) -> dict[str, Any]:
        """Arguments for `model.compile`, in the form Keras handles for this many outputs.

        Keras 3 mishandles dicts on a single-output model (keras-team/keras#21513), so for one
        output the dicts are unwrapped to the bare loss, weight and metric list.
        """
        import keras

        optimizer: Any = self.optimizer
        if isinstance(optimizer, OptimizerSpec):
            try:
                optimizer = keras.optimizers.get(
                    {"class_name": optimizer.name, "config": optimizer.arguments}
                )
            except (ValueError, TypeError) as error:
                problem = ("compile.optimizer", f"{optimizer.name}: {error}")
                raise ConfigError([problem]) from None
        loss, loss_weights, metrics = self.loss, self.loss_weights, self.metrics
        if len(output_names) == 1:
            (only,) = output_names
            loss = loss.get(only) if isinstance(loss, dict) else loss
            loss_weights = (
                loss_weights.get(only) if isinstance(loss_weights, dict) else loss_weights
            )
            metrics = metrics.get(only) if isinstance(metrics, dict) else metrics
            metrics = [metrics] if isinstance(metrics, str) else metrics
            loss_weights = None if loss_weights is None else [loss_weights]
        elif isinstance(loss_weights, dict):
            # Keras wants a weight for every output once it is given a dict.
            loss_weights = {name: loss_weights.get(name, 1.0) for name in output_names}
        return {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
        }
