"""`kgraphs.recipe.compile_spec`: which `compile` sections validate, every problem at its exact
location with its close match, and the `model.compile` arguments a valid one becomes."""

import math

import keras
import pytest

from kgraphs import ConfigError
from kgraphs.config.validation import validate
from kgraphs.recipe.compile_spec import CompileSpec, OptimizerSpec

pytestmark = pytest.mark.backend_independent(
    reason="validation is plain Python; the Keras objects made are the same on every backend"
)


def problems(section) -> list[tuple[str, str]]:
    """What validation reports of a compile section: its types, then what types cannot say
    (the optimizer's arguments against Keras's constructors)."""
    try:
        spec = validate(CompileSpec, section, prefix="compile")
    except ConfigError as error:
        return error.problems
    found = spec.problems(None)
    assert found, "expected a problem"
    return found


@pytest.mark.parametrize(
    ("section", "fields"),
    [
        ({}, {"optimizer": "rmsprop", "loss": None, "loss_weights": None, "metrics": None}),
        (
            {"optimizer": "adam", "loss": "mse", "loss_weights": 0.5, "metrics": ["acc", "AUC"]},
            {"optimizer": "adam", "loss": "mse", "loss_weights": 0.5, "metrics": ["acc", "AUC"]},
        ),
        (
            # An integer weight is a number too; null leaves an output untrained.
            {"loss": {"a": "mse", "b": None}, "loss_weights": {"a": 2}, "metrics": {"a": "mae"}},
            {"loss": {"a": "mse", "b": None}, "loss_weights": {"a": 2.0}, "metrics": {"a": "mae"}},
        ),
        ({"metrics": {"a": ["accuracy", "auc"]}}, {"metrics": {"a": ["accuracy", "auc"]}}),
    ],
)
def test_valid_sections(section, fields):
    spec = validate(CompileSpec, section, prefix="compile")
    for name, value in fields.items():
        assert getattr(spec, name) == value


