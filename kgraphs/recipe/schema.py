"""The JSON Schema of recipes, for editors: completion, hover and errors while a recipe is typed.

`kgraphs schema -o recipe.schema.json` writes it; a YAML recipe whose first line is
`# yaml-language-server: $schema=recipe.schema.json` (a path relative to the recipe) gets it in
VS Code's YAML extension and any editor that runs yaml-language-server. It is generated from
the pydantic models that validate recipes, in draft 7 (the newest yaml-language-server reads):

- `architecture` picks its config by `if`/`then`, one per architecture: exactly one `then`
  applies, so completion and errors inside `config` are that architecture's alone, and an
  unknown name is one `enum` error listing the names. (A `oneOf` of one envelope per
  architecture validates the same, but a mistake inside `config` fails every branch, and
  validators report the other branches' `'ticket_priority' was expected` instead of it.)
- Every value under `config` and `compile`, nested ones too, may be a search space instead:
  `anyOf` the value's schema and `SearchSpace`, whose `search` picks its own fields the same way.
- Names kgraphs checks against its snapshot of Keras (activations, losses, metrics, optimizers,
  a graph node's layer class and op) are `enum`s, so an editor offers them.

The schema is never stricter than kgraphs. What only kgraphs checks: references between fields
(`compile` keys are output names, a graph's wiring, an image big enough for its conv stages),
parameter budgets, strict numbers (`32.0` is no integer to kgraphs), and the values a search
space can produce.

Example:
    >>> schema = recipe_schema()
    >>> schema["$schema"], schema["properties"]["architecture"]["enum"][:2]
    ('http://json-schema.org/draft-07/schema#', ['decoder_lm', 'graph'])
    >>> print(modeline("my_recipes/tuned.yaml"), end="")  # run in the repository's root
    # yaml-language-server: $schema=../kgraphs/recipe.schema.json
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from kgraphs.catalog.keras_layers import Argument, described_layers, identifiers, layer_arguments
from kgraphs.catalog.keras_names import LAYERS, REFUSED_LAYERS
from kgraphs.graph_format.ops import OPS
from kgraphs.models import registry
from kgraphs.recipe.compile_spec import CompileSpec
from kgraphs.recipe.loading import Envelope
from kgraphs.recipe.search_space import SPACE_CLASSES as SPACES

DRAFT_7 = "http://json-schema.org/draft-07/schema#"
# Shipped with the package (and linked from the repository's root): what modelines point at.
SCHEMA_FILE = Path(__file__).parent.parent / "recipe.schema.json"
_SEARCH = {"$ref": "#/definitions/SearchSpace"}
# A graph node's `layer` and `op` are checked in `graph_problems` (for their own messages),
# not by the fields' types, so their names are added here.
_NODE_NAMES = {"layer": LAYERS - REFUSED_LAYERS.keys(), "op": frozenset(OPS)}
# Keywords after draft 7 that pydantic may write; the ones with a draft-7 form are converted.
_NEWER = {"$defs", "unevaluatedItems", "unevaluatedProperties", "dependentRequired",
          "dependentSchemas", "$anchor", "$dynamicRef", "$dynamicAnchor", "minContains",
          "maxContains", "deprecated"}  # fmt: skip
_ANNOTATIONS = ("description", "default", "examples")
# A misspelt name in a list longer than this gets a short message (`errorMessage`, which VS
# Code and yaml-language-server show instead of "Value is not accepted. Valid values: ...").
_LISTED = 16
_ENVELOPE_NOTES = {
    "version": "The recipe format's version: 1.",
    "architecture": "A registered architecture (`kgraphs list`); it decides the config's fields.",
    "name": "The Keras model's name (default: the architecture's).",
    "description": "One line, shown in diagrams' galleries and by `kgraphs list`.",
    "config": "The architecture's fields; those left out take their defaults.",
    "compile": "How `build` compiles the model: optimizer, loss, loss_weights, metrics.",
}


def recipe_schema() -> dict[str, Any]:
    """The JSON Schema (draft 7) of recipe files, discriminated by `architecture`."""
    names = registry.names()
    configs = {name: registry.get(name).config_class for name in names}
    definitions = _definitions([Envelope, CompileSpec, *configs.values(), *SPACES.values()])
    envelope = definitions.pop(Envelope.__name__)
    properties = envelope["properties"]
    for field, note in _ENVELOPE_NOTES.items():
        properties[field]["description"] = note
    properties["architecture"] |= {"enum": names}
    properties["config"] = {"description": properties["config"]["description"], "type": "object"}
    properties["compile"] = _searchable(properties["compile"])
    return {
        "$schema": DRAFT_7,
        "$comment": "Written by `kgraphs schema` from the models that validate recipes.",
        "title": "kgraphs recipe",
        "description": "A Keras model as data: an architecture, its config and how to compile it.",
        **{key: envelope[key] for key in ("type", "properties", "required")},
        "additionalProperties": False,
        "allOf": [
            {
                "if": {
                    "properties": {"architecture": {"const": name}},
                    "required": ["architecture"],
                },
                "then": {
                    "properties": {
                        "config": _searchable(
                            {
                                "description": registry.get(name).summary,
                                "$ref": f"#/definitions/{configs[name].__name__}",
                            }
                        )
                    }
                },
            }
            for name in names
        ],
        "definitions": dict(sorted(definitions.items())),
    }


def _definitions(models: list[type[BaseModel]]) -> dict[str, Any]:
    """The models' schemas by class name, in draft 7, values open to search spaces, names
    listed once each, and `SearchSpace`."""
    generator = _Generator(ref_template="#/definitions/{model}")
    _, generated = generator.generate_definitions(
        [(model, "validation", model.__pydantic_core_schema__) for model in models]
    )
    definitions = {name: _draft_7(schema) for name, schema in generated.items()}
    for model in _with_nested(models):
        for field, note in _comments(model).items():
            definitions[model.__name__]["properties"][field].setdefault("description", note)
    for field, names in _NODE_NAMES.items():
        definitions["GraphNode"]["properties"][field]["anyOf"][0]["enum"] = sorted(names)
    spaces = {space.__name__: kind for kind, space in SPACES.items()}
    for name, schema in definitions.items():
        if name not in spaces and name != Envelope.__name__:
            definitions[name] = _open(schema)  # the values inside configs may be searched
    lists = {f"{kind.capitalize()}Name": names for kind, names in generator.name_lists.items()}
    lists |= {f"{kind.capitalize()}Name": names for kind, names in _NODE_NAMES.items()}
    definitions = {name: _named(schema, lists) for name, schema in definitions.items()}
    definitions |= {name: _name_list(name, names) for name, names in lists.items()}
    definitions["SearchSpace"] = _search_space(spaces)
    definitions |= _layer_definitions()
    definitions["GraphNode"]["allOf"] = [_args_by_layer()]
    return definitions


def schema_text() -> str:
    """`recipe_schema()` as the JSON `kgraphs schema` writes: the same bytes for the same code.

    Indented, but with each object or list that fits on its line written on it: the layers'
    arguments are a few thousand small objects, which one key a line would make five times
    longer (about 1.4 MB instead of 300 KB) and no easier to read.
    """
    return _dumps(recipe_schema(), "") + "\n"


def _dumps(value: Any, indent: str, key: str = "") -> str:
    """`value` as JSON after `key` (the text before it on its line), indented by two spaces a
    level where it does not fit in 100 characters."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or len(indent + key + flat) <= 100:
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        items = []
        for name, item in value.items():
            written = json.dumps(name, ensure_ascii=False) + ": "
            items.append(inner + written + _dumps(item, inner, written))
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    items = [inner + _dumps(item, inner) for item in value]
    return "[\n" + ",\n".join(items) + f"\n{indent}]"


