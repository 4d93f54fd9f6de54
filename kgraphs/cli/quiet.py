"""TensorFlow's and JAX's C++ start-up lines, hidden unless `--verbose`.

TensorFlow writes them to file descriptor 2 from C++ before any Python logging is set up, so
no environment variable hides them all; `quiet_tensorflow` points the descriptor at /dev/null
while Keras starts.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from kgraphs.util.stderr import silenced_stderr


def _start_keras() -> None:
    """Import Keras and start what logs from C++ on its first use, whatever the backend."""
    import importlib.util

    import keras

    backend = keras.config.backend()
    if backend == "jax":
        import jax

        jax.devices()  # the PjRt client logs its devices when it starts
    if backend != "tensorflow" and importlib.util.find_spec("tensorflow") is not None:
        # Keras imports an installed TensorFlow, whatever its backend, the first time it
        # serializes a layer (serialization_lib checks for tf.TensorShape): saving, exporting
        # and drawing all do; import it now, while its start-up lines go nowhere.
        import tensorflow  # noqa: F401


@contextlib.contextmanager
def quiet_tensorflow(verbose: bool) -> Iterator[None]:
    """Import Keras (and TensorFlow) with their C++ start-up lines hidden.

    TensorFlow writes those lines to file descriptor 2 from C++ before any Python logging is
    set up, so no environment variable hides them; the descriptor is pointed at /dev/null for
    the start-up only, and Python-level errors are still raised and printed normally.
    """
    if not verbose and "keras" not in sys.modules:
        with silenced_stderr():
            _start_keras()
        import logging

        logging.getLogger("tensorflow").setLevel(logging.ERROR)
    yield
