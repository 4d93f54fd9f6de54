"""`build()`: a recipe (name, file, dict or `Recipe`) in, a ready `keras.Model` out."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kgraphs.building.instantiation import instantiate
from kgraphs.building.structure_only import structure_only
from kgraphs.building.weight_transfer import transfer_weights
from kgraphs.config.limits import MAX_PARAMETERS
from kgraphs.introspection.layer_graph import output_labels
from kgraphs.recipe.loading import Recipe, load_recipe
from kgraphs.util.errors import ConfigError

if TYPE_CHECKING:
    import keras
    import tensorflow as tf
    from keras.distribution import DataParallel, ModelParallel


def build(
    recipe: object,
    /,
    *,
    compile: bool = True,
    weights: bool = True,
    weights_from: object = None,
    freeze: str | None = None,
    strategy: tf.distribute.Strategy | None = None,
    distribution: DataParallel | ModelParallel | None = None,
    **overrides: Any,
) -> keras.Model:
    """Build (and compile) the model a recipe describes.

    Args:
        recipe: the name of a shipped recipe (`kgraphs.presets()`: the chapter's four
            compile as the chapter does) or of an architecture (its defaults), a path to a
            `.yaml`/`.yml`/`.json`/`.toml` recipe, a recipe dict, or a `Recipe`.
        compile: compile with the recipe's `compile` section, when it has one.
        weights: False builds the structure only: every layer, shape and exact parameter
            count, and no weight allocated, so a model of billions of parameters builds in a
            second for `summary()`, `kgraphs.plot`, `kgraphs.diff` or `kgraphs.to_recipe`.
            Such a model refuses to run (call, fit, predict, save) with a `NoWeightsError`.
            With weights (the default), a model over the memory limit
            (KGRAPHS_MAX_PARAMETERS) is refused before its first weight is allocated.
        weights_from: a trained model or `.keras` file whose weights go, layer by layer, to
            the same layers of this one (`kgraphs.transfer_weights`) before it is compiled;
            the report is printed.
        freeze: with `weights_from`, "copied" makes the layers given weights untrainable, to
            fine-tune the rest.
        strategy: a `tf.distribute.Strategy`; the model is built and compiled in its scope,
            so its variables are created (and mirrored) where the strategy puts them. With
            several replicas, BatchNormalization layers synchronize their batch statistics
            across them, so training sees the global batch as on one device. TensorFlow
            backend only.
        distribution: a `keras.distribution` distribution (`DataParallel`, `ModelParallel`),
            Keras's own multi-device API, which runs on the JAX backend. The model is built
            and compiled in its scope, so every variable is laid out over its device mesh.
            Train it in the same scope (`with distribution.scope(): model.fit(...)`) or after
            `keras.distribution.set_distribution(distribution)`, so that `fit` splits each
            global batch over the devices. Each batch, the last one too, must divide evenly
            among the data-parallel devices.
        **overrides: fields of the recipe's `config`, validated like the recipe itself.

    Example:
        >>> import kgraphs
        >>> model = kgraphs.build("image_multitask", num_classes=3)  # a shipped recipe
        >>> model.output_shape, dict(model.loss)
        ([(None, 3), (None, 4)], {'class_label': 'categorical_crossentropy', 'bounding_box': 'mse'})
    """
    validated = load_recipe(recipe, **overrides)
    if validated.search_spaces:
        raise ConfigError(
            [
                (
                    path,
                    f"a search space (search: {space.search}); build takes a concrete recipe: "
                    "tune it (kgraphs.tuner, `kgraphs tune`) and build kgraphs.best_recipe(tuner), "
                    f"or give this field a value (--set {path}=VALUE)",
                )
                for path, space in validated.search_spaces.items()
            ],
            source=validated.source,
        )
    if not weights and (strategy is not None or distribution is not None):
        raise ConfigError(
            [("weights", "False builds structure only; a strategy or distribution places weights")]
        )
    if not weights and weights_from is not None:
        raise ConfigError([("weights_from", "needs weights to copy into; weights is False")])
    if freeze is not None and weights_from is None:
        raise ConfigError(
            [("freeze", "goes with weights_from: it freezes the layers given weights")]
        )
    scope = _placement_scope(strategy=strategy, distribution=distribution)
    with scope:
        model = (
            instantiate(validated) if weights else structure_only(lambda: instantiate(validated))
        )
        if strategy is not None and strategy.num_replicas_in_sync > 1:
            _synchronize_batch_statistics(model)
        if weights_from is not None:
            print(transfer_weights(weights_from, model, freeze=freeze).text(), end="")
        if compile:
            compile_as_recipe(model, validated)
    return model


def compile_as_recipe(model: keras.Model, recipe: Recipe) -> None:
    """Compile `model` with the recipe's `compile` section, when it has one."""
    if recipe.compile is not None:
        try:
            model.compile(**recipe.compile.keras_arguments(recipe.output_names))
        except ConfigError as error:
            raise error.with_source(recipe.source) from None