def modeline(recipe_file: str | os.PathLike | None = None) -> str:
    """The comment line that points yaml-language-server at the installed package's schema.

    For a file, the path is relative to the file's folder (it still works when the project,
    virtual environment included, moves or is cloned); without one, it is absolute.
    """
    target = str(SCHEMA_FILE)
    if recipe_file is not None:
        folder = Path(os.path.abspath(recipe_file)).parent
        with contextlib.suppress(ValueError):  # another drive, on Windows: stays absolute
            target = os.path.relpath(SCHEMA_FILE, folder)
    return f"# yaml-language-server: $schema={Path(target).as_posix()}\n"


class _Generator(GenerateJsonSchema):
    """pydantic's generator; a field checked against a list of names lists them (`enum`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_lists: dict[str, frozenset[str]] = {}

    def function_after_schema(self, schema: Any) -> Any:
        check = schema["function"]["function"]
        if not hasattr(check, "names"):  # not a `keras_names.check_name` validator
            return super().function_after_schema(schema)
        self.name_lists[check.kind] = check.names
        return {"type": "string", "enum": sorted(check.names)}


def _with_nested(models: list[type[BaseModel]]) -> list[type[BaseModel]]:
    """`models` and the models their fields hold (a residual_cnn config's `Stage`)."""
    found: dict[type, None] = {}
    aliases: set[int] = set()
    stack = list(models)
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel) and item not in found:
            found[item] = None
            stack += [field.annotation for field in item.model_fields.values()]
        elif hasattr(item, "__value__") and id(item) not in aliases:
            # A type alias (a graph's inputs: an input, a list or a mapping of them), which
            # may refer to itself: opened once.
            aliases.add(id(item))
            stack.append(item.__value__)
        stack += typing.get_args(item)
    return list(found)


