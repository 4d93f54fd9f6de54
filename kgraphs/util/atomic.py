"""Atomic file output: a file is replaced whole or not at all, never left half-written.

Writers produce a temporary file beside the target (same folder, so the final rename stays on
one file system, where `os.replace` is atomic), flush it to disk, then rename it over the
target. A failure or an interrupt in between removes the temporary file and leaves the old
target as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write; it becomes `target` when the block ends without error.

    The temporary name keeps the target's suffix, since some writers (Keras's `.keras`
    saving, Graphviz) choose the format from it. Missing parent folders are created. The
    file ends with the permissions a plain `open(target, "w")` gives: the existing target's
    mode when there is one, otherwise 0o666 less the umask (0o644 under the usual 022).

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
    temporary, created_mode = _create_beside(target)
    try:
        yield temporary
        # Writers may replace the file they were given (and mkstemp-style 0600 must not leak
        # into the result), so the mode is set once the content is there.
        os.chmod(temporary, _mode_of(target, default=created_mode))
        with temporary.open("rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _create_beside(target: Path) -> tuple[Path, int]:
    """A new, empty file next to `target`, and the mode the kernel gave it.

    It is created the way `open()` creates files (mode 0o666, reduced by the umask and any
    default ACL of the folder), so its mode is what a plain `open(target, "w")` would give,
    read without touching the process-wide umask (which other threads may be relying on).
    """
    while True:
        name = f".{target.stem}.{secrets.token_hex(6)}.partial{target.suffix}"
        temporary = target.with_name(name)
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        try:
            return temporary, stat.S_IMODE(os.fstat(descriptor).st_mode)
        finally:
            os.close(descriptor)


def _mode_of(target: Path, *, default: int) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return default


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `target` atomically."""
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 `text` to `target` atomically."""
    return write_bytes(target, text.encode("utf-8"))
