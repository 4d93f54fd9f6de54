"""Tuning a recipe's search spaces with KerasTuner, and the best trial back as a plain recipe.

`tuner(recipe, ...)` returns a KerasTuner tuner whose search space is exactly the recipe's:
each hyperparameter is named by its field's dotted path (`config.lstm_units`,
`compile.optimizer.learning_rate`), and a space with `when:` is a KerasTuner conditional
scope of the fields it names. Each trial builds the recipe with the trial's values (compiled
by its `compile` section); call `search(...)` on your data as with any tuner.
`best_recipe(tuner)` is the best trial as a concrete recipe, with no search spaces left.

keras-tuner is an extra: `pip install kgraphs[tune]`. `best_recipe`'s example runs a search.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from typing import IO, Any

from kgraphs.recipe.loading import Recipe, read_source, validate_recipe
from kgraphs.recipe.overrides import with_overrides
from kgraphs.recipe.search_space import (
    BoolSpace,
    ChoiceSpace,
    FloatSpace,
    IntSpace,
    SearchSpace,
)
from kgraphs.util.errors import ConfigError, did_you_mean

ALGORITHMS = ("random", "bayesian", "hyperband")
INSTALL = "tuning needs keras-tuner: `pip install kgraphs[tune]` (or `pip install keras-tuner`)"


def tuner(
    recipe: object,
    /,
    *,
    directory: str,
    algorithm: str = "random",
    objective: str = "val_loss",
    max_trials: int = 10,
    project_name: str | None = None,
    overwrite: bool = False,
    seed: int | None = None,
    progress: IO[str] | None = None,
    **tuner_options: Any,
) -> Any:
    """A KerasTuner tuner over the recipe's search spaces (see the module docstring).

    Args:
        recipe: a recipe with search spaces: name, path, mapping or `Recipe`.
        directory: where KerasTuner keeps its trials; a tuner made again on the same
            directory and project resumes (unless `overwrite`).
        algorithm: "random", "bayesian" or "hyperband".
        objective: what to minimize or maximize, as KerasTuner reads it ("val_loss").
        max_trials: the number of trials (hyperband sets its own from `max_epochs`).
        project_name: the folder under `directory`; by default the recipe's model name.
        seed: the search's random seed, so a search can be repeated.
        progress: a stream that gets one line per finished trial.
        **tuner_options: passed to the KerasTuner class (`max_epochs` for hyperband, ...).

    Example:
        >>> import tempfile, kgraphs
        >>> recipe = {"version": 1, "architecture": "ticket_priority",
        ...           "config": {"lstm_units": {"search": "int", "min": 8, "max": 32, "step": 8}},
        ...           "compile": {"optimizer": "adam", "loss": "binary_crossentropy"}}
        >>> search = kgraphs.tuner(recipe, directory=tempfile.mkdtemp(), max_trials=3)
        >>> [space.name for space in search.oracle.hyperparameters.space]
        ['config.lstm_units']
    """
    try:
        import keras_tuner
    except ImportError:
        raise ImportError(INSTALL) from None
    if algorithm not in ALGORITHMS:
        raise ConfigError(
            [
                (
                    "algorithm",
                    f"expected one of {list(ALGORITHMS)}; given {algorithm!r}"
                    f"{did_you_mean(algorithm, ALGORITHMS)}",
                )
            ]
        )
    data, source = read_source(recipe)
    searched = validate_recipe(data, source=source)
    if not searched.search_spaces:
        raise ConfigError(
            [("(recipe)", "has no search spaces to tune; see kgraphs.recipe.search_space")],
            source=source,
        )
    base = {
        "random": keras_tuner.RandomSearch,
        "bayesian": keras_tuner.BayesianOptimization,
        "hyperband": keras_tuner.Hyperband,
    }[algorithm]
    options = dict(tuner_options)
    if algorithm == "hyperband":
        options.setdefault("max_epochs", 10)
    else:
        options["max_trials"] = max_trials
    tuner_class = type(f"Recipe{base.__name__}", (_RecipeTuner, base), {})
    return tuner_class(
        recipe_data=data,
        recipe_source=source,
        spaces=searched.search_spaces,
        progress=progress,
        hypermodel=_RecipeHyperModel(data, source, searched.search_spaces).build,
        objective=objective,
        directory=directory,
        project_name=project_name or searched.model_name,
        overwrite=overwrite,
        seed=seed,
        **options,
    )


def best_recipe(tuner: Any) -> Recipe:
    """The best trial of a tuner made by `tuner()`, as a concrete recipe.

    Example:
        >>> import numpy as np, tempfile, kgraphs
        >>> recipe = {"version": 1, "architecture": "ticket_priority",
        ...           "config": {"vocab_size": 50, "embedding_dim": 4,
        ...                      "lstm_units": {"search": "choice", "values": [4, 8]}},
        ...           "compile": {"optimizer": "adam", "loss": "binary_crossentropy"}}
        >>> search = kgraphs.tuner(recipe, max_trials=2, directory=tempfile.mkdtemp(), seed=1)
        >>> concrete = kgraphs.build("ticket_priority", vocab_size=50, embedding_dim=4,
        ...                          lstm_units=4)
        >>> inputs, targets = kgraphs.example_data(concrete, batch_size=16)
        >>> search.search(inputs, targets, epochs=1, validation_split=0.25, verbose=0)
        >>> kgraphs.best_recipe(search).config.lstm_units in (4, 8)
        True
    """
    if not isinstance(tuner, _RecipeTuner):
        raise TypeError("best_recipe takes a tuner made by kgraphs.tuner(...)")
    trials = tuner.oracle.get_best_trials(1)
    if not trials:
        raise ValueError("the tuner has no finished trial yet: call search(...) first")
    trial = trials[0]
    values = trial_values(trial.hyperparameters, tuner.spaces)
    score = "" if trial.score is None else f", {tuner.oracle.objective.name} {trial.score:.6g}"
    chosen = ", ".join(
        f"{path.removeprefix('config.')}={value!r}" for path, value in values.items()
    )
    description = f"Best trial {trial.trial_id} of {tuner.recipe_source}{score}: {chosen}"
    data = with_overrides(tuner.recipe_data, values) | {"description": description[:500]}
    return validate_recipe(data, source=f"best trial {trial.trial_id} of {tuner.recipe_source}")


def trial_values(hyperparameters: Any, spaces: Mapping[str, SearchSpace]) -> dict[str, Any]:
    """Each field's value in a trial: its hyperparameter's, or its default where inactive."""
    values = {}
    for path, space in spaces.items():
        active = path in hyperparameters.values and _conditions_hold(
            space, hyperparameters.values, spaces
        )
        values[path] = (
            _decode(space, hyperparameters.values[path]) if active else space.default_value()
        )
    return values


def _conditions_hold(
    space: SearchSpace, chosen: Mapping[str, Any], spaces: Mapping[str, SearchSpace]
) -> bool:
    return all(
        chosen.get(parent) in _encoded(spaces[parent], values)
        for _, parent, values in space.conditions()
    )


class _RecipeHyperModel:
    """Builds the recipe with a trial's values: KerasTuner calls `build(hp)`."""

    def __init__(self, data: Mapping[str, Any], source: str, spaces: Mapping[str, SearchSpace]):
        self.data, self.source, self.spaces = data, source, spaces

    def build(self, hp: Any) -> Any:
        from kgraphs.building.instantiation import instantiate

        values = {}
        for path in _parents_first(self.spaces):
            space = self.spaces[path]
            with contextlib.ExitStack() as scopes:
                for _, parent, wanted in space.conditions():
                    scopes.enter_context(
                        hp.conditional_scope(parent, _encoded(self.spaces[parent], wanted))
                    )
                value = _define(hp, path, space)
            values[path] = space.default_value() if value is None else _decode(space, value)
        recipe = validate_recipe(with_overrides(self.data, values), source=self.source)
        model = instantiate(recipe)
        if recipe.compile is not None:
            model.compile(**recipe.compile.keras_arguments(model.output_names))
        return model