def _comments(model: type[BaseModel]) -> dict[str, str]:
    """The comment right above each field in the source of the model or of the base class
    that declares it (the nearest wins): what a hover shows."""
    notes: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if issubclass(cls, BaseModel) and cls is not BaseModel:
            notes |= _own_comments(cls, model.model_fields)
    return notes


def _own_comments(cls: type, fields: typing.Mapping[str, Any]) -> dict[str, str]:
    """The comment right above each of `fields` declared in `cls`'s own source."""
    try:
        lines = inspect.getsource(cls).splitlines()
    except (OSError, TypeError):  # no source installed: no notes
        return {}
    notes, comment = {}, []
    for line in lines[1:]:
        text = line.strip()
        if text.startswith("#"):
            comment.append(text.lstrip("#").strip())
            continue
        field = text.split(":", 1)[0]
        if comment and field in fields:
            notes[field] = " ".join(comment)
        comment = []
    return notes


def _subschemas(schema: dict[str, Any], change) -> dict[str, Any]:
    """`schema` with `change` applied to each schema directly inside it."""
    schema = dict(schema)
    for key in ("additionalItems", "additionalProperties", "propertyNames", "contains", "not"):
        if key in schema:
            schema[key] = change(schema[key])
    for key in ("items", "prefixItems", "anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list):
            schema[key] = [change(item) for item in schema[key]]
        elif key in schema:
            schema[key] = change(schema[key])
    for key in ("properties", "patternProperties"):
        if key in schema:
            schema[key] = {name: change(item) for name, item in schema[key].items()}
    return schema


def _draft_7(schema: Any) -> Any:
    """pydantic's draft 2020-12 output as draft 7, without its generated titles."""
    if not isinstance(schema, dict):
        return schema
    schema = _subschemas(schema, _draft_7)
    schema.pop("title", None)  # "Lstm Units": the key itself says it better
    schema.pop("discriminator", None)  # OpenAPI's, not JSON Schema's
    if "prefixItems" in schema:  # a tuple
        schema["additionalItems"] = schema.pop("items", False)
        schema["items"] = schema.pop("prefixItems")
    newer = _NEWER & schema.keys()
    if newer:
        raise ValueError(f"no draft-7 form for {sorted(newer)} in {schema}")
    if "$ref" in schema and len(schema) > 1:  # draft 7 ignores a $ref's siblings
        schema = {"allOf": [{"$ref": schema.pop("$ref")}], **schema}
    return schema


def _open(schema: Any) -> Any:
    """`schema` with every value inside it (properties, items) open to a search space."""
    if not isinstance(schema, dict):
        return {} if schema is True else schema
    schema = dict(schema)
    for key in ("properties", "patternProperties"):
        if key in schema:
            schema[key] = {name: _searchable(item) for name, item in schema[key].items()}
    for key in ("additionalProperties", "additionalItems", "items"):
        if isinstance(schema.get(key), list):
            schema[key] = [_searchable(item) for item in schema[key]]
        elif key in schema and schema[key] not in (False, True, {}):  # those take any value
            schema[key] = _searchable(schema[key])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            schema[key] = [_open(item) for item in schema[key]]
    return schema


def _searchable(schema: Any) -> dict[str, Any]:
    """A value's schema that also takes a search space (and whose insides do too)."""
    schema = _open(schema)
    notes = {key: schema.pop(key) for key in _ANNOTATIONS if key in schema}
    options = schema["anyOf"] if schema.keys() == {"anyOf"} else [schema]
    return {**notes, "anyOf": [*options, _SEARCH]}


def _named(schema: Any, lists: dict[str, frozenset[str]]) -> Any:
    """`schema` with each list of names replaced by a reference to its definition."""
    if not isinstance(schema, dict):
        return schema
    for name, names in lists.items():
        if schema.keys() <= {"type", "enum"} and schema.get("enum") == sorted(names):
            return {"$ref": f"#/definitions/{name}"}
    return _subschemas(schema, lambda item: _named(item, lists))


def _name_list(name: str, names: frozenset[str]) -> dict[str, Any]:
    kind = name.removesuffix("Name").lower()
    notes = {
        "LayerName": "A built-in keras.layers class (those that carry code are refused).",
        "OpName": "A keras.ops function recipes may call (kgraphs.graph_format.ops lists them).",
    }
    schema = {
        "description": notes.get(name, f"A Keras {kind} name, as registered in Keras."),
        "type": "string",
        "enum": sorted(names),
    }
    if len(names) > _LISTED:  # editors would print every name (2,700 characters of layers)
        what = {"LayerName": "keras.layers class", "OpName": "keras.ops function"}
        schema["errorMessage"] = (
            f"Not a {what.get(name, f'Keras {kind} name')} kgraphs knows: completion lists"
            " them, and `kgraphs validate` names the closest."
        )
    return schema


def _search_space(spaces: dict[str, str]) -> dict[str, Any]:
    """Any search space, its fields picked by `search` as configs are by `architecture`."""
    return {
        "description": (
            "A search space to tune instead of a value (`kgraphs tune`): {search: int, min, max},"
            " {search: float, min, max}, {search: choice, values: [...]} or {search: bool}."
        ),
        "type": "object",
        "properties": {
            "search": {"description": "The kind of space.", "enum": list(spaces.values())}
        },
        "required": ["search"],
        "allOf": [
            {
                "if": {"properties": {"search": {"const": kind}}, "required": ["search"]},
                "then": {"$ref": f"#/definitions/{name}"},
            }
            for name, kind in spaces.items()
        ],
    }


# A layer's `args`, from the description of keras.layers that `kgraphs validate` checks them
# against (kgraphs.catalog.arguments): each class's arguments, each argument's kind, bounds,
# enum values and default, so that an editor completes them, shows the default and bounds on
# hover, and marks unknown arguments and bad values. An argument described alike in several
# classes (`use_bias`, `padding: same|valid`, the base Layer's `dtype`) is one definition.
_IDENTIFIER_KINDS = ("initializer", "regularizer", "constraint")
_SERIALIZED = {"class_name": {}, "config": {"type": "object"}, "module": {},
               "registered_name": {}, "build_config": {}}  # fmt: skip
_KIND_NOTES = {
    "boolean": "true or false",
    "integer": "an integer",
    "size": "an integer, or a list of integers (one per axis)",
    "number": "a number",
    "float": "a number with a decimal point",
    "activation": "an activation: a Keras name, or {class_name, config}",
    "initializer": "an initializer: a Keras name, or {class_name, config}",
    "regularizer": "a regularizer: a Keras name, or {class_name, config}",
    "constraint": "a constraint: a Keras name, or {class_name, config}",
    "layer": "a layer: {class_name: a keras.layers class, config: {its arguments}}",
    "shape": "a list of integers (null for a size that varies)",
    "string": "a string",
    "any": "a plain value",
}


def _layer_definitions() -> dict[str, Any]:
    """A definition of each layer class's `args`, of each argument, and of the names and
    serialized objects the arguments take."""
    definitions: dict[str, Any] = {}
    shared: dict[str, str] = {}  # an argument's schema, as JSON -> its definition's name
    for layer in sorted(described_layers()):
        described = layer_arguments(layer)
        properties = {}
        for argument, entry in described.items():
            schema = _argument(entry)
            key = json.dumps(schema, sort_keys=True)
            if key not in shared:
                kind = entry["kind"]
                taken = sum(name.startswith(f"Argument.{kind}.") for name in shared.values())
                shared[key] = f"Argument.{kind}.{taken + 1}"
                definitions[shared[key]] = schema
            properties[argument] = {"$ref": f"#/definitions/{shared[key]}"}
        required = [argument for argument, entry in described.items() if entry.get("required")]
        definitions[f"keras.layers.{layer}"] = {
            "description": f"The arguments of keras.layers.{layer} (the node names the layer).",
            "type": "object",
            "properties": properties,
            **({"required": required} if required else {}),
            "additionalProperties": False,
        }
    for kind in _IDENTIFIER_KINDS:
        name = f"{kind.capitalize()}Name"
        definitions[name] = _name_list(name, identifiers(kind))
        definitions[kind.capitalize()] = _serialized_or_name(name, class_names=name)
    definitions["Activation"] = _serialized_or_name("ActivationName", class_names=None)
    definitions["SerializedLayer"] = _serialized({"$ref": "#/definitions/LayerName"})
    return definitions


def _args_by_layer() -> dict[str, Any]:
    """A graph node's `args` checked as its `layer` class's, unless they are a search space
    (which `SearchSpace` checks): one `if`/`then` a class, as `architecture` picks a config."""
    return {
        "if": {"properties": {"args": {"required": ["search"]}}, "required": ["args"]},
        "else": {
            "allOf": [
                {
                    "if": {"properties": {"layer": {"const": layer}}, "required": ["layer"]},
                    "then": {
                        "properties": {"args": {"$ref": f"#/definitions/keras.layers.{layer}"}}
                    },
                }
                for layer in sorted(described_layers())
            ]
        },
    }


def _argument(entry: Argument) -> dict[str, Any]:
    """One argument's schema: what `value_problems` accepts (or more), a search space, and
    its kind, bounds and default in words for hover."""
    kind = entry["kind"]
    bounds = {key: entry[key] for key in ("minimum", "maximum") if key in entry}
    # null where it is the default, an enum's value, or for a config-only argument (as
    # `value_problems` has it)
    nullable = ("default" not in entry and not entry.get("required")) or (
        "default" in entry and entry["default"] is None
    )
    note = _KIND_NOTES.get(kind, "")
    if kind == "enum":
        values = list(entry["values"])
        nullable = nullable or None in values
        values += [None] if nullable and None not in values else []
        note = "one of " + ", ".join(_shown(value) for value in values)
        options = [{"enum": values}]
    else:
        options = _kind_schemas(kind, bounds)
        if options and nullable:
            options.append({"type": "null"})
    if bounds.keys() == {"minimum", "maximum"}:
        note += f" from {entry['minimum']} to {entry['maximum']}"
    elif bounds:
        note += f" >= {entry['minimum']}" if "minimum" in bounds else f" <= {entry['maximum']}"
    if nullable and kind != "enum":
        note += ", or null"
    if entry.get("required"):
        note += "; required"
    elif "default" in entry:
        note += f"; default: {_shown(entry['default'])}"
    schema: dict[str, Any] = {"description": note[0].upper() + note[1:] + "."}
    if "default" in entry:
        schema["default"] = entry["default"]
    if options:
        schema["anyOf"] = [*options, _SEARCH]
    return schema


def _kind_schemas(kind: str, bounds: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas a value of `kind` may match (none: anything goes)."""
    integer = {"type": "integer", **bounds}
    simple = {
        "boolean": [{"type": "boolean"}],
        "integer": [integer],
        "size": [integer, {"type": "array", "minItems": 1, "items": {"anyOf": [integer, _SEARCH]}}],
        "number": [{"type": "number", **bounds}],
        "float": [{"type": "number", **bounds}],
        "shape": [{"type": "array", "items": {"anyOf": [{"type": ["integer", "null"]}, _SEARCH]}}],
        "layer": [{"$ref": "#/definitions/SerializedLayer"}],
        "activation": [{"$ref": "#/definitions/Activation"}],
    }
    simple |= {kind: [{"$ref": f"#/definitions/{kind.capitalize()}"}] for kind in _IDENTIFIER_KINDS}
    return simple.get(kind, [])


def _serialized_or_name(name: str, class_names: str | None) -> dict[str, Any]:
    """A Keras name, or Keras's serialized `{class_name, config}` (whose class_name is one of
    the names too, but for activations: any activation layer's or function's)."""
    class_name = {"$ref": f"#/definitions/{class_names}"} if class_names else {"type": "string"}
    return {"anyOf": [{"$ref": f"#/definitions/{name}"}, _serialized(class_name)]}


def _serialized(class_name: dict[str, Any]) -> dict[str, Any]:
    """Keras's serialized object, with only the keys `graph_problems` allows."""
    return {
        "type": "object",
        "properties": _SERIALIZED | {"class_name": {"anyOf": [class_name, _SEARCH]}},
        "required": ["class_name"],
        "additionalProperties": False,
    }


def _shown(value: Any) -> str:
    """A value as YAML writes it: true, null, same."""
    return value if isinstance(value, str) else json.dumps(value)
