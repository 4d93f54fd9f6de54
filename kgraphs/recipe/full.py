"""A recipe with every default filled in: what `kgraphs render` prints.

The data is `Recipe.to_dict()`: the envelope keys in a fixed order (version, architecture,
name, description, config, compile), the config's fields in their declaration order with the
defaults the recipe left out, and the compile section as validated. Two recipes that build the
same model render to the same text, so `diff` of two renders shows what really differs.

Graph recipes (`architecture: graph`) show the defaults of kgraphs' graph format: an input's
`dtype`, and on each node the keys its kind takes (`args: {}` on layers and ops, `call: {}`
on layers, reused layers and nested graphs). The keys of the kinds a node is not (`op: null`
on a layer node) and `outputs` of a one-output node are left out: they are absences, not
defaults. Keras's own defaults for a layer's constructor arguments are not shown: knowing them
needs Keras, and rendering never imports TensorFlow.

Example:
    >>> from kgraphs.recipe.loading import load_recipe
    >>> print(render_text(load_recipe("ticket_priority")), end="")
    version: 1
    architecture: ticket_priority
    name: ticket_priority
    description: ...
    config:
      vocab_size: 10000
      embedding_dim: 64
      lstm_units: 32
      metadata_features: 5
      metadata_units: 16
      mask_zero: false
      dropout: 0.0
      sequence_length: null
      num_priorities: 1
    compile:
      optimizer: adam
      loss: {priority: binary_crossentropy}
      metrics:
        priority: [accuracy]
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from kgraphs.recipe.loading import Recipe

FORMATS = ("yaml", "json")
# A graph node is exactly one of these kinds; the optional keys below go with some kinds only.
_NODE_KINDS = ("layer", "op", "reuse", "graph")
_KINDS_TAKING = {"args": {"layer", "op"}, "call": {"layer", "reuse", "graph"}}


def full_recipe(recipe: Recipe) -> dict[str, Any]:
    """`recipe` as plain data with every default filled in, in a stable order."""
    data = recipe.to_dict()
    if recipe.architecture == "graph":
        data["config"] = _graph(data["config"])
    return data


def render_text(recipe: Recipe, format: str = "yaml") -> str:
    """`full_recipe(recipe)` as YAML (the style kgraphs writes recipes in) or JSON."""
    data = full_recipe(recipe)
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    # As recipe files are written (lists of plain values and small mappings on one line), but
    # the envelope, `config` and `compile` one key a line whatever they hold, so that a diff
    # of two renders names the fields that differ.
    for section in ("config", "compile"):
        if isinstance(data.get(section), dict):
            data[section] = _Block(data[section])
    return yaml.dump(
        _Block(data), Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=100
    )


class _Block(dict):
    """A mapping written in block style, one key a line."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Block,
    lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False),
)


def _graph(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "nodes": [_node(node) for node in spec["nodes"]]}


def _node(node: dict[str, Any]) -> dict[str, Any]:
    kinds = {kind for kind in _NODE_KINDS if node.get(kind) is not None}
    shown = {}
    for key, value in node.items():
        if value is None or (key in _KINDS_TAKING and not value and not kinds & _KINDS_TAKING[key]):
            continue
        shown[key] = _graph(value) if key == "graph" and isinstance(value, dict) else value
    return shown
