"""The snapshot of Keras names used for TensorFlow-free validation matches the installed Keras."""

import keras
import pytest
from keras.src.activations import ALL_OBJECTS_DICT as ACTIVATION_OBJECTS
from keras.src.losses import ALL_OBJECTS_DICT as LOSS_OBJECTS
from keras.src.metrics import ALL_OBJECTS_DICT as METRIC_OBJECTS
from keras.src.optimizers import ALL_OBJECTS_DICT as OPTIMIZER_OBJECTS

from kgraphs.catalog import keras_names

ABSTRACT = {"Loss", "Metric", "metric"}


def _resolvable(get, registry):
    names = set()
    for name in registry:
        try:
            get(name)
        except Exception:
            continue
        names.add(name)
    return names - ABSTRACT


@pytest.mark.parametrize(
    ("snapshot", "get", "registry"),
    [
        (keras_names.ACTIVATIONS, keras.activations.get, ACTIVATION_OBJECTS),
        (keras_names.LOSSES, keras.losses.get, LOSS_OBJECTS),
        (keras_names.OPTIMIZERS, keras.optimizers.get, OPTIMIZER_OBJECTS),
        (keras_names.METRICS, keras.metrics.get, METRIC_OBJECTS),
    ],
    ids=["activations", "losses", "optimizers", "metrics"],
)
def test_snapshot_matches_installed_keras(snapshot, get, registry):
    assert snapshot == _resolvable(get, registry)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("acuracy", "accuracy"), ("Acuracy", "Accuracy"), ("ACURACY", "Accuracy")],
)
def test_a_close_match_among_names_that_differ_in_case_follows_the_words_case(word, expected):
    """Keras names "accuracy" and "Accuracy"; which a frozenset yields first changes with the
    process's hash seed, and the suggestion must not."""
    from kgraphs.util.errors import close_match

    for candidates in (["accuracy", "Accuracy"], ["Accuracy", "accuracy"], keras_names.METRICS):
        assert close_match(word, candidates) == expected
