"""Limits on what a recipe may allocate, checked before anything is, and the structure-only
scope in which nothing is.

A recipe's size is no limit: drawing, counting and comparing a model of 70 billion parameters
needs only its structure (`without_weights`). Its memory is: where weights are really allocated
(`kgraphs.build`, an architecture's factory, what trains), a model over `MAX_PARAMETERS` is
refused before the first weight exists, with the estimate in the message.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

# Recipes come from files people share: refuse, before anything is allocated, a config whose
# weights alone would take more than ~1 GB of float32 (four times that to train with Adam:
# weights, gradients and two moments). KGRAPHS_MAX_PARAMETERS raises the limit.
MAX_PARAMETERS = int(os.environ.get("KGRAPHS_MAX_PARAMETERS", 250_000_000))
# Keras keeps variables in float32, under mixed precision too.
BYTES_PER_PARAMETER = 4
STRUCTURE_ONLY_COMMANDS = (
    "`kgraphs plot`, `summary`, `diff` and `validate --shapes` draw, count and compare it "
    "without weights, as does kgraphs.build(recipe, weights=False)"
)


def over_parameter_limit(count: int, *, where: str = "this config makes") -> str | None:
    """The message for allocating `count` parameters when that is over `MAX_PARAMETERS`, with
    the memory they would take and the commands that need none of it; else None.

    Example:
        >>> over_parameter_limit(100) is None
        True
        >>> print(over_parameter_limit(7_000_000_000, where="the model has"))  # doctest: +ELLIPSIS
        the model has 7,000,000,000 parameters: about 28.0 GB of float32 weights ..., over ...
    """
    if count <= MAX_PARAMETERS:
        return None
    needed = count * BYTES_PER_PARAMETER / 1e9
    memory = _memory_bytes()
    machine = "" if memory is None else f" (this machine has {memory / 1e9:.1f} GB)"
    return (
        f"{where} {count:,} parameters: about {needed:.1f} GB of float32 weights{machine}, "
        f"over the limit of {MAX_PARAMETERS:,} parameters that kgraphs allocates (set "
        f"KGRAPHS_MAX_PARAMETERS to allow more); {STRUCTURE_ONLY_COMMANDS}"
    )


def _memory_bytes() -> int | None:
    """This machine's physical memory, where the system says."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):  # not POSIX
        return None


@contextlib.contextmanager
def without_weights() -> Iterator[None]:
    """Build layers and models as structure only: shapes, dtypes and `count_params()`, with no
    weight allocated (Keras's `StatelessScope(initialize_variables=False)`: Dense layers of
    billions of parameters in milliseconds).

    Keras keeps the variables it did not initialize in a list, to initialize them when the next
    stateless scope closes (a symbolic call opens one); they are taken off that list here, so a
    structure built in this scope never allocates later. Its models cannot run.
    """
    import keras
    from keras.src.backend.common import global_state

    pending = list(global_state.get_global_attribute("uninitialized_variables") or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        global_state.set_global_attribute("uninitialized_variables", pending)


def allocates_weights() -> bool:
    """Whether layers built now allocate their weights (not inside `without_weights`)."""
    from keras.src.backend.common.stateless_scope import get_stateless_scope

    scope = get_stateless_scope()
    return scope is None or scope.initialize_variables


@contextlib.contextmanager
def allocating() -> Iterator[None]:
    """Allocate weights again inside `without_weights`, for the few layers whose build needs
    values, not only shapes: a stateful RNN makes its state variables from zeros (Keras refuses
    that in a stateless scope). Such layers are small next to what the scope leaves out."""
    from keras.src.backend.common import global_state

    scope = global_state.get_global_attribute("stateless_scope")
    global_state.set_global_attribute("stateless_scope", None)
    try:
        yield
    finally:
        global_state.set_global_attribute("stateless_scope", scope)
