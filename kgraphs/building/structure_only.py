"""Models built as structure only: every layer, connection, shape and parameter count, and no
weight (`kgraphs.build(recipe, weights=False)`, and every command that only looks).

Keras builds such a model inside `StatelessScope(initialize_variables=False)`: its variables
have shapes but no values. Keras would still run it, drawing each variable from its
initializer on every access (about 29 GB at once for a 7-billion-parameter model), so a
structure-only model refuses whatever needs values (calling it on data, fit, evaluate,
predict, reading or saving weights) with a message that says how to get a model that has them.
Symbolic calls (the model as a layer of a larger structure-only graph), `summary()`,
`count_params()`, `plot_model`, `kgraphs.plot`, `kgraphs.diff` and `kgraphs.to_recipe` work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgraphs.config.limits import without_weights

if TYPE_CHECKING:
    from collections.abc import Callable

    import keras

# What needs the weights' values.
NEEDS_WEIGHTS = (
    "fit",
    "evaluate",
    "predict",
    "train_on_batch",
    "test_on_batch",
    "predict_on_batch",
    "get_weights",
    "set_weights",
    "load_weights",
    "save_weights",
    "save",
    "export",
)


class NoWeightsError(RuntimeError):
    """A structure-only model was asked for something that needs its weights.

    Example:
        >>> import kgraphs
        >>> model = kgraphs.build("ticket_priority", weights=False)
        >>> try:
        ...     model.fit()
        ... except kgraphs.NoWeightsError as error:
        ...     print(str(error)[:51])
        model 'ticket_priority' was built as structure only
    """


def structure_only(make: Callable[[], keras.Model]) -> keras.Model:
    """The model `make()` returns, built without allocating a weight and refusing to run.

    Example:
        >>> import keras
        >>> def make():
        ...     inputs = keras.Input((1_000,))
        ...     return keras.Model(inputs, keras.layers.Dense(1_000_000)(inputs))
        >>> model = structure_only(make)
        >>> model.count_params(), model.output_shape
        (1001000000, (None, 1000000))
        >>> model.predict(keras.ops.ones((1, 1_000)))
        Traceback (most recent call last):
        ...
        kgraphs.building.structure_only.NoWeightsError: model '...' was built ...
    """
    with without_weights():
        model = make()
    model.__class__ = _structure_only_class(type(model))
    return model


def is_structure_only(model: object) -> bool:
    """Whether `model` was built by `structure_only` (it has no weights)."""
    return isinstance(model, _StructureOnly)


class _StructureOnly:
    """Mixed into a model's own class: the same model, refusing what needs weights."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import keras

        tensors = keras.tree.flatten((args, kwargs))
        if any(_is_data(tensor) for tensor in tensors):
            _refuse(self, "called on data")
        return super().__call__(*args, **kwargs)  # type: ignore[misc]


def _is_data(value: Any) -> bool:
    """A value that carries data: an array or tensor, not a symbolic KerasTensor."""
    import keras

    return hasattr(value, "shape") and not isinstance(value, keras.KerasTensor)


def _refuse(model: Any, what: str) -> None:
    raise NoWeightsError(
        f"model {model.name!r} was built as structure only: it has shapes and parameter "
        f"counts but no weights, so it cannot be {what}; build it with weights "
        "(kgraphs.build(recipe), which refuses what would not fit in memory)"
    )


def _refusing(method: str) -> Callable[..., Any]:
    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        _refuse(self, f"used for {method}()")

    refuse.__name__ = method
    return refuse


for _method in NEEDS_WEIGHTS:
    setattr(_StructureOnly, _method, _refusing(_method))

_CLASSES: dict[type, type] = {}


def _structure_only_class(base: type) -> type:
    """`base` with `_StructureOnly` mixed in, made once per class. It keeps the base's name and
    module, so Keras's summaries and kgraphs' export see the model's own class."""
    if base not in _CLASSES:
        _CLASSES[base] = type(
            base.__name__, (_StructureOnly, base), {"__module__": base.__module__}
        )
    return _CLASSES[base]
