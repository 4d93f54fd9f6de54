"""An environment variable set for the length of a block, then put back as it was."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def environment_variable(name: str, value: str) -> Iterator[None]:
    """`name` is `value` in `os.environ` while the block runs; afterwards it holds what it held
    before, or is unset again.

    Example:
        >>> with environment_variable("KGRAPHS_EXAMPLE", "1"):
        ...     os.environ["KGRAPHS_EXAMPLE"]
        '1'
        >>> "KGRAPHS_EXAMPLE" in os.environ
        False
    """
    earlier = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if earlier is None:
            del os.environ[name]
        else:
            os.environ[name] = earlier
