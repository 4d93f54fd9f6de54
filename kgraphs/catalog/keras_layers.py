"""Every public `keras.layers` class and every optimizer, described as data.

`keras_layers.json`, beside this module, holds what `scripts/describe_keras.py` read from the
installed Keras: each layer's constructor arguments (required or with their default, their
kind, an enum's values, the bounds of common sizes and rates), its call's parameters, the
names of Keras's initializers, regularizers and constraints, and each optimizer's arguments.
`kgraphs validate` checks graph nodes and optimizers against it without importing Keras, and
the JSON Schema documents `args` from it. `tests/test_keras_catalog.py` compares the whole file
with the installed Keras.

An argument's kind is one of: boolean, integer, size (an integer or one per axis), number,
float (a number Keras refuses as an integer), enum, dtype (a name or a policy), activation,
initializer, regularizer, constraint, layer (a nested layer, `{class_name, config}`), shape (a
list of integers), string, any (not checked). "written" is a default as Keras writes it in a
config (`to_recipe` leaves out arguments equal to it).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

Argument = dict[str, Any]  # {"kind": ..., "default": ..., "required": ..., "values": [...]}


@functools.cache
def description() -> dict[str, Any]:
    """The whole description, read once (about 2 ms)."""
    return json.loads(resources.files(__package__).joinpath("keras_layers.json").read_text())


def keras_version() -> str:
    """The Keras version the description was written from."""
    return description()["keras"]


def described_layers() -> frozenset[str]:
    return frozenset(description()["layers"])


def layer_arguments(layer: str) -> dict[str, Argument]:
    """The constructor arguments of `keras.layers.<layer>` (its own and `Layer`'s), but `name`."""
    return description()["layers"][layer]["arguments"]


def call_parameters(layer: str) -> tuple[list[str], bool]:
    """The parameters of the layer's `call`, in order, and whether it takes any keyword too."""
    entry = description()["layers"][layer]
    return entry["call"], entry["call_takes_any_keyword"]


def identifiers(kind: str) -> frozenset[str]:
    """The names `keras.initializers.get` (kind "initializer"), `keras.regularizers.get` or
    `keras.constraints.get` resolve."""
    return frozenset(description()["identifiers"][kind])


def optimizer_arguments(optimizer: str) -> dict[str, Argument]:
    """The constructor arguments of the optimizer Keras names `optimizer`, but `name`."""
    return description()["optimizers"][optimizer]["arguments"]
