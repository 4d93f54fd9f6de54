"""Hide what C++ libraries write straight to file descriptor 2 (TensorFlow's start-up lines,
LiteRT's "Created TensorFlow Lite XNNPACK delegate"), which no Python logger controls.

Example:
    >>> with silenced_stderr():
    ...     _ = os.write(2, b"from C++\\n")  # goes nowhere
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null while the block runs; Python exceptions are still
    raised, and printed by whoever catches them after."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
