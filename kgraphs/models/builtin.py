"""The built-in architectures' names and modules, read from the folder without importing them.

Each module of `kgraphs/models/architectures/` is named after the architecture it registers
(a test checks this), so a new architecture is found here the moment its file exists. Nothing
else is imported, so `import kgraphs` can list the architectures' factories for free.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

ARCHITECTURES_PACKAGE = "kgraphs.models.architectures"
BUILTIN = {
    info.name: f"{ARCHITECTURES_PACKAGE}.{info.name}"
    for info in pkgutil.iter_modules([str(Path(__file__).with_name("architectures"))])
    if not info.name.startswith("_")
}
