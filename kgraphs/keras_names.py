"""Keras's registered names, snapshotted so that recipes are checked without importing TensorFlow.

Recipes name activations, losses, optimizers and metrics by their Keras string names. Checking
them against live Keras would import TensorFlow (about 3 s), which `kgraphs validate` must not
do. `tests/test_keras_names.py` compares this snapshot with the installed Keras, so an upgrade
that adds or removes a name fails loudly instead of rotting quietly.
"""

from __future__ import annotations

from kgraphs.errors import did_you_mean

ACTIVATIONS = frozenset(
    {
        "celu",
        "elu",
        "exponential",
        "gelu",
        "glu",
        "hard_shrink",
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "hard_tanh",
        "leaky_relu",
        "linear",
        "log_sigmoid",
        "log_softmax",
        "mish",
        "relu",
        "relu6",
        "selu",
        "sigmoid",
        "silu",
        "soft_shrink",
        "softmax",
        "softplus",
        "softsign",
        "sparse_plus",
        "sparse_sigmoid",
        "sparsemax",
        "squareplus",
        "swish",
        "tanh",
        "tanh_shrink",
        "threshold",
    }
)

LOSSES = frozenset(
    {
        "BCE",
        "BinaryCrossentropy",
        "BinaryFocalCrossentropy",
        "CTC",
        "CategoricalCrossentropy",
        "CategoricalFocalCrossentropy",
        "CategoricalHinge",
        "Circle",
        "CosineSimilarity",
        "Dice",
        "Hinge",
        "Huber",
        "KLD",
        "KLDivergence",
        "LogCosh",
        "MAE",
        "MAPE",
        "MSE",
        "MSLE",
        "MeanAbsoluteError",
        "MeanAbsolutePercentageError",
        "MeanSquaredError",
        "MeanSquaredLogarithmicError",
        "Poisson",
        "SparseCategoricalCrossentropy",
        "SquaredHinge",
        "Tversky",
        "bce",
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_hinge",
        "circle",
        "cosine_similarity",
        "ctc",
        "dice",
        "hinge",
        "huber",
        "kl_divergence",
        "kld",
        "log_cosh",
        "mae",
        "mape",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_error",
        "mean_squared_logarithmic_error",
        "mse",
        "msle",
        "poisson",
        "sparse_categorical_crossentropy",
        "squared_hinge",
        "tversky",
    }
)

OPTIMIZERS = frozenset(
    {
        "adadelta",
        "adafactor",
        "adagrad",
        "adam",
        "adamax",
        "adamw",
        "ftrl",
        "lion",
        "muon",
        "nadam",
        "rmsprop",
        "schedulefreeadamw",
        "sgd",
    }
)

METRICS = frozenset(
    {
        "AUC",
        "Accuracy",
        "BCE",
        "BinaryAccuracy",
        "BinaryCrossentropy",
        "BinaryIoU",
        "CategoricalAccuracy",
        "CategoricalCrossentropy",
        "CategoricalHinge",
        "ConcordanceCorrelation",
        "CosineSimilarity",
        "F1Score",
        "FBetaScore",
        "FalseNegatives",
        "FalsePositives",
        "Hinge",
        "KLDivergence",
        "LogCoshError",
        "MAE",
        "MAPE",
        "MSE",
        "MSLE",
        "Mean",
        "MeanAbsoluteError",
        "MeanAbsolutePercentageError",
        "MeanSquaredError",
        "MeanSquaredLogarithmicError",
        "PearsonCorrelation",
        "Poisson",
        "Precision",
        "R2Score",
        "Recall",
        "RootMeanSquaredError",
        "SparseCategoricalAccuracy",
        "SparseCategoricalCrossentropy",
        "SparseTopKCategoricalAccuracy",
        "SquaredHinge",
        "Sum",
        "TopKCategoricalAccuracy",
        "TrueNegatives",
        "TruePositives",
        "accuracy",
        "auc",
        "bce",
        "binary_accuracy",
        "binary_crossentropy",
        "binary_io_u",
        "categorical_accuracy",
        "categorical_crossentropy",
        "categorical_hinge",
        "concordance_correlation",
        "cosine_similarity",
        "f1_score",
        "f_beta_score",
        "false_negatives",
        "false_positives",
        "hinge",
        "kl_divergence",
        "log_cosh_error",
        "mae",
        "mape",
        "mean",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_error",
        "mean_squared_logarithmic_error",
        "mse",
        "msle",
        "pearson_correlation",
        "poisson",
        "precision",
        "r2_score",
        "recall",
        "root_mean_squared_error",
        "sparse_categorical_accuracy",
        "sparse_categorical_crossentropy",
        "sparse_top_k_categorical_accuracy",
        "squared_hinge",
        "sum",
        "top_k_categorical_accuracy",
        "true_negatives",
        "true_positives",
    }
)

# `compile(metrics=...)` also resolves these itself, choosing binary, categorical or sparse
# versions from the shapes of the targets.
COMPILE_METRIC_ALIASES = frozenset({"acc", "accuracy", "ce", "crossentropy"})


def check_name(kind: str, names: frozenset[str]):
    """A validator accepting only `names`, with a close match in the error."""

    def check(value: str) -> str:
        if value not in names:
            raise ValueError(f"unknown {kind} {value!r}{did_you_mean(value, names)}")
        return value

    return check
