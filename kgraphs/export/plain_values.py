"""Keras config values as plain recipe values: data passes, code and foreign objects are problems.

A recipe never carries code, not even inert marshalled bytes: a Python function, a lambda, an
object from a module outside Keras or a custom registered object becomes a problem at its
dotted location (appended to the caller's list, so that export reports every one at once) and
`None` in the value.
"""

from __future__ import annotations

import inspect
from typing import Any


def plain_value(value: Any, at: str, problems: list[tuple[str, str]]) -> Any:
    """A config value as plain data; code and foreign objects are problems, never data.

    Example:
        >>> import numpy as np
        >>> problems = []
        >>> plain_value({"units": np.int64(3), "rate": np.float64(0.5)}, "dense.args", problems)
        {'units': 3, 'rate': 0.5}
        >>> plain_value(len, "dense.args.activation", problems)
        >>> problems[0][0]
        'dense.args.activation'
    """
    import numpy as np

    if isinstance(value, dict):
        return _plain_mapping(value, at, problems)
    if isinstance(value, (list, tuple)):
        return [plain_value(item, f"{at}[{i}]", problems) for i, item in enumerate(value)]
    if isinstance(value, np.generic):  # before float: np.float64 is a float YAML cannot write
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "shape") and hasattr(value, "dtype"):  # numpy or backend arrays
        return np.asarray(value).tolist()
    if callable(value):
        described = getattr(value, "__name__", type(value).__name__)
        problems.append(
            (
                at,
                f"a Python function ({described}); recipes never carry code: use one of "
                "Keras's names for it (an activation like 'relu', a string option)",
            )
        )
        return None
    problems.append((at, f"a {type(value).__name__} object; recipes hold plain data"))
    return None


def python_scalar(value: Any) -> Any:
    """A numpy (or backend) scalar as the Python value it holds; anything else unchanged."""
    return value.item() if hasattr(value, "item") else value


def shortest_float(value: Any) -> float:
    """A numpy float as the shortest Python float that reads back as the same value in its own
    precision: float32 `0.82065779` as `0.8206578`, not `0.8206577897071838`.

    Example:
        >>> import numpy as np
        >>> shortest_float(np.float32(0.82065779))
        0.8206578
    """
    return float(str(value))  # numpy writes a float as the shortest text that reads back


def _plain_mapping(value: dict, at: str, problems: list[tuple[str, str]]) -> Any:
    """A config dict: serialized Keras objects keep their class and config, nothing else."""
    import keras

    class_name = value.get("class_name")
    module = value.get("module")
    if class_name in ("function", "__lambda__") or _is_marshalled_lambda(value):
        what = value.get("config") if class_name == "function" else "a lambda"
        problems.append(
            (
                at,
                f"a Python function ({what}); recipes never carry code: use one of "
                "Keras's names for it (an activation like 'relu', a Keras initializer)",
            )
        )
        return None
    if isinstance(module, str) and not (module == "keras" or module.startswith("keras.")):
        keras_class = getattr(keras.initializers, str(class_name), None)
        config = value.get("config") or {}
        if (
            module.startswith("tensorflow.")
            and keras_class is not None
            and set(config) <= set(inspect.signature(keras_class.__init__).parameters)
        ):
            # tf.random_uniform_initializer and friends: Keras's class of the same name
            # draws from the same distribution with the same arguments.
            return {
                "class_name": class_name,
                "config": plain_value(config, f"{at}.config", problems),
            }
        problems.append(
            (
                at,
                f"{class_name} from {module}; recipes name Keras's own objects only "
                f"(keras.initializers, keras.regularizers, ...)",
            )
        )
        return None
    registered = value.get("registered_name")
    if class_name is not None and registered not in (None, class_name):
        problems.append(
            (at, f"{registered!r} is a custom registered object; recipes hold Keras's own")
        )
        return None
    result = {k: plain_value(v, f"{at}.{k}", problems) for k, v in value.items()}
    if class_name is not None:  # Keras bookkeeping a recipe does not need
        for key in ("module", "registered_name", "build_config"):
            result.pop(key, None)
    return result


# The kinds of small Keras objects whose config holds their constructor's arguments.
_CONSTRUCTED_FROM_CONFIG = ("initializers", "regularizers", "constraints")


def without_default_arguments(value: Any) -> Any:
    """`value` (plain arguments) with each initializer, regularizer and constraint in it
    written without the arguments equal to its constructor's defaults:
    `{class_name: VarianceScaling, config: {scale: 2.0, mode: fan_out}}`, not with
    `seed: null, input_axes: null, ...`.

    Example:
        >>> he_normal = {"class_name": "HeNormal", "config": {"seed": None}}
        >>> without_default_arguments({"units": 4, "kernel_initializer": he_normal})
        {'units': 4, 'kernel_initializer': {'class_name': 'HeNormal', 'config': {}}}
    """
    if isinstance(value, list):
        return [without_default_arguments(item) for item in value]
    if not isinstance(value, dict):
        return value
    value = {key: without_default_arguments(item) for key, item in value.items()}
    if isinstance(value.get("class_name"), str) and isinstance(value.get("config"), dict):
        value["config"] = _shorter_config(value["class_name"], value["config"])
    return value


def _shorter_config(class_name: str, config: dict) -> dict:
    """`config` without its defaults, unless Keras makes another object of the shorter one
    (Constant's from_config reads `value` itself)."""
    import keras

    classes = [getattr(getattr(keras, kind), class_name, None) for kind in _CONSTRUCTED_FROM_CONFIG]
    cls = next((c for c in classes if isinstance(c, type)), None)
    if cls is None:
        return config
    try:
        parameters = inspect.signature(cls.__init__).parameters
        shorter = {
            key: item
            for key, item in config.items()
            if key not in parameters
            or parameters[key].default is inspect.Parameter.empty
            or parameters[key].default != item
        }
        if shorter != config and (
            cls.from_config(dict(shorter)).get_config()
            != cls.from_config(dict(config)).get_config()
        ):
            return config
    except Exception:  # whatever Keras makes of it, what it wrote is safe to keep
        return config
    return shorter


def _is_marshalled_lambda(value: dict) -> bool:
    # Keras serializes a lambda activation as {"value": (base64 bytecode, defaults, closure)}.
    code = value.get("value")
    return set(value) == {"value"} and isinstance(code, (list, tuple)) and bool(code)
