"""What a collapsed diagram's boxes show, and the one check of those options that `plot` and
the interactive page share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from kgraphs.util.errors import ConfigError, did_you_mean


@dataclass(frozen=True)
class Style:
    """What each box shows (the `plot` options that apply to collapsed diagrams)."""

    rankdir: str = "TB"
    show_shapes: bool = True
    show_dtype: bool = False
    show_layer_names: bool = True
    show_layer_activations: bool = True
    show_trainable: bool = False
    show_params: bool = False


DEFAULT_STYLE = Style()
# The options a caller passes; `show_params` is a keyword of its own in `plot`.
STYLE_OPTIONS = frozenset(field.name for field in fields(Style)) - {"show_params"}


def check_style_options(
    options: Mapping[str, Any], *, unknown: str, full_only: Iterable[str] = ()
) -> None:
    """Refuse, all at once, every option that is not a `Style` option: `unknown` says what the
    options are of ("unknown plot option"); an option in `full_only` (Keras's `model_to_dot`
    options) is named as one that needs every layer drawn."""
    full_only = set(full_only)
    problems = []
    for name in options:
        if name in STYLE_OPTIONS:
            continue
        if name in full_only:
            message = "applies to full diagrams only; pass depth=None to draw every layer"
        else:
            message = (
                f"{unknown}; expected one of {sorted(STYLE_OPTIONS)}"
                f"{did_you_mean(name, STYLE_OPTIONS)}"
            )
        problems.append((name, message))
    if problems:
        raise ConfigError(problems)
