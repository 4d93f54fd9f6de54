"""Limits on what a recipe may ask for, checked before anything is allocated."""

from __future__ import annotations

import os

# Recipes come from files people share: refuse, before anything is allocated, a config whose
# weights alone would take more than ~1 GB of float32. KGRAPHS_MAX_PARAMETERS raises the limit.
MAX_PARAMETERS = int(os.environ.get("KGRAPHS_MAX_PARAMETERS", 250_000_000))


def over_parameter_limit(count: int, *, where: str = "this config makes") -> str | None:
    """The message for `count` parameters when that is over `MAX_PARAMETERS`, else None."""
    if count <= MAX_PARAMETERS:
        return None
    return (
        f"{where} {count:,} parameters, over the limit of {MAX_PARAMETERS:,} "
        "(set KGRAPHS_MAX_PARAMETERS to allow more)"
    )
