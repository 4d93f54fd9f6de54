"""Describe the installed Keras's layers and optimizers as data: kgraphs/catalog/keras_layers.json.

`kgraphs validate` checks every argument of every graph node, and the JSON Schema documents
them, without importing Keras or TensorFlow. They read this description, which this script
writes from the installed Keras:

- every public `keras.layers` class: its constructor arguments (its own and `Layer`'s), which
  are required, their defaults, their kinds, the values an enum argument accepts and the bounds
  of the sizes and rates users set most; and its call's parameters;
- the names of Keras's initializers, regularizers and constraints;
- every optimizer's arguments with their defaults and kinds.

Kinds come from the signature where it tells (a default of True is a boolean), from what
Keras does with a probe value (an argument that refuses `"__probe__"` and names its choices in
the error is an enum: each choice is tried and kept if Keras accepts it), and from a table of
argument names for the rest (KIND_BY_NAME: `units` is an integer in every layer).

    python scripts/describe_keras.py            # write kgraphs/catalog/keras_layers.json
    python scripts/describe_keras.py --check    # exit 1 when the file differs from Keras

tests/test_keras_catalog.py runs the check, so a Keras upgrade that adds, removes or changes
an argument fails the suite until this script is run again (`make catalog`).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import inspect
import io
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

# Keras's NumPy backend compiles nothing: on JAX, which compiles every probe's call, the same
# description took 29 s instead of 6. It gives JAX's description; TensorFlow's differs where
# its kernels accept more (its convolutions also take "SAME" and "VALID").
os.environ.setdefault("KERAS_BACKEND", "numpy")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "kgraphs" / "catalog" / "keras_layers.json"
sys.path.insert(0, str(ROOT))

# Layers a recipe may not name are described too (nothing of them is checked but the refusal).
from kgraphs.catalog.keras_names import OPTIMIZERS, REFUSED_LAYERS  # noqa: E402

PROBE = "__probe__"

# What a required argument is given when a layer is made to probe its other arguments.
SAMPLES: dict[str, Any] = {
    "units": 2,
    "filters": 2,
    "kernel_size": 3,
    "input_dim": 4,
    "output_dim": 2,
    "num_heads": 2,
    "key_dim": 2,
    "head_dim": 2,
    "num_query_heads": 2,
    "num_key_value_heads": 2,
    "rate": 0.5,
    "pool_size": 2,
    "target_shape": [2],
    "dims": [1],
    "n": 2,
    "axes": 1,
    "equation": "ab,bc->ac",
    "output_shape": [2],
    "factor": 0.1,
    "height_factor": 0.1,
    "width_factor": 0.1,
    "height": 4,
    "width": 4,
    "max_number": 2,
    "num_bins": 2,
    "output_size": 2,
    "scale": 1.0,
    "stddev": 0.1,
    "activation": "relu",
}
# A recurrent layer: what Bidirectional needs, and TimeDistributed takes too.
LAYER_SAMPLES = {"layer": ("SimpleRNN", 2), "cell": ("SimpleRNNCell", 2)}
# Inputs a layer is called on to probe the arguments Keras checks only in a call
# (UpSampling2D's interpolation): the first shape its defaults accept.
CALL_SHAPES = [(1, 4, 4, 3), (1, 4, 3), (1, 4), (1, 4, 4, 4, 3)]
# A dtype argument takes a dtype or a mixed-precision policy by name.
DTYPES = [
    "bfloat16",
    "bool",
    "float16",
    "float32",
    "float64",
    "int16",
    "int32",
    "int64",
    "int8",
    "mixed_bfloat16",
    "mixed_float16",
    "string",
    "uint8",
]

# Kinds by argument name, for the arguments whose signature does not tell (a default of None,
# or required). Sizes and counts are integers; rates are numbers; shapes are lists.
INTEGERS = {
    "units",
    "filters",
    "input_dim",
    "output_dim",
    "num_heads",
    "key_dim",
    "value_dim",
    "head_dim",
    "num_query_heads",
    "num_key_value_heads",
    "n",
    "max_tokens",
    "num_tokens",
    "output_sequence_length",
    "depth_multiplier",
    "groups",
    "seed",
    "height",
    "width",
    "num_bins",
    "max_number",
    "lora_rank",
    "num_oov_indices",
    "sequence_length",
    "max_length",
}
SIZES = {  # an integer, or one per spatial axis
    "kernel_size",
    "strides",
    "pool_size",
    "dilation_rate",
    "size",
    "output_size",
}
NUMBERS = {  # a factor or a scale may be a pair as well (RandomRotation's factor): not listed
    "rate",
    "dropout",
    "recurrent_dropout",
    "epsilon",
    "momentum",
    "stddev",
    "negative_slope",
    "max_value",
    "threshold",
    "alpha",
    "theta",
}
SHAPES = {"target_shape", "dims", "output_shape", "noise_shape"}
# Bounds of the values users set most (the schema shows them, validation checks them).
BOUNDS: dict[str, dict[str, float]] = {
    **{
        name: {"minimum": 1}
        for name in INTEGERS - {"seed", "groups", "lora_rank", "num_oov_indices"}
    },
    "groups": {"minimum": 1},
    "kernel_size": {"minimum": 1},
    "strides": {"minimum": 1},
    "pool_size": {"minimum": 1},
    "dilation_rate": {"minimum": 1},
    "size": {"minimum": 1},
    "rate": {"minimum": 0, "maximum": 1},
    "dropout": {"minimum": 0, "maximum": 1},
    "recurrent_dropout": {"minimum": 0, "maximum": 1},
    "epsilon": {"minimum": 0},
}
ENUM_WORDS = re.compile(r"""['"`]([A-Za-z_][A-Za-z0-9_]*)['"`]""")


