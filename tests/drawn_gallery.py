"""The gallery the tests drew (`kgraphs plot recipes`), kept for the site.

tests/test_gallery.py draws every shipped recipe in a `kgraphs plot` process and checks each
file; once checked, its render is kept in build/gallery/, stamped with what it was drawn from
(tests/notebook_runner.py's `stamp`: every file of kgraphs, recipes included, the locked
versions and the backend). `make docs` copies that folder when its stamp is what is here now,
and draws the gallery again otherwise, so the page cannot go stale. Two renders are the same
bytes (test_gallery checks it), so a copy is the render `make docs` would make.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from notebook_runner import stamp

ROOT = Path(__file__).resolve().parent.parent
KEPT = ROOT / "build" / "gallery"
STAMP_FILE = ".kgraphs-drawn-from.json"
DRAWN_BY = ROOT / "kgraphs" / "drawing" / "gallery.py"


def drawn_from() -> dict[str, str]:
    """What a render made now would be made from."""
    return stamp(DRAWN_BY)


def keep(folder: Path, *, ran_from: dict[str, str]) -> Path:
    """A copy of the render in `folder`, drawn from `ran_from`, as build/gallery/ (written
    whole beside it, then moved into its place)."""
    partial = KEPT.with_name(KEPT.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(folder, partial)
    (partial / STAMP_FILE).write_text(json.dumps(ran_from, sort_keys=True))
    shutil.rmtree(KEPT, ignore_errors=True)
    partial.rename(KEPT)
    return KEPT


def copy_kept(destination: Path) -> bool:
    """Copy the kept render into `destination` when it was drawn from what is here now; False
    (and nothing copied) otherwise."""
    marker = KEPT / STAMP_FILE
    if not marker.is_file() or json.loads(marker.read_text()) != drawn_from():
        return False
    shutil.copytree(KEPT, destination, ignore=shutil.ignore_patterns(STAMP_FILE))
    return True
