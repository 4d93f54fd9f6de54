"""Weights carried across an edit: each layer of the new model gets the trained weights of the
layer it is in the old one, found by what the layer is, not where it sits.

Keras 3 loads `.keras` and `.weights.h5` files by position (`by_name` is gone), so one inserted
layer shifts every weight after it onto the wrong layer, silently with `skip_mismatch=True`.
Here layers are paired as `kgraphs.diff` pairs them (`kgraphs.introspection.matching`): by
qualified name (`tower/dense_out`), nested models included; layers Keras named itself
(`dense_3`) by class inside their nested model, aligned on their arguments. A pair is copied
when both layers have the same class and weights of the same shapes (every variable: a
BatchNormalization's moving statistics and an adapted Normalization's mean too); a layer called
twice is one layer, copied once.

Where auto-named layers of one class differ between the two models and a target layer has
several same-shaped candidates in the source, nothing tells them apart: that is refused with
the candidates, never guessed. Nothing is half-copied: every check runs before the first
assignment, and a failure while assigning restores what the target had.

Optimizer state is not carried: the moments Adam keeps belong to the old model's training of
the old task, and a changed layer has none that fit. Compile and train the new model afresh.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgraphs.building.structure_only import is_structure_only
from kgraphs.introspection.layer_graph import LayerGraph, layer_graph
from kgraphs.introspection.matching import arguments_signature, match, matching_keys
from kgraphs.util.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import keras

STATUSES = ("copied", "changed", "new", "dropped")
FREEZE = ("copied",)


@dataclass(frozen=True)
class LayerTransfer:
    """What happened to one layer with weights.

    Attributes:
        status: "copied"; "changed" (paired, but its class or weight shapes differ: kept its
            initialization); "new" (the target's only: kept its initialization); "dropped"
            (the source's only).
        target: the layer's key in the target (None when dropped).
        source: its key in the source (None when new).
        class_name: the target's class (the source's when dropped).
        shapes: the target's weight shapes (the source's when dropped).
        source_shapes: the source's weight shapes (empty when new).
        parameters: the weights' size, the target's (the source's when dropped).
    """

    status: str
    target: str | None
    source: str | None
    class_name: str
    shapes: tuple[tuple[int, ...], ...]
    source_shapes: tuple[tuple[int, ...], ...]
    parameters: int

    @property
    def key(self) -> str:
        return self.target or self.source or ""


@dataclass(frozen=True)
class TransferReport:
    """Every layer with weights, in the target's order (dropped ones last), and what moved.

    Example:
        >>> import kgraphs
        >>> old = kgraphs.build("ticket_priority")
        >>> report = kgraphs.transfer_weights(old, kgraphs.build("ticket_priority_levels"))
        >>> print(report.text())  # doctest: +NORMALIZE_WHITESPACE
        weights from <model ticket_priority...>: 2 copied, 1 changed, 0 new, 1 dropped
        (652,416 of the target's 652,568 parameters copied)
          copied   text_embedding  Embedding  640,000 parameters
          copied   text_lstm       LSTM       12,416 parameters
          changed  priority        Dense      (48, 1), (1,) -> (37, 4), (4,): kept its
          initialization
          dropped  metadata_dense  Dense      in the source only
        <BLANKLINE>
    """

    layers: tuple[LayerTransfer, ...]
    source_label: str

    def of(self, status: str) -> list[LayerTransfer]:
        return [layer for layer in self.layers if layer.status == status]

    @property
    def copied(self) -> list[LayerTransfer]:
        return self.of("copied")

    @property
    def changed(self) -> list[LayerTransfer]:
        return self.of("changed")

    @property
    def new(self) -> list[LayerTransfer]:
        return self.of("new")

    @property
    def dropped(self) -> list[LayerTransfer]:
        return self.of("dropped")

    def counts(self) -> dict[str, int]:
        return {status: len(self.of(status)) for status in STATUSES}

    def text(self) -> str:
        """One line of counts, then one line per layer: status, key, class, what happened."""
        counts = ", ".join(f"{count} {status}" for status, count in self.counts().items())
        copied = sum(layer.parameters for layer in self.copied)
        total = sum(layer.parameters for layer in self.layers if layer.status != "dropped")
        lines = [
            f"weights from {self.source_label}: {counts} "
            f"({copied:,} of the target's {total:,} parameters copied)"
        ]
        width = max((len(layer.key) for layer in self.layers), default=0)
        classes = max((len(layer.class_name) for layer in self.layers), default=0)
        for layer in self.layers:
            renamed = (
                f" (was {layer.source})"
                if layer.source and layer.target and layer.source != layer.target
                else ""
            )
            what = {
                "copied": f"{layer.parameters:,} parameters{renamed}",
                "changed": f"{_shapes(layer.source_shapes)} -> {_shapes(layer.shapes)}: "
                f"kept its initialization{renamed}",
                "new": "kept its initialization",
                "dropped": "in the source only",
            }[layer.status]
            lines.append(
                f"  {layer.status:7}  {layer.key:{width}}  {layer.class_name:{classes}}  {what}"
            )
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.text()


def transfer_weights(
    source: object,
    target: keras.Model,
    *,
    source_weights: str | os.PathLike | None = None,
    strict: bool = False,
    allow_new: Iterable[str] = (),
    renames: Mapping[str, str] | None = None,
    freeze: str | None = None,
) -> TransferReport:
    """Copy into `target` every weight of `source` whose layer is the same layer, by what
    each layer is (see the module's notes), and say what moved.

    Args:
        source: the trained model: a `keras.Model`, a `.keras` file (loaded in safe mode), or
            a recipe (name, path, dict or `Recipe`) with `source_weights`.
        target: the model to fill, usually built from the edited recipe.
        source_weights: a `.weights.h5` file of the source recipe's model (Keras writes these
            by position, so they load into the model of the same recipe only).
        strict: refuse, before changing anything, unless every target layer with weights is
            copied or named in `allow_new`.
        allow_new: target layers (keys, `tower/dense_out` inside a nested model) that may
            keep their initialization under `strict`.
        renames: source key -> target key, for layers renamed in the edit.
        freeze: "copied" makes each copied layer untrainable, to fine-tune the rest; compile
            after (`kgraphs.build(..., weights_from=..., freeze="copied")` does).

    Returns:
        The `TransferReport`: per layer, copied, changed, new or dropped.

    Raises:
        ConfigError: a source or target that is not a model (or a file Keras cannot load
            safely), unknown keys in `allow_new` or `renames`, ambiguous layers (listed
            with their candidates), or under `strict` the layers left uncopied. Nothing is
            copied then.

    Example:
        >>> import kgraphs
        >>> trained = kgraphs.build("image_multitask", input_shape=[32, 32, 3])
        >>> edited = kgraphs.build("image_multitask", input_shape=[32, 32, 3], num_classes=3)
        >>> kgraphs.transfer_weights(trained, edited).counts()
        {'copied': 3, 'changed': 1, 'new': 0, 'dropped': 0}
    """
    import keras

    source_model, label = _source_model(source, source_weights)
    if not isinstance(target, keras.Model) or is_structure_only(target):
        raise ConfigError(
            [("target", f"expected a keras.Model with weights; given {_what(target)}")]
        )
    if freeze not in (None, *FREEZE):
        raise ConfigError([("freeze", f"expected one of {list(FREEZE)} or None; given {freeze!r}")])
    graph_a, graph_b = layer_graph(source_model), layer_graph(target)
    graph_a, graph_b = _renamed(graph_a, graph_b, dict(renames or {}))
    layers = _pairs(graph_a, graph_b)
    problems = _ambiguities(graph_a, graph_b)
    allowed = list(allow_new)
    with_weights = [layer.target for layer in layers if layer.target is not None]
    problems += [
        ("allow_new", f"{key!r} is no target layer with weights{did_you_mean(key, with_weights)}")
        for key in allowed
        if key not in with_weights
    ]
    if strict:
        problems += [
            (
                f"target.{layer.target}",
                f"{layer.class_name} would keep its initialization ({layer.status}); name it "
                "in allow_new, or leave strict off",
            )
            for layer in layers
            if layer.status in ("new", "changed") and layer.target not in allowed
        ]
    if problems:
        raise ConfigError(problems, source="transfer_weights")
    _assign(
        [
            (graph_a.objects[layer.source], graph_b.objects[layer.target])
            for layer in layers
            if layer.status == "copied"
        ]
    )
    if freeze == "copied":
        for layer in layers:
            if layer.status == "copied":
                graph_b.objects[layer.target].trainable = False
    # Reported by the source's own names: a renamed layer "was" its old name.
    original = {new: old for old, new in (renames or {}).items()}
    layers = [
        dataclasses.replace(layer, source=original.get(layer.source, layer.source))
        for layer in layers
    ]
    return TransferReport(layers=tuple(layers), source_label=label)


def _source_model(source: object, weights: str | os.PathLike | None) -> tuple[Any, str]:
    """The source model and a label for reports; a ConfigError for anything else."""
    import keras

    from kgraphs.building.saving import load_model

    if isinstance(source, keras.Model):
        if weights is not None:
            raise ConfigError([("source_weights", "goes with a recipe as source, not a model")])
        if is_structure_only(source):
            raise ConfigError([("source", "a structure-only model has no weights to give")])
        return source, f"<model {source.name}>"
    path = Path(source) if isinstance(source, (str, os.PathLike)) else None
    if path is not None and path.name.endswith(".weights.h5"):
        raise ConfigError(
            [
                (
                    "source",
                    "a .weights.h5 file holds weights by position, not the model; give its "
                    "recipe as source and the file as source_weights",
                )
            ]
        )
    if path is not None and path.suffix == ".keras":
        if weights is not None:
            raise ConfigError([("source_weights", "goes with a recipe as source, not a file")])
        return load_model(path), str(path)
    from kgraphs.building.instantiation import instantiate
    from kgraphs.recipe.loading import Recipe, load_recipe

    if not isinstance(source, (str, os.PathLike, Mapping, Recipe)):
        raise ConfigError(
            [
                (
                    "source",
                    "expected a keras.Model, a .keras file, or a recipe with source_weights; "
                    f"given {_what(source)}",
                )
            ]
        )
    if weights is None or not str(weights).endswith(".weights.h5"):
        raise ConfigError(
            [
                (
                    "source_weights",
                    f"a recipe as source needs its .weights.h5 file; given {weights!r}",
                )
            ]
        )
    model = instantiate(load_recipe(source))
    try:
        model.load_weights(weights)
    except Exception as error:
        first_line = (str(error).strip() or type(error).__name__).splitlines()[0][:300]
        raise ConfigError(
            [("source_weights", f"Keras cannot load it into the recipe's model: {first_line}")],
            source=str(weights),
        ) from None
    return model, str(weights)


def _what(value: object) -> str:
    prefix = "a structure-only " if is_structure_only(value) else ""
    return prefix + type(value).__name__


def _renamed(a: LayerGraph, b: LayerGraph, renames: dict[str, str]) -> tuple:
    """The two graphs with each renamed source layer keyed as its target, both as named
    layers, so the matching pairs them by name; a ConfigError for keys neither side has."""
    problems = [
        ("renames", f"{old!r} is no layer of the source{did_you_mean(old, list(a.layers))}")
        for old in renames
        if old not in a.layers
    ] + [
        ("renames", f"{new!r} is no layer of the target{did_you_mean(new, list(b.layers))}")
        for new in renames.values()
        if new not in b.layers
    ]
    if problems:
        raise ConfigError(problems, source="transfer_weights")
    if not renames:
        return a, b

    def rekeyed(graph: LayerGraph, keys: dict[str, str]) -> LayerGraph:
        layers = {
            keys.get(key, key): (
                dataclasses.replace(
                    info, key=keys[key], name=keys[key].rsplit("/", 1)[-1], auto_named=False
                )
                if key in keys
                else info
            )
            for key, info in graph.layers.items()
        }
        objects = {keys.get(key, key): layer for key, layer in graph.objects.items()}
        edges = [(keys.get(s, s), keys.get(t, t)) for s, t in graph.edges]
        return dataclasses.replace(graph, layers=layers, objects=objects, edges=edges)

    return rekeyed(a, renames), rekeyed(b, {new: new for new in renames.values()})


def _weights_of(layer: Any) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(variable.shape) for variable in getattr(layer, "weights", ()))


def _pairs(a: LayerGraph, b: LayerGraph) -> list[LayerTransfer]:
    """Every pair the matching finds where either side has weights, with its status."""
    found = []
    for ka, kb in match(a, b, signatures=(transfer_signature, arguments_signature)):
        before = _weights_of(a.objects[ka]) if ka is not None else ()
        after = _weights_of(b.objects[kb]) if kb is not None else ()
        if not before and not after:
            continue
        if kb is None or not after:
            info = a.layers[ka]
            found.append(
                LayerTransfer("dropped", None, ka, info.class_name, before, before, info.parameters)
            )
            if kb is None:
                continue
        info = b.layers[kb]
        if ka is None or not before:
            found.append(
                LayerTransfer("new", kb, None, info.class_name, after, (), info.parameters)
            )
            continue
        same = a.layers[ka].class_name == info.class_name and before == after
        status = "copied" if same else "changed"
        found.append(LayerTransfer(status, kb, ka, info.class_name, after, before, info.parameters))
    order = {key: index for index, key in enumerate(b.layers)}
    return sorted(found, key=lambda layer: (layer.target is None, order.get(layer.target, 0)))


def transfer_signature(graph: LayerGraph, key: str) -> str:
    """What auto-named layers are aligned on for a transfer: their arguments and the shapes of
    their weights (an inserted Dense(16) before another has the other's arguments, not its
    kernel's shape)."""
    weights = _weights_of(graph.objects[key])
    return json.dumps([graph.layers[key].arguments, weights], sort_keys=True, default=str)


def _ambiguities(a: LayerGraph, b: LayerGraph) -> list[tuple[str, str]]:
    """Target layers that several source layers could equally be, where no name tells them
    apart: in a group of auto-named layers of one class that differs between the models, a
    signature (arguments and weight shapes) found more than once on one side and a different
    number of times on the other. (As many on each side pair in order; one on each pairs.)"""
    _, auto_a = matching_keys(a)
    _, auto_b = matching_keys(b)
    problems = []
    for group, keys_b in auto_b.items():
        keys_a = auto_a.get(group, [])
        signatures_a = [transfer_signature(a, key) for key in keys_a]
        signatures_b = [transfer_signature(b, key) for key in keys_b]
        if signatures_a == signatures_b:
            continue
        for kb, signature in zip(keys_b, signatures_b, strict=True):
            candidates = [
                ka for ka, other in zip(keys_a, signatures_a, strict=True) if other == signature
            ]
            same_in_b = signatures_b.count(signature)
            if (
                candidates
                and _weights_of(b.objects[kb])
                and len(candidates) != same_in_b
                and max(len(candidates), same_in_b) > 1
            ):
                shapes = _shapes(_weights_of(b.objects[kb]))
                problems.append(
                    (
                        f"target.{kb}",
                        f"{b.layers[kb].class_name} with weights {shapes} could be any of the "
                        f"source's {candidates} ({same_in_b} such layers in the target), none "
                        "named by its author; name the layers, or pair them with "
                        "renames={source: target}",
                    )
                )
    return problems


def _assign(pairs: list[tuple[Any, Any]]) -> None:
    """Copy each source layer's variables into its target layer, or nothing at all."""
    values = [
        (variable, value.numpy() if hasattr(value, "numpy") else value)
        for source, target in pairs
        for variable, value in zip(target.weights, source.weights, strict=True)
    ]
    saved = [(variable, variable.numpy()) for variable, _ in values]
    try:
        for variable, value in values:
            variable.assign(value)
    except Exception:
        for variable, value in saved:
            variable.assign(value)
        raise
    for _, target in pairs:
        # Preprocessing layers keep what they compute from their variables (an adapted
        # Normalization's mean and variance), as Keras does after loading them.
        finalize = getattr(target, "finalize_state", None)
        if callable(finalize):
            finalize()


def _shapes(shapes: tuple[tuple[int, ...], ...]) -> str:
    return ", ".join(str(shape) for shape in shapes) or "none"