@dataclass(frozen=True)
class Structure:
    """What `check_shapes` found: the model's parameters and its outputs' shapes.

    Attributes:
        parameters: `count_params()` of the model, as `build` would make it.
        output_shapes: each output's shape (None for the batch and any size that varies),
            by output name.
    """

    parameters: int
    output_shapes: dict[str, tuple[int | None, ...]]

    @property
    def over_limit(self) -> bool:
        """Whether `build` refuses this model for its size (KGRAPHS_MAX_PARAMETERS)."""
        return self.parameters > MAX_PARAMETERS


def check_shapes(recipe: object, /, **overrides: Any) -> Structure:
    """Check a recipe's shapes with Keras, without allocating a single weight.

    The model is built as structure only (Keras's `StatelessScope(initialize_variables=False)`):
    each layer is made and called on symbolic inputs, so Keras checks every argument and
    shape as `build` does, but no weight exists, and a model of billions of parameters checks
    in a fraction of a second. Every problem is reported at once: after a node fails, the nodes
    that do not depend on it are still checked. The parameter limit, which guards memory, is
    not applied (nothing is allocated); `Structure.over_limit` says whether `build` would
    refuse the model. A recipe with search spaces is checked with their defaults.

    Args:
        recipe: what `build` takes: a shipped recipe's or an architecture's name, a path, a
            dict or a `Recipe`.
        **overrides: fields of the recipe's `config`, validated like the recipe itself.

    Raises:
        ConfigError: every problem, located at its field.

    Example:
        >>> from kgraphs.building.from_recipe import check_shapes
        >>> check_shapes("ticket_priority").output_shapes["priority"]
        (None, 1)
    """
    validated = load_recipe(recipe, **overrides)
    model = structure_only(lambda: instantiate(validated))
    shapes = [tuple(tensor.shape) for tensor in model.outputs]
    parameters = model.count_params()
    return Structure(
        parameters=parameters, output_shapes=dict(zip(output_labels(model), shapes, strict=True))
    )


def _placement_scope(*, strategy: Any, distribution: Any) -> contextlib.AbstractContextManager:
    """The scope a model is built in: a `tf.distribute` strategy's, a `keras.distribution`'s,
    or none. Each API belongs to one backend; the other one would fail later, inside Keras,
    with a message about neither, so a mismatch is refused here with the way out."""
    if strategy is None and distribution is None:
        return contextlib.nullcontext()
    from kgraphs.util.backend import backend

    running = backend()
    if strategy is not None and distribution is not None:
        raise ValueError(
            "give either strategy= (tf.distribute, TensorFlow backend) or distribution= "
            "(keras.distribution, JAX backend), not both"
        )
    if strategy is not None:
        if _is_keras_distribution(strategy):
            raise TypeError(
                f"{type(strategy).__name__} is a keras.distribution distribution: pass it as "
                "distribution=, not strategy="
            )
        if running != "tensorflow":
            raise ValueError(
                f"strategy= takes a tf.distribute strategy, which needs the TensorFlow backend; "
                f"Keras runs on {running}. On JAX, spread training over devices with "
                "distribution=keras.distribution.DataParallel()"
            )
        return strategy.scope()
    if not _is_keras_distribution(distribution):
        raise TypeError(
            f"distribution= takes a keras.distribution distribution (DataParallel, "
            f"ModelParallel), not {type(distribution).__name__}; a tf.distribute strategy "
            "goes to strategy="
        )
    if running != "jax":
        raise ValueError(
            f"keras.distribution runs on the JAX backend (its {running} version is a prototype "
            f"in Keras {_keras_version()}); Keras runs on {running}."
            + (
                " On TensorFlow, pass a tf.distribute strategy as strategy="
                if running == "tensorflow"
                else ""
            )
        )
    return distribution.scope()


def _is_keras_distribution(value: object) -> bool:
    import keras

    # Keras exports the two distributions, not their base class.
    return isinstance(value, (keras.distribution.DataParallel, keras.distribution.ModelParallel))


def _keras_version() -> str:
    import keras

    return keras.version()


def model_of(model_or_recipe: object) -> keras.Model:
    """A model as given, or the uncompiled structure-only model of a recipe (a name, path,
    dict or `Recipe`): what the commands that only look at a model (drawing, the interactive
    page, diff) look at, at any size. A recipe with search spaces gives the model of their
    defaults."""
    import keras

    if isinstance(model_or_recipe, keras.Model):
        return model_or_recipe
    recipe = load_recipe(model_or_recipe)
    return structure_only(lambda: instantiate(recipe))


def _synchronize_batch_statistics(model: keras.Model) -> None:
    """Make every BatchNormalization compute its statistics over the global batch.

    Unsynchronized, each replica normalizes by its own share of the batch, so N replicas train a
    different model than one device on the same global batches. Keras reads `synchronized` at
    call time; it costs one all-reduce per layer and step.
    """
    import keras

    for layer in model._flatten_layers():
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.synchronized = True
