"""The groups a collapsed diagram draws as single boxes, found in the model itself.

A model's layers form a tree of groups, tried in this order:
1. nested models (a Functional or Sequential model called inside another);
2. the name hierarchy: `conv2_block1_1_conv` sits in `conv2_block1`, which sits in `conv2`
   (names split on `_` and `/`, the convention of keras.applications and of kgraphs' own
   names). Names Keras made up (`dense_3`) carry no hierarchy; such a layer joins a group
   only when it sits between the group's own layers (the unnamed `add` of a residual block);
3. where a level still holds more than `MAX_CHILDREN` items (InceptionV3 names most layers
   `conv2d_N`), structural blocks: the stretch between two single points every path goes
   through (an Inception module up to its `mixed3`), and past that, plain stretches of the
   topological order.

Every group is convex: no path leaves it and comes back. That keeps the collapsed picture
a faithful quotient of the layer graph (its edges are exactly the edges between its
groups' layers) without cycles the model does not have. A name group whose layers have
other named layers between them is dissolved into its children.

Example:
    >>> import kgraphs
    >>> from kgraphs.introspection.layer_graph import layer_graph
    >>> tree = group_tree(layer_graph(kgraphs.build("recipes/residual_cnn_stages.json")))
    >>> [child.label for child in tree.children if isinstance(child, Group)]
    ['stem', 'stage1', 'stage2', 'stage3']
    >>> [child.label for child in tree.children[2].children]
    ['stage1_block1', 'stage1_block2']
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from kgraphs.introspection.layer_graph import LayerGraph

# Above this many items a level is cut into structural blocks: about what a screen shows.
MAX_CHILDREN = 40
# A plain stretch of the topological order holds this many items at most.
SPAN_SIZE = 12
_SEPARATOR = re.compile(r"[_/]")


@dataclass
class Group:
    """Layers drawn as one box when collapsed, as a labelled frame when open."""

    key: str  # unique among groups
    label: str
    kind: str  # "model", "name", "block", "span" or "root"
    children: list[Group | str] = field(default_factory=list)  # str: a layer key
    shared_calls: int = 1  # a nested model called more than once

    def layers(self) -> Iterator[str]:
        """Every layer key under this group, in child order."""
        for child in self.children:
            if isinstance(child, Group):
                yield from child.layers()
            else:
                yield child

    def groups(self) -> Iterator[Group]:
        """This group and every group below it, parents first."""
        yield self
        for child in self.children:
            if isinstance(child, Group):
                yield from child.groups()

    def height(self) -> int:
        """Levels of groups below this one (0 for a group of layers only)."""
        return max(
            (1 + child.height() for child in self.children if isinstance(child, Group)),
            default=0,
        )


def group_tree(graph: LayerGraph, *, max_children: int = MAX_CHILDREN) -> Group:
    """The tree of groups of `graph`: nested models, then names, then structure.

    A level holding more than `max_children` items is cut into structural blocks.
    """
    return _TreeBuilder(graph, max_children=max_children).build()


class _TreeBuilder:
    def __init__(self, graph: LayerGraph, *, max_children: int):
        self.graph = graph
        self.max_children = max_children
        self.position = {key: index for index, key in enumerate(graph.layers)}
        self.successors = graph.successors()
        self.predecessors = graph.predecessors()
        self.used_keys: set[str] = set()
        self.taken: set[str] = set()  # unnamed layers a name group took in (see `by_names`)
        self.model = ""  # the nested model whose level is being grouped

    def build(self) -> Group:
        root = Group(key="", label=self.graph.name, kind="root")
        containers = {"": root}
        for key, model in self.graph.models.items():
            containers[key] = Group(
                key=self.unique_key(key),
                label=model.name,
                kind="model",
                shared_calls=model.calls,
            )
        members: dict[str, list[Group | str]] = defaultdict(list)
        for key, model in self.graph.models.items():
            members[model.parent].append(containers[key])
        for key, layer in self.graph.layers.items():
            members[layer.model].append(key)
        # Inner models first: grouping a level needs the layers of the models inside it.
        for container_key, container in reversed(containers.items()):
            self.model = container_key
            items = self.by_names(members[container_key], prefix_length=0, path=container.key)
            items = [item for item in items if not (isinstance(item, str) and item in self.taken)]
            container.children = self.structure(self.in_order(items), path=container.key)
        return root

    def unique_key(self, wanted: str) -> str:
        key, number = wanted, 1
        while key in self.used_keys:
            number += 1
            key = f"{wanted}~{number}"
        self.used_keys.add(key)
        return key

    # -- names ---------------------------------------------------------------------------
    def name_of(self, item: Group | str) -> str | None:
        """The name an item is grouped by; None for names Keras made up."""
        if isinstance(item, Group):
            model = self.graph.models.get(item.key)
            return None if model is None or model.auto_named else model.name
        layer = self.graph.layers[item]
        return None if layer.auto_named else layer.name

    def by_names(
        self, items: list[Group | str], *, prefix_length: int, path: str
    ) -> list[Group | str]:
        """Group `items` by their next name token (a trie, each branch with one item pruned)."""
        branches: dict[str, list[Group | str]] = defaultdict(list)
        kept: list[Group | str] = []
        for item in items:
            name = self.name_of(item)
            tokens = _SEPARATOR.split(name) if name else []
            if len(tokens) > prefix_length + 1:
                branches[tokens[prefix_length]].append(item)
            else:
                kept.append(item)
        for members in branches.values():
            if len(members) == 1:
                kept.append(members[0])
                continue
            children = self.by_names(members, prefix_length=prefix_length + 1, path=path)
            if len(children) == 1:
                kept.append(children[0])
                continue
            label = _prefix(self.name_of(members[0]) or "", prefix_length + 1)
            between = self.between(set(self.layers_of_all(children)))
            if all(self.can_take(layer) for layer in between):
                # Unnamed layers between a group's own (the `add` in a residual block named
                # by its convolutions) belong to it: taken in, the group is convex.
                self.taken |= between
                children = self.in_order([*children, *sorted(between)])
                kept.append(self.new_group(label, "name", children, path))
            else:  # its layers interleave with other named ones: drawn apart, they stay apart
                kept.extend(children)
        return kept

    # -- structure -----------------------------------------------------------------------
    def structure(self, items: list[Group | str], *, path: str) -> list[Group | str]:
        """Cut a level of more than `max_children` items into blocks, then into stretches."""
        if len(items) <= self.max_children:
            return items
        items = self.topological(items)
        items = self.blocks(items, path=path)
        while len(items) > self.max_children:
            items = self.stretches(items, path=path)
        return items

    def blocks(self, items: list[Group | str], *, path: str) -> list[Group | str]:
        """Group the items strictly after one cut point up to and including the next.

        A cut point is an item no edge jumps over in the order: everything before it is
        done when it runs (the `mixed3` closing an Inception module). A stretch between
        two cut points is convex, whatever the order inside it.
        """
        where = {}
        for index, item in enumerate(items):
            for layer in self.layers_of(item):
                where[layer] = index
        reach = list(range(len(items)))
        for index, item in enumerate(items):
            for layer in self.layers_of(item):
                for following in self.successors[layer]:
                    reach[index] = max(reach[index], where.get(following, index))
        cuts, furthest = [], -1
        for index in range(len(items)):
            if furthest <= index:
                cuts.append(index)
            furthest = max(furthest, reach[index])
        result: list[Group | str] = list(items[: cuts[0] + 1])
        for start, end in zip(cuts, [*cuts[1:], len(items) - 1], strict=False):
            stretch = items[start + 1 : end + 1]
            if len(stretch) >= 3 and not any(self.is_input(item) for item in stretch):
                result.append(self.new_group(self.label_of(stretch[-1]), "block", stretch, path))
            else:
                result.extend(stretch)
        return result

    def stretches(self, items: list[Group | str], *, path: str) -> list[Group | str]:
        """Cut the topological order into stretches (always convex: paths only go forward)."""
        result: list[Group | str] = []
        size = max(2, min(SPAN_SIZE, -(-len(items) // self.max_children) + 1))
        for start in range(0, len(items), size):
            stretch = items[start : start + size]
            if len(stretch) == 1:
                result.extend(stretch)
                continue
            label = f"{self.label_of(stretch[0])} … {self.label_of(stretch[-1])}"
            result.append(self.new_group(label, "span", stretch, path))
        return result

    # -- helpers -------------------------------------------------------------------------
    def new_group(self, label: str, kind: str, children: list[Group | str], path: str) -> Group:
        key = self.unique_key(f"{path}/{label}" if path else label)
        return Group(key=key, label=label, kind=kind, children=children)

    def layers_of(self, item: Group | str) -> list[str]:
        return list(item.layers()) if isinstance(item, Group) else [item]

    def label_of(self, item: Group | str) -> str:
        return item.label if isinstance(item, Group) else self.graph.layers[item].name

    def is_input(self, item: Group | str) -> bool:
        return any(
            self.graph.layers[layer].class_name == "InputLayer" for layer in self.layers_of(item)
        )

    def in_order(self, items: list[Group | str]) -> list[Group | str]:
        """Items by the position of their first layer in the model."""
        return sorted(items, key=lambda item: min(map(self.position.get, self.layers_of(item))))

    def topological(self, items: list[Group | str]) -> list[Group | str]:
        """A topological order of the items (Kahn's, ties broken by model order)."""
        items = self.in_order(items)
        owner = {layer: index for index, item in enumerate(items) for layer in self.layers_of(item)}
        following: dict[int, set[int]] = defaultdict(set)
        waiting = [0] * len(items)
        for index, item in enumerate(items):
            for layer in self.layers_of(item):
                for target in self.successors[layer]:
                    other = owner.get(target)
                    if other is not None and other != index and other not in following[index]:
                        following[index].add(other)
                        waiting[other] += 1
        ready = deque(index for index in range(len(items)) if waiting[index] == 0)
        order: list[int] = []
        while ready:
            index = ready.popleft()
            order.append(index)
            for other in sorted(following[index]):
                waiting[other] -= 1
                if waiting[other] == 0:
                    ready.append(other)
        # Convex groups can still point at each other both ways; keep those in model order.
        placed = set(order)
        order += [index for index in range(len(items)) if index not in placed]
        return [items[index] for index in order]

    def layers_of_all(self, items: list[Group | str]) -> list[str]:
        return [layer for item in items for layer in self.layers_of(item)]

    def between(self, members: set[str]) -> set[str]:
        """Layers outside `members` on a path from one member to another.

        None means the members are convex: no path leaves them and comes back.
        """
        return (
            self.reach(members, self.successors) & self.reach(members, self.predecessors)
        ) - members

    def reach(self, members: set[str], following: dict[str, list[str]]) -> set[str]:
        """Every layer reachable from `members` along `following` (members excluded)."""
        frontier = deque(t for layer in members for t in following[layer] if t not in members)
        seen = set(frontier)
        while frontier:
            for target in following[frontier.popleft()]:
                if target not in seen and target not in members:
                    seen.add(target)
                    frontier.append(target)
        return seen

    def can_take(self, layer: str) -> bool:
        info = self.graph.layers[layer]
        return info.auto_named and info.model == self.model and layer not in self.taken


def _prefix(name: str, tokens: int) -> str:
    """The first `tokens` tokens of `name`, with the separators it was written with."""
    parts = _SEPARATOR.split(name)
    length = sum(len(part) for part in parts[:tokens]) + tokens - 1
    return name[:length]
