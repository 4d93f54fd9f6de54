"""The snapshot of Keras names used for TensorFlow-free validation matches the installed Keras."""

import keras
import pytest
from keras.src.activations import ALL_OBJECTS_DICT as ACTIVATION_OBJECTS
from keras.src.losses import ALL_OBJECTS_DICT as LOSS_OBJECTS
from keras.src.metrics import ALL_OBJECTS_DICT as METRIC_OBJECTS
from keras.src.optimizers import ALL_OBJECTS_DICT as OPTIMIZER_OBJECTS

from kgraphs.catalog import keras_names

pytestmark = pytest.mark.backend_independent(
    reason="Keras's names and signatures are the same on every backend"
)

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


def _public_layer_classes() -> set[str]:
    """The names in `dir(keras.layers)` that are Layer classes (aliases such as Convolution2D
    included): what a graph recipe's `layer` may name."""
    return {
        name
        for name in dir(keras.layers)
        if isinstance(getattr(keras.layers, name), type)
        and issubclass(getattr(keras.layers, name), keras.layers.Layer)
    }


def test_layers_snapshot_is_every_public_layer_class():
    live = _public_layer_classes()
    missing, gone = sorted(live - keras_names.LAYERS), sorted(keras_names.LAYERS - live)
    assert not missing and not gone, (
        f"keras.layers changed: add {missing} to and remove {gone} from LAYERS in "
        "kgraphs/catalog/keras_names.py (and to REFUSED_LAYERS if a new class runs code)"
    )


def test_layers_snapshot_is_not_empty_and_holds_the_common_layers():
    # Guards the comparison above against both sides being empty after a Keras reshuffle.
    assert {"Dense", "Conv2D", "LSTM", "Embedding", "MultiHeadAttention"} <= keras_names.LAYERS
    assert len(keras_names.LAYERS) > 100


@pytest.mark.parametrize("name", sorted(keras_names.REFUSED_LAYERS))
def test_every_refused_layer_is_a_public_layer_class(name):
    assert name in _public_layer_classes(), (
        f"keras.layers.{name} is no longer a public Layer class: remove it from "
        "REFUSED_LAYERS in kgraphs/catalog/keras_names.py (or rename it there)"
    )
    assert name in keras_names.LAYERS