def identifier_kind(name: str) -> str | None:
    if name == "activation" or name.endswith("_activation"):
        return "activation"
    for kind in ("initializer", "regularizer", "constraint"):
        if name == kind or name.endswith(f"_{kind}"):
            return kind
    if name in ("layer", "backward_layer"):
        return "layer"
    return None


def quietly(function, *arguments, **keywords):
    """`function(...)`, its warnings and printed output dropped: a probe's noise."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return function(*arguments, **keywords)


def attempt(make) -> Exception | None:
    try:
        quietly(make)
    except Exception as error:  # what Keras refuses the probe with
        return error
    return None


def sample(name: str):
    import keras

    if name in LAYER_SAMPLES:
        class_name, units = LAYER_SAMPLES[name]
        return getattr(keras.layers, class_name)(units)
    return SAMPLES[name]


def constructor_parameters(cls) -> list[inspect.Parameter]:
    """`cls`'s own constructor parameters, then `Layer`'s (which **kwargs reach)."""
    import keras

    own = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    takes_more = any(
        p.kind is p.VAR_KEYWORD for p in inspect.signature(cls.__init__).parameters.values()
    )
    names = {p.name for p in own}
    if takes_more:
        base = inspect.signature(keras.layers.Layer.__init__).parameters.values()
        own += [
            p for p in base if p.name not in names and p.name != "self" and p.kind is p.KEYWORD_ONLY
        ]
    return own


def described_value(value: Any) -> Any:
    """A default as plain JSON data (tuples as lists; anything else by its name)."""
    if isinstance(value, (tuple, list)):
        return [described_value(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


def kind_of(name: str, default: Any, make, call=None) -> dict[str, Any]:
    """The kind of argument `name` (with `default`, inspect's `empty` when required), and for
    enums their values; `make(**arguments)` makes the object with one argument changed, and
    `call(**arguments)` makes a layer and calls it (for the arguments checked only then)."""
    required = default is inspect.Parameter.empty
    kind = identifier_kind(name)
    if name == "dtype":  # a name, or a policy as Keras writes it ({class_name: DTypePolicy})
        entry = {"kind": "dtype", "values": [*DTYPES, None], "default": described_value(default)}
        return entry if not required else {"kind": "dtype", "values": DTYPES}
    if kind is None:
        if isinstance(default, bool):
            kind = "boolean"
        elif name in SIZES:
            kind = "size"
        elif isinstance(default, int) and attempt(lambda: make(**{name: [default]})) is None:
            kind = "size"  # an integer or a list of them (LayerNormalization's axis)
        elif isinstance(default, int) or name in INTEGERS:
            kind = "integer"
        elif (
            isinstance(default, float)
            and name not in NUMBERS
            and name.endswith("factor")
            and attempt(lambda: make(**{name: [0.0, default]})) is None
        ):
            kind = "any"  # a number or a range (RandomInvert's factor): Keras checks it
        elif isinstance(default, float) or name in NUMBERS:
            kind = "number"
        elif name in SHAPES:
            kind = "shape"  # other tuples take other forms too (ZeroPadding2D's padding)
        elif isinstance(default, str):
            kind = "string"
        else:
            kind = "any"
    entry: dict[str, Any] = {"kind": kind}
    if not required:
        entry["default"] = described_value(default)
    if kind in ("string", "any") and not required:
        values = enum_values(name, default, make) or enum_values(name, default, call)
        if values:
            entry["kind"] = "enum"
            entry["values"] = values
    if kind == "number" and not required and isinstance(default, float):
        # Some refuse an integer (an optimizer's momentum must be a float).
        whole = float(round(default))
        if attempt(lambda: make(**{name: whole})) is None and attempt(
            lambda: make(**{name: int(whole)})
        ):
            entry["kind"] = "float"
    if name in BOUNDS and kind in ("integer", "size", "number"):
        entry.update(BOUNDS[name])
    return entry


def enum_values(name: str, default: Any, make) -> list[Any]:
    """The values `name` accepts when Keras refuses a probe and names its choices; else []."""
    if make is None:
        return []
    refused = attempt(lambda: make(**{name: PROBE}))
    if refused is None:
        return []
    candidates = [word for word in ENUM_WORDS.findall(str(refused)) if word != PROBE]
    if isinstance(default, str):
        candidates.insert(0, default)
    accepted = []
    for word in dict.fromkeys(candidates):
        if attempt(lambda word=word: make(**{name: word})) is None:
            accepted.append(word)
    if len(accepted) < 2:  # one word is a value the probe happened to name, not a choice
        return []
    accepted.sort()  # Keras's messages print sets, in an order that changes between runs
    if default is None or attempt(lambda: make(**{name: None})) is None:
        accepted.append(None)  # Bidirectional's merge_mode: None too
    return accepted


def describe_layer(cls) -> dict[str, Any]:
    parameters = constructor_parameters(cls)
    required = [p.name for p in parameters if p.default is inspect.Parameter.empty]
    samples = {}
    for name in required:
        try:
            samples[name] = sample(name)
        except KeyError:
            samples = None
            break

    def make(**changed):
        if samples is None:
            raise RuntimeError("no sample for a required argument")
        return cls(**{**samples, **changed})

    can_probe = samples is not None and attempt(make) is None

    def called(shape, **changed):
        import numpy as np

        return make(**changed)(np.zeros(shape, "float32"))

    @functools.cache
    def call_shape():  # found only for the layers with an argument to probe in a call
        shapes = CALL_SHAPES if can_probe else []
        return next((s for s in shapes if attempt(lambda s=s: called(s)) is None), None)

    def call(**changed):
        if call_shape() is None:
            raise RuntimeError("no input shape the layer takes with its defaults")
        return called(call_shape(), **changed)

    arguments = {}
    for parameter in parameters:
        if parameter.name == "name":
            continue  # a node names its layer
        arguments[parameter.name] = kind_of(
            parameter.name,
            parameter.default,
            make if can_probe else _cannot_probe,
            call,
        )
        if parameter.default is inspect.Parameter.empty:
            arguments[parameter.name]["required"] = True
    # Arguments a constructor takes through **kwargs (a lookup layer's vocabulary_size, an
    # LSTM's implementation) are in the config Keras writes, which it always reads back.
    written = quietly(make).get_config() if can_probe else {}
    for name, value in written.items():
        if name in arguments or name in ("name", "module", "registered_name"):
            continue
        arguments[name] = kind_of(name, value, make if can_probe else _cannot_probe, call)
        arguments[name].pop("default", None)  # the sample's value, not a default
    if can_probe:
        add_written_defaults(arguments, make, samples)
    call = inspect.signature(cls.call).parameters.values()
    return {
        "arguments": arguments,
        "call": [p.name for p in call if p.name != "self" and p.kind is not p.VAR_KEYWORD],
        "call_takes_any_keyword": any(p.kind is p.VAR_KEYWORD for p in call),
    }


# The defaults whose written form is a serialization of the same value, never one that
# follows another argument (MaxPooling2D's strides follow its pool_size, which the two samples
# share): identifiers, the dtype policy, and the data format Keras's settings give.
WRITTEN_KINDS = {"activation", "initializer", "regularizer", "constraint"}
WRITTEN_NAMES = {"dtype", "data_format"}


def other_sample(value: Any) -> Any:
    """Another value of a required argument's sample, to see which defaults follow it."""
    import keras

    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2
    if isinstance(value, list):
        return [other_sample(item) for item in value]
    if isinstance(value, keras.layers.Layer):
        return type(value)(3)
    return value


def add_written_defaults(arguments: dict[str, Any], make, samples: dict[str, Any]) -> None:
    """Each default as Keras writes it in a layer's config (`"glorot_uniform"` becomes
    `{class_name: GlorotUniform, config: {...}}`, `activation=None` becomes `"linear"`), in
    kgraphs' plain form, under "written": `to_recipe` leaves out an argument whose value is
    its default written so. Only WRITTEN_KINDS and WRITTEN_NAMES, and only where two layers
    made with different required arguments write the same value."""
    from kgraphs.export.plain_values import plain_value

    def written(**required):
        config = quietly(make, **required).get_config()
        return plain_value(config, "", [])

    first = written()
    try:
        second = written(**{name: other_sample(value) for name, value in samples.items()})
    except Exception:  # the other sample is refused: no default is known to stand alone
        return
    for name, entry in arguments.items():
        if "default" not in entry or name not in first or first[name] != second.get(name):
            continue
        if first[name] != entry["default"] and (
            entry["kind"] in WRITTEN_KINDS or name in WRITTEN_NAMES
        ):
            entry["written"] = first[name]


def _cannot_probe(**changed):
    raise RuntimeError("the layer cannot be made with sample arguments")


def describe_optimizer(name: str) -> dict[str, Any]:
    import keras

    cls = type(keras.optimizers.get(name))
    signature = inspect.signature(cls.__init__).parameters.values()
    arguments = {}
    for parameter in signature:
        if parameter.name in ("self", "name") or parameter.kind in (
            parameter.VAR_KEYWORD,
            parameter.VAR_POSITIONAL,
        ):
            continue
        arguments[parameter.name] = kind_of(
            parameter.name, parameter.default, lambda **changed: cls(**changed)
        )
    return {"class": cls.__name__, "arguments": arguments}


def identifier_names(module) -> list[str]:
    """The names `keras.<module>.get` resolves: classes and their snake_case aliases, without
    the abstract base class."""
    abstract = {"Initializer", "initializer", "Regularizer", "regularizer"}
    abstract |= {"Constraint", "constraint"}
    return sorted(set(module.ALL_OBJECTS_DICT) - abstract)


def describe() -> dict[str, Any]:
    import keras
    from keras.src import constraints, initializers, regularizers

    layers = {}
    for name in sorted(dir(keras.layers)):
        cls = getattr(keras.layers, name)
        if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)):
            continue
        if name in REFUSED_LAYERS:
            continue
        layers[name] = describe_layer(cls)
    return {
        "keras": keras.__version__,
        "layers": layers,
        "identifiers": {
            "initializer": identifier_names(initializers),
            "regularizer": identifier_names(regularizers),
            "constraint": identifier_names(constraints),
        },
        "optimizers": {name: describe_optimizer(name) for name in sorted(OPTIMIZERS)},
    }


def as_text(description: dict[str, Any]) -> str:
    return json.dumps(description, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    arguments = parser.parse_args(argv)
    text = as_text(describe())
    if arguments.check:
        written = OUTPUT.read_text()
        if written != text:
            import difflib

            difference = difflib.unified_diff(
                written.splitlines(), text.splitlines(), "written", "Keras now", lineterm=""
            )
            print("\n".join(list(difference)[:60]), file=sys.stderr)
            print(
                f"{OUTPUT.relative_to(ROOT)} differs from the installed Keras: run `make catalog`",
                file=sys.stderr,
            )
            return 1
        return 0
    from kgraphs.util.atomic import write_text

    write_text(OUTPUT, text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
