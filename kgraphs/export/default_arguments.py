"""Leaving out arguments equal to the defaults, so an exported recipe reads like the code.

A layer's `get_config()` lists every argument; the recipe keeps only those that differ from the
defaults in the description of Keras's layers (kgraphs.catalog), inside wrappers
(Bidirectional, TimeDistributed) too. Reading the defaults, instead of making fresh layers to
compare with, keeps `to_recipe` cheap next to building the model (`make bench`).
"""

from __future__ import annotations

import inspect
from typing import Any

from kgraphs.catalog.keras_layers import described_layers, layer_arguments
from kgraphs.export.plain_values import plain_value
from kgraphs.graph_format.builder import with_layer_modules


def short_arguments(cls: type, config: dict[str, Any]) -> dict[str, Any]:
    """`config` (plain, without a name) minus what a fresh `cls` has by default anyway.

    The defaults are read from the description of Keras's layers (kgraphs.catalog), as Keras
    writes them in a config. An argument whose default is null but whose value is not may be
    one Keras derives from another (MaxPooling2D's strides follow pool_size): those are left
    out only when a layer rebuilt without them has the same config. A class the description
    does not know is compared with fresh layers of it instead.

    Example:
        >>> import keras
        >>> config = keras.layers.Dense(8, activation="relu").get_config()
        >>> short_arguments(keras.layers.Dense, plain_value(config, "", []))
        {'units': 8, 'activation': 'relu'}
    """
    config = _with_short_wrapped(config)
    config.pop("name", None)
    if cls.__name__ not in described_layers() or _keras_layer(cls.__name__) is not cls:
        return _short_by_rebuilding(cls, config)
    described = layer_arguments(cls.__name__)
    config = _numbers_as_given(cls, described, config)
    arguments, derived = {}, []
    for key, value in config.items():
        entry = described.get(key)
        if entry is None or "default" not in entry:
            arguments[key] = value  # required, or only in configs (a lookup's vocabulary_size)
        elif value == entry.get("written", entry["default"]):
            continue
        elif entry["default"] is None and "written" not in entry:
            derived.append(key)
            arguments[key] = value
        else:
            arguments[key] = value
    missing = frozenset(config) - frozenset(arguments)
    # Some from_config methods read keys their constructors default (Rescaling's offset,
    # TextVectorization's standardize, split and ngrams): put back what this one needs.
    needed = _keys_from_config_needs(cls, missing, arguments, config) if missing else set()
    if needed is None:
        return _short_by_rebuilding(cls, config)
    arguments = {key: value for key, value in config.items() if key in arguments or key in needed}
    if derived:
        without = {key: value for key, value in arguments.items() if key not in derived}
        rebuilt = _rebuilt_config(cls, without)
        if rebuilt is not None and rebuilt == _rebuilt_config(cls, arguments):
            arguments = without
    return arguments


def _numbers_as_given(
    cls: type, described: dict[str, Any], config: dict[str, Any]
) -> dict[str, Any]:
    """`config` with the numbers Keras writes as the range they stand for (an augmentation's
    `factor=0.3` as `[0, 0.3]`, RandomShear's `x_factor=0.2` as `[-0.2, 0.2]`) written as the
    number again, where that number gives the same config: the recipe reads like the code,
    and a number is what the description of the argument (and so `build`) takes."""
    config = dict(config)
    for key, value in config.items():
        if described.get(key, {}).get("kind") not in ("number", "float", "any"):
            continue
        if not (isinstance(value, list) and len(value) == 2):
            continue
        rebuilt = _rebuilt_config(cls, config | {key: value[-1]})
        if rebuilt is not None and rebuilt.get(key) == value:
            config[key] = value[-1]
    return config


_NEEDED: dict[tuple[type, frozenset[str]], frozenset[str] | None] = {}


def _keys_from_config_needs(
    cls: type, missing: frozenset[str], arguments: dict[str, Any], config: dict[str, Any]
) -> frozenset[str] | None:
    """`_needed_keys`, found once per class and set of keys left out (ResNet50's 53
    convolutions leave out the same ones)."""
    key = (cls, missing)
    if key not in _NEEDED:
        _NEEDED[key] = _needed_keys(cls, arguments, config)
    return _NEEDED[key]


def _needed_keys(
    cls: type, arguments: dict[str, Any], config: dict[str, Any]
) -> frozenset[str] | None:
    """The keys of `config` that `cls.from_config(arguments)` cannot do without, named one at
    a time by the KeyError it raises (a from_config that reads `config["split"]` needs every
    such key at once, so trying them one by one finds none); None if it refuses `arguments`
    for any other reason."""
    needed: set[str] = set()
    for _ in range(len(config) + 1):
        try:
            cls.from_config(with_layer_modules(arguments | {k: config[k] for k in needed}))
            return frozenset(needed)
        except KeyError as error:
            name = error.args[0] if error.args else None
            if name not in config or name in needed:
                return None
            needed.add(name)
        except Exception:
            return None
    return None