class _RecipeTuner:
    """Mixed into the KerasTuner class `tuner()` picks."""

    def __init__(self, *, recipe_data, recipe_source, spaces, progress, **options):
        self.recipe_data, self.recipe_source = recipe_data, recipe_source
        self.spaces, self.progress = spaces, progress
        self._started = time.monotonic()
        super().__init__(**options)

    def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
        # KerasTuner imports `tensorboard` on every trial under TensorFlow, to label
        # TensorBoard logs: without the package each trial prints a traceback. Only a
        # TensorBoard callback needs it.
        if any(type(callback).__name__ == "TensorBoard" for callback in callbacks):
            super()._configure_tensorboard_dir(callbacks, trial, execution)

    def on_trial_begin(self, trial):
        self._started = time.monotonic()
        super().on_trial_begin(trial)

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        if self.progress is None:
            return
        values = trial_values(trial.hyperparameters, self.spaces)
        best = self.oracle.get_best_trials(1)
        name = self.oracle.objective.name
        score = "failed" if trial.score is None else f"{name} {trial.score:.4g}"
        best_score = f" (best {best[0].score:.4g})" if best and best[0].score is not None else ""
        chosen = " ".join(f"{path.removeprefix('config.')}={v!r}" for path, v in values.items())
        finished = len(self.oracle.trials)
        total = getattr(self.oracle, "max_trials", None) or "?"
        print(
            f"trial {trial.trial_id} ({finished} of {total}): {score}{best_score}  {chosen}  "
            f"[{time.monotonic() - self._started:.1f} s]",
            file=self.progress,
            flush=True,
        )


def _define(hp: Any, name: str, space: SearchSpace) -> Any:
    if isinstance(space, IntSpace):
        return hp.Int(
            name,
            min_value=space.min,
            max_value=space.max,
            step=space.step if space.sampling == "linear" else None,
            sampling=space.sampling,
            default=space.default_value(),
        )
    if isinstance(space, FloatSpace):
        return hp.Float(
            name,
            min_value=space.min,
            max_value=space.max,
            step=space.step,
            sampling=space.sampling,
            default=space.default_value(),
        )
    if isinstance(space, ChoiceSpace):
        values = _encoded(space, space.values)
        return hp.Choice(name, values, default=_encode(space, space.default_value()))
    if isinstance(space, BoolSpace):
        return hp.Boolean(name, default=space.default_value())
    raise TypeError(f"not a search space: {space!r}")


def _encode(space: SearchSpace, value: Any) -> Any:
    """KerasTuner's Choice takes scalars of one type; other choices travel as JSON text."""
    if isinstance(space, ChoiceSpace) and not space.is_plain():
        return json.dumps(value, sort_keys=True)
    return value


def _encoded(space: SearchSpace, values: list[Any]) -> list[Any]:
    return [_encode(space, value) for value in values]


def _decode(space: SearchSpace, value: Any) -> Any:
    if isinstance(space, ChoiceSpace) and not space.is_plain():
        return json.loads(value)
    return value


def _parents_first(spaces: Mapping[str, SearchSpace]) -> list[str]:
    """Paths ordered so that a condition's field is defined before the spaces it guards."""
    ordered: list[str] = []

    def visit(path: str) -> None:
        if path in ordered:
            return
        for _, parent, _ in spaces[path].conditions():
            visit(parent)
        ordered.append(path)

    for path in spaces:
        visit(path)
    return ordered
