"""Hypothesis strategies for recipes, shared by the property tests (no Keras import here).

`mutated_recipes()` breaks shipped recipes in every way a user might (replaced, deleted,
wrapped, nested, renamed and unknown keys, nasty values), so few of them are valid;
`nearby_recipes()` changes values of shipped recipes to values of the same kind close by (a
size doubled or halved, a flag flipped, another activation), so many are valid, some just
past a bound; `graphs()` makes small random DAGs,
sometimes mis-wired; `searched_recipes()` turns values of shipped recipes into search spaces,
mostly valid ones. tests/test_fuzz.py checks kgraphs' outcome on them, tests/test_schema.py
that the JSON Schema accepts whatever kgraphs accepts.
"""

import json

import yaml
from conftest import RECIPES
from hypothesis import strategies as st

from kgraphs.recipe.files import read_recipe_file

SHIPPED = [yaml.safe_load(json.dumps(read_recipe_file(path))) for path in RECIPES]

nasty_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**12]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "ticket_priority",
            "relu",
            "Dense",
            "os.system",
            "!!python/name:os",
            "\u202e\u0000\U0001f600",
            "null",
            "graph",
            "adam",
            "mse",
        ]
    ),
)
nasty_values = st.recursive(
    nasty_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def paths(data, prefix=()):
    """Every path to a value inside nested dicts and lists."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, (*prefix, index))


def mutate(data, path, action, value, typo):
    if not path:
        return value if action == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif action == "wrap":
        parent[last] = [parent[last]]
    elif action == "nest":
        parent[last] = {"nested": parent[last]}
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{last}{typo}"] = parent.pop(last)
    elif action == "add" and isinstance(parent, dict):
        parent[f"unknown{typo}"] = value
    return data


def shipped(architectures=True, graph=True):
    """The shipped recipes of the built-in architectures and/or the graph recipes."""
    return [
        recipe
        for recipe in SHIPPED
        if (graph if recipe.get("architecture") == "graph" else architectures)
    ]


@st.composite
def mutated_recipes(draw, architectures=True, graph=True):
    data = json.loads(json.dumps(draw(st.sampled_from(shipped(architectures, graph)))))
    for _ in range(draw(st.integers(1, 3))):
        all_paths = list(paths(data))
        path = draw(st.sampled_from(all_paths))
        action = draw(
            st.sampled_from(["replace", "replace", "delete", "wrap", "nest", "rename", "add"])
        )
        data = mutate(data, path, action, draw(nasty_values), draw(st.text(min_size=1, max_size=3)))
    return data


# Names a recipe's strings may be swapped for: valid in some field, so that a swap is often
# valid where it lands and sometimes not.
NEARBY_NAMES = [
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "linear",
    "same",
    "valid",
    "flatten",
    "global_average",
    "concat",
    "cosine",
    "l1",
    "adam",
    "sgd",
    "mse",
    "mae",
    "accuracy",
    "binary_crossentropy",
    "categorical_crossentropy",
]


def nearby_value(draw, value):
    """A value of the same kind as `value` and close to it (at most twice as large)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return draw(st.sampled_from([value - 1, value + 1, value * 2, value // 2, 0, 1, 2]))
    if isinstance(value, float):
        return draw(st.sampled_from([0.0, value / 2, min(value * 2, 1.0), 0.5, 0.99]))
    if isinstance(value, str):
        return draw(st.sampled_from(NEARBY_NAMES))
    return value


@st.composite
def nearby_recipes(draw, architectures=True, graph=True):
    """Shipped recipes (built-in architectures and/or graph recipes) with one to three scalars
    under config or compile changed to a value close by, or a key of config deleted."""
    data = json.loads(json.dumps(draw(st.sampled_from(shipped(architectures, graph)))))
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(data) if len(p) > 1 and p[0] in ("config", "compile")]
        path = draw(st.sampled_from(places))
        value = data
        for part in path:
            value = value[part]
        if path[0] == "config" and isinstance(path[-1], str) and draw(st.integers(0, 3)) == 0:
            data = mutate(data, path, "delete", None, "")  # back to the field's default
        elif not isinstance(value, (dict, list)):
            data = mutate(data, path, "replace", nearby_value(draw, value), "")
    return data


@st.composite
def graphs(draw):
    """Random small DAGs of Dense, Concatenate, Add, Dropout and reuse, sometimes mis-wired."""
    inputs = [
        {"name": f"in{i}", "shape": [draw(st.integers(1, 6))]}
        for i in range(draw(st.integers(1, 2)))
    ]
    names = [item["name"] for item in inputs]
    dense_nodes, nodes = [], []
    for index in range(draw(st.integers(1, 6))):
        name = f"n{index}"
        kind = draw(
            st.sampled_from(["Dense", "Dense", "Concatenate", "Add", "Dropout", "reuse", "op"])
        )
        pick = (
            st.sampled_from([*names, "missing"])
            if draw(st.integers(0, 9)) == 0
            else st.sampled_from(names)
        )
        if kind in ("Concatenate", "Add"):
            node = {
                "name": name,
                "layer": kind,
                "inputs": draw(st.lists(pick, min_size=2, max_size=3)),
            }
        elif kind == "reuse" and dense_nodes:
            node = {"name": name, "reuse": draw(st.sampled_from(dense_nodes)), "inputs": draw(pick)}
        elif kind == "op":
            op = draw(st.sampled_from(["relu", "negative", "multiply", "add", "maximum"]))
            if op in ("relu", "negative"):
                node = {"name": name, "op": op, "inputs": draw(pick)}
            elif draw(st.booleans()):  # a tensor and a constant
                constant = draw(st.floats(-3, 3, allow_nan=False))
                node = {
                    "name": name,
                    "op": op,
                    "inputs": {"x1": draw(pick)},
                    "args": {"x2": constant},
                }
            else:
                node = {"name": name, "op": op, "inputs": {"x1": draw(pick), "x2": draw(pick)}}
        elif kind == "Dropout":
            node = {"name": name, "layer": "Dropout", "args": {"rate": 0.5}, "inputs": draw(pick)}
        else:
            node = {
                "name": name,
                "layer": "Dense",
                "args": {"units": draw(st.integers(1, 8))},
                "inputs": draw(pick),
            }
            dense_nodes.append(name)
        nodes.append(node)
        names.append(name)
    outputs = draw(
        st.lists(st.sampled_from(names[len(inputs) :]), min_size=1, max_size=2, unique=True)
    )
    return {
        "version": 1,
        "architecture": "graph",
        "config": {"inputs": inputs, "nodes": nodes, "outputs": outputs},
    }


NAMES = ["relu", "sigmoid", "adam", "sgd", "mse", "accuracy", "cosine", "l1", "Dense", "LSTM"]


def space_for(draw, value):
    """A search space standing where `value` was, mostly one kgraphs accepts for its field."""
    kind = draw(st.sampled_from(["near", "near", "near", "choice", "malformed"]))
    if kind == "near" and isinstance(value, bool):
        return {
            "search": "bool",
            **draw(st.fixed_dictionaries({}, optional={"default": st.booleans()})),
        }
    if kind == "near" and isinstance(value, int):
        low = draw(st.integers(max(value - 4, -1), value))
        space = {"search": "int", "min": low, "max": draw(st.integers(low, low + 3 * value + 4))}
        if draw(st.booleans()):
            space["step"] = draw(st.integers(1, 8))
        if low > 0 and draw(st.booleans()):
            space["sampling"] = "log"
        return space
    if kind == "near" and isinstance(value, float):
        low = draw(st.floats(max(value - 1, -0.5), value, allow_nan=False))
        space = {
            "search": "float",
            "min": low,
            "max": draw(st.floats(low, low + 2, allow_nan=False)),
        }
        if low > 0 and draw(st.booleans()):
            space["sampling"] = draw(st.sampled_from(["log", "reverse_log"]))
        return space
    if kind in ("near", "choice"):
        others = draw(st.lists(st.sampled_from([*NAMES, 1, 2.5, True, None]), max_size=3))
        return {
            "search": "choice",
            "values": list({json.dumps(v): v for v in [value, *others]}.values()),
        }
    return draw(
        st.sampled_from(
            [
                {"search": "integer", "min": 1, "max": 2},
                {"search": "int", "min": 4, "max": 1},
                {"search": "int", "min": 1},
                {"search": "float", "min": 0.0, "max": 1.0, "sampling": "log"},
                {"search": "choice", "values": []},
                {"search": "bool", "values": [True]},
            ]
        )
    )


def location(path):
    """("config", "stages", 0, "filters") -> "config.stages[0].filters", as kgraphs names it."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)[1:]


@st.composite
def searched_recipes(draw):
    """Shipped recipes with one to three values under config or compile (whole sections, lists
    and mappings too) turned into search spaces, sometimes one conditional on another."""
    data = json.loads(json.dumps(draw(st.sampled_from(SHIPPED))))
    spaces = {}
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(data) if p and p[0] in ("config", "compile")]
        path = draw(st.sampled_from(places))
        if any(path[: len(done)] == done or done[: len(path)] == path for done in spaces):
            continue  # inside or around a search already made
        value = data
        for part in path:
            value = value[part]
        spaces[path] = space_for(draw, value)
        data = mutate(data, path, "replace", spaces[path], "")
    if len(spaces) > 1 and draw(st.booleans()):
        (path, space), (other, condition) = list(spaces.items())[:2]
        if condition.get("search") in ("bool", "choice", "int"):
            wanted = {"bool": True, "int": condition.get("min")}.get(
                condition["search"], (condition.get("values") or [None])[0]
            )
            space["when"] = {location(other): wanted}
    return data