def _short_by_rebuilding(cls: type, config: dict[str, Any]) -> dict[str, Any]:
    """`short_arguments` for a class without a description: its defaults are a fresh layer's,
    and the short form is checked by rebuilding from it, as `build` will."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    required = {
        p.name: config[p.name]
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.name in config
        and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    # What a fresh layer given only the required arguments has: its defaults.
    defaults = _rebuilt_config(cls, required)
    if defaults is None:
        try:  # some from_config methods need keys their constructors do not (Rescaling)
            defaults = _plain_config(cls(**required))
        except Exception:
            defaults = {}
    arguments = {
        key: value
        for key, value in config.items()
        if key in required or defaults.get(key, object()) != value
    }
    # Some defaults depend on other arguments (MaxPooling2D's strides follow pool_size), so
    # rebuild from the short form, as `build` will, and restore whatever comes out different
    # (or whatever from_config cannot do without).
    for _ in range(len(config) + 1):
        rebuilt = _rebuilt_config(cls, arguments)
        if rebuilt is None:
            needed = _needed_keys(cls, arguments, config)
            if not needed:
                missing = [key for key in config if key not in arguments]
                usable = [k for k in missing if _rebuilt_config(cls, arguments | {k: config[k]})]
                if not usable:
                    return config
                needed = {usable[0]}
            arguments.update({key: config[key] for key in needed})
            continue
        different = {k: v for k, v in config.items() if rebuilt.get(k, object()) != v}
        if not different:
            return arguments
        arguments.update(different)
    return config


def is_default(value: Any, default: Any) -> bool:
    """Whether a call argument is its parameter's default: equal and of the same type (so
    `training=0` is kept where the default is `False`)."""
    try:
        return bool(value == default) and type(value) is type(default)
    except Exception:  # arrays and other values without a plain truth value
        return False


def _keras_layer(name: str) -> Any:
    import keras

    return getattr(keras.layers, name, None)


def _rebuilt_config(cls: type, arguments: dict[str, Any]) -> dict[str, Any] | None:
    """The config of `cls.from_config(arguments)` as the exporter writes it; None if refused."""
    try:
        return _plain_config(cls.from_config(with_layer_modules(arguments)))
    except Exception:
        return None


def _plain_config(layer: Any) -> dict[str, Any]:
    """A fresh layer's config as the exporter writes configs (for comparing defaults)."""
    # A fresh layer made from plain arguments holds no code; any problem is not the model's.
    config = _with_short_wrapped(plain_value(layer.get_config(), "", []))
    config.pop("name", None)
    return config


def _with_short_wrapped(config: dict[str, Any]) -> dict[str, Any]:
    """A wrapper's config (Bidirectional, TimeDistributed) with its inner layers' defaults
    left out too, as at the top level."""
    import keras

    config = dict(config)
    for key in ("layer", "backward_layer"):
        nested = config.get(key)
        if not (isinstance(nested, dict) and isinstance(nested.get("config"), dict)):
            continue
        inner_class = getattr(keras.layers, str(nested.get("class_name")), None)
        if isinstance(inner_class, type):
            inner = nested["config"]
            config[key] = {
                "class_name": nested["class_name"],
                "config": {"name": inner.get("name")} | short_arguments(inner_class, inner),
            }
    forward, backward = config.get("layer"), config.get("backward_layer")
    if isinstance(forward, dict) and isinstance(backward, dict):
        # Bidirectional makes this backward layer itself when none is given.
        unnamed = {k: v for k, v in forward.get("config", {}).items() if k != "name"}
        reverse = unnamed | {"go_backwards": not unnamed.get("go_backwards", False)}
        inner = _name_making(forward["config"].get("name"), backward["config"].get("name"))
        if (
            inner is not None
            and {k: v for k, v in backward.get("config", {}).items() if k != "name"}
            == {k: v for k, v in reverse.items() if v is not False or k != "go_backwards"}
            and backward.get("class_name") == forward.get("class_name")
        ):
            config.pop("backward_layer")
            config["layer"] = forward | {"config": forward["config"] | {"name": inner}}
    return config


def _name_making(forward: Any, backward: Any) -> str | None:
    """The name to give a Bidirectional's layer for Keras to name its two copies `forward`
    and `backward` (`gru` makes forward_gru and backward_gru; the layer is written as its
    forward copy), or None if no name makes both (a backward layer named apart)."""
    if not (isinstance(forward, str) and isinstance(backward, str)):
        return None
    for name in (forward.removeprefix("forward_"), forward):
        made = (
            f"forward_{name.removeprefix('forward_')}",
            f"backward_{name.removeprefix('backward_')}",
        )
        if made == (forward, backward):
            return name
    return None
