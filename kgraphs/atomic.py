"""Atomic file output: a file is replaced whole or not at all, never left half-written.

Writers produce a temporary file beside the target (same folder, so the final rename stays on
one file system, where `os.replace` is atomic), flush it to disk, then rename it over the
target. A failure or an interrupt in between removes the temporary file and leaves the old
target as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write; it becomes `target` when the block ends without error.

    The temporary name keeps the target's suffix, since some writers (Keras's `.keras`
    saving, Graphviz) choose the format from it. Missing parent folders are created.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> with atomic_path(folder / "new" / "notes.txt") as temporary:
        ...     _ = temporary.write_text("whole")
        >>> (folder / "new" / "notes.txt").read_text()
        'whole'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".partial{target.suffix}", dir=target.parent
    )
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `target` atomically."""
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 `text` to `target` atomically."""
    return write_bytes(target, text.encode("utf-8"))