@pytest.mark.parametrize(
    ("optimizer", "name", "arguments"),
    [
        ({"name": "adam"}, "adam", {}),
        (
            {"name": "sgd", "momentum": 0.9, "nesterov": True},
            "sgd",
            {"momentum": 0.9, "nesterov": True},
        ),
        (
            {"name": "adamw", "learning_rate": 1e-3, "weight_decay": 0.01, "clipnorm": None},
            "adamw",
            {"learning_rate": 1e-3, "weight_decay": 0.01, "clipnorm": None},
        ),
        ({"name": "rmsprop", "centered": True}, "rmsprop", {"centered": True}),
    ],
)
def test_valid_optimizer_with_arguments(optimizer, name, arguments):
    spec = validate(CompileSpec, {"optimizer": optimizer}, prefix="compile")
    assert isinstance(spec.optimizer, OptimizerSpec)
    assert (spec.optimizer.name, spec.optimizer.arguments) == (name, arguments)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        pytest.param(
            {"optimizer": "adamm"},
            [("compile.optimizer", "unknown optimizer 'adamm'; did you mean 'adam'?")],
            id="optimizer name, close match",
        ),
        pytest.param(
            {"optimizer": "os.system"},
            [("compile.optimizer", "unknown optimizer 'os.system'")],
            id="optimizer name, nothing close",
        ),
        pytest.param(
            {"optimizer": 3},
            [
                ("compile.optimizer", "expected a string; given 3"),
                ("compile.optimizer", "expected a mapping; given 3"),
            ],
            id="optimizer neither name nor mapping",
        ),
        pytest.param(
            {"optimizer": {"learning_rate": 0.1}},
            [("compile.optimizer.name", "missing required key")],
            id="optimizer mapping without a name",
        ),
        pytest.param(
            {"optimizer": {"name": "adam", "learning_rat": 0.1}},
            [
                (
                    "compile.optimizer.learning_rat",
                    "unknown argument of optimizer 'adam'; did you mean 'learning_rate'?",
                )
            ],
            id="optimizer argument, close match",
        ),
        pytest.param(
            # sgd's and rmsprop's momentum is not adam's: Keras would refuse it at build.
            {"optimizer": {"name": "adam", "momentum": 0.9, "nesterov": True}},
            [
                (
                    "compile.optimizer.momentum",
                    "unknown argument of optimizer 'adam'; did you mean 'ema_momentum'?",
                ),
                ("compile.optimizer.nesterov", "unknown argument of optimizer 'adam'"),
            ],
            id="arguments of another optimizer",
        ),
        pytest.param(
            # Keras refuses an integer learning rate when it builds the optimizer.
            {"optimizer": {"name": "sgd", "learning_rate": 1, "momentum": 0}},
            [
                (
                    "compile.optimizer.learning_rate",
                    "expected a number with a decimal point (Keras refuses an integer here); "
                    "given 1: write 1.0",
                ),
                (
                    "compile.optimizer.momentum",
                    "expected a number with a decimal point (Keras refuses an integer here); "
                    "given 0: write 0.0",
                ),
            ],
            id="integers where Keras wants floats",
        ),
        pytest.param(
            {"optimizer": {"name": "adam", "learning_rate": None, "amsgrad": "yes"}},
            [
                ("compile.optimizer.learning_rate", "expected a number; given null"),
                (
                    "compile.optimizer.amsgrad",
                    "expected true or false; given 'yes', a string: write true or false "
                    "(yes, no, on and off are strings in YAML 1.2)",
                ),
            ],
            id="null learning rate, boolean as a string",
        ),
        pytest.param(
            {"optimizer": {"name": "adam", "learning_rate": [0.1]}},
            [
                (
                    "compile.optimizer",
                    "argument 'learning_rate' must be a plain number, string or boolean; "
                    "given {'learning_rate': [0.1], 'name': 'adam'}",
                )
            ],
            id="optimizer argument not plain",
        ),
        pytest.param(
            {"optimizer": {"name": "adam", "learning_rate": math.inf}},
            [
                (
                    "compile.optimizer",
                    "argument 'learning_rate' must be finite; "
                    "given {'learning_rate': inf, 'name': 'adam'}",
                )
            ],
            id="optimizer argument infinite",
        ),
        pytest.param(
            {"loss": "binary_crossentropi"},
            [
                (
                    "compile.loss",
                    "unknown loss 'binary_crossentropi'; did you mean 'binary_crossentropy'?",
                )
            ],
            id="loss name",
        ),
        pytest.param(
            {"loss": {"priority": "mse", "other": "msee"}},
            [("compile.loss.other", "unknown loss 'msee'; did you mean 'mse'?")],
            id="loss name per output",
        ),
        pytest.param(
            {"loss": ["mse"]},
            [
                ("compile.loss", "expected a string; given ['mse']"),
                ("compile.loss", "expected a mapping; given ['mse']"),
            ],
            id="loss list",
        ),
        pytest.param(
            {"loss_weights": "1"},
            [
                ("compile.loss_weights", "expected a number; given '1'"),
                ("compile.loss_weights", "expected a mapping; given '1'"),
            ],
            id="loss weight string",
        ),
        pytest.param(
            {"loss_weights": {"a": "x"}},
            [("compile.loss_weights.a", "expected a number; given 'x'")],
            id="loss weight per output",
        ),
        pytest.param(
            {"loss_weights": math.nan},
            [("compile.loss_weights", "expected a finite number; given nan")],
            id="loss weight NaN",
        ),
        pytest.param(
            {"metrics": ["acuracy"]},
            [("compile.metrics[0]", "unknown metric 'acuracy'; did you mean 'accuracy'?")],
            id="metric in a list",
        ),
        pytest.param(
            {"metrics": {"a": ["accuracy", "aucc"]}},
            [("compile.metrics.a[1]", "unknown metric 'aucc'; did you mean 'auc'?")],
            id="metric per output",
        ),
        pytest.param(
            {"metrics": "accuracy"},
            [
                ("compile.metrics", "expected a list; given 'accuracy'"),
                ("compile.metrics", "expected a mapping; given 'accuracy'"),
            ],
            id="metrics a bare name",
        ),
        pytest.param(
            {"los": "mse"},
            [("compile.los", "unknown key; did you mean 'loss'?")],
            id="unknown key",
        ),
        pytest.param([], [("compile", "expected a mapping; given []")], id="not a mapping"),
        pytest.param(
            {"optimizer": "adamm", "loss": "msee", "metrics": ["acuracy"]},
            [
                ("compile.optimizer", "unknown optimizer 'adamm'; did you mean 'adam'?"),
                ("compile.loss", "unknown loss 'msee'; did you mean 'mse'?"),
                ("compile.metrics[0]", "unknown metric 'acuracy'; did you mean 'accuracy'?"),
            ],
            id="every problem at once",
        ),
    ],
)
def test_problems_are_located_with_a_close_match(section, expected):
    assert problems(section) == expected


