"""Which Keras backend kgraphs runs on: Keras's own choice, read without importing Keras.

kgraphs never picks a backend. Keras takes `KERAS_BACKEND` when it is set and not empty,
else the `backend` of `keras.json` in `$KERAS_HOME` (by default `~/.keras`, or `/tmp/.keras`
when the home folder is not writable), else TensorFlow. `backend()` follows the same rule, so
`kgraphs --version` can say which backend a run will use without the seconds an import of
TensorFlow takes; once Keras is imported, Keras's answer is returned.

Example:
    >>> backend() in ("tensorflow", "jax", "torch", "numpy", "openvino")
    True
    >>> describe_backend().startswith(backend() + " (")  # 'tensorflow (from KERAS_BACKEND)'
    True

"""

from __future__ import annotations

import json
import os
import sys

DEFAULT_BACKEND = "tensorflow"


def backend() -> str:
    """The name of the Keras backend this process uses (or will use once Keras loads)."""
    if "keras" in sys.modules:
        return sys.modules["keras"].config.backend()
    chosen = os.environ.get("KERAS_BACKEND")
    return chosen if chosen else backend_source()[0]


def backend_source() -> tuple[str, str]:
    """The backend that `keras.json` (or Keras's default) names, and where it comes from."""
    path = os.path.join(keras_folder(), "keras.json")
    try:
        with open(os.path.expanduser(path)) as file:
            config = json.load(file)
    except (OSError, ValueError):  # missing or unreadable: Keras falls back the same way
        return DEFAULT_BACKEND, "Keras's default"
    if not isinstance(config, dict):
        return DEFAULT_BACKEND, "Keras's default"
    return str(config.get("backend", DEFAULT_BACKEND)), path


def describe_backend() -> str:
    """`tensorflow (from KERAS_BACKEND)`: the backend and why."""
    if "keras" in sys.modules:
        return f"{backend()} (Keras is loaded)"
    if os.environ.get("KERAS_BACKEND"):
        return f"{os.environ['KERAS_BACKEND']} (from KERAS_BACKEND)"
    name, source = backend_source()
    return f"{name} (from {source})"


def keras_folder() -> str:
    """Keras's configuration folder, as `keras.src.backend.config` works it out."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")