LOSS_AB = {"loss": {"a": "mse", "b": None}, "loss_weights": {"a": 2.0}, "metrics": {"a": "mae"}}


@pytest.mark.parametrize(
    ("section", "outputs", "expected"),
    [
        (LOSS_AB, ["a", "b"], []),
        ({"loss": "mse", "metrics": ["mae"]}, ["x", "y"], []),
        (
            LOSS_AB,
            ["a", "c"],
            [("compile.loss.b", "'b' is not an output of the model; expected one of ['a', 'c']")],
        ),
        (
            LOSS_AB,
            ["b"],
            [
                ("compile.loss.a", "'a' is not an output of the model; expected one of ['b']"),
                (
                    "compile.loss_weights.a",
                    "'a' is not an output of the model; expected one of ['b']",
                ),
                ("compile.metrics.a", "'a' is not an output of the model; expected one of ['b']"),
            ],
        ),
        (
            {"metrics": {"priorty": ["accuracy"]}},
            ["priority"],
            [
                (
                    "compile.metrics.priorty",
                    "'priorty' is not an output of the model; expected one of ['priority']; "
                    "did you mean 'priority'?",
                )
            ],
        ),
        (
            {"loss": {"a": "mse"}},
            ["a", "b"],
            [
                (
                    "compile.loss",
                    "no loss for output 'b'; name one, or write `b: null` to train without it",
                )
            ],
        ),
    ],
)
def test_output_problems(section, outputs, expected):
    spec = validate(CompileSpec, section, prefix="compile")
    assert spec.output_problems(outputs) == expected


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        (
            ["a", "b"],
            {
                "optimizer": "rmsprop",
                "loss": {"a": "mse", "b": None},
                # Keras wants a weight for every output once given a dict: 1.0 for the others.
                "loss_weights": {"a": 2.0, "b": 1.0},
                "metrics": {"a": "mae"},
            },
        ),
        (
            # One output: dicts unwrapped (keras-team/keras#21513), a lone metric in a list.
            ["a"],
            {"optimizer": "rmsprop", "loss": "mse", "loss_weights": [2.0], "metrics": ["mae"]},
        ),
    ],
)
def test_keras_arguments(outputs, expected):
    spec = validate(CompileSpec, LOSS_AB, prefix="compile")
    assert spec.keras_arguments(outputs) == expected


def test_keras_arguments_make_the_optimizer_with_its_arguments():
    section = {"optimizer": {"name": "sgd", "learning_rate": 0.05, "momentum": 0.9}}
    spec = validate(CompileSpec, section, prefix="compile")
    optimizer = spec.keras_arguments(["out"])["optimizer"]
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert float(optimizer.learning_rate) == pytest.approx(0.05)
    assert optimizer.momentum == 0.9


def test_an_argument_value_keras_refuses_is_a_config_error_at_the_optimizer():
    # Validation checks argument names, not every value Keras accepts: Keras refuses a null
    # learning rate only when it makes the optimizer, and that comes back located too.
    spec = validate(
        CompileSpec, {"optimizer": {"name": "adam", "learning_rate": None}}, prefix="compile"
    )
    with pytest.raises(ConfigError) as caught:
        spec.keras_arguments(["out"])
    ((location, message),) = caught.value.problems
    assert location == "compile.optimizer"
    assert message.startswith("adam: Argument `learning_rate` should be float")
