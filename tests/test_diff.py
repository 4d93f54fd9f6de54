"""`kgraphs.diff` and `kgraphs diff`: exactly the changes between two models, nothing spurious.

Expected changes are written out per pair; parameter counts and argument values are checked
against the built Keras models themselves (`count_params()`, `get_config()`), not against the
layer graph the diff reads.
"""

import json
import re

import keras
import pytest
import yaml
from conftest import COMMAND_LINE, RECIPES, ROOT, recipe_id
from keras import layers
from test_cli import kgraphs_cli

import kgraphs
from kgraphs.building.saving import save_model
from kgraphs.introspection.layer_graph import layer_graph
from kgraphs.introspection.matching import ABSENT

INCEPTION = ROOT / "recipes" / "graph" / "inception_module.yaml"


def keys(layer_diffs) -> list[str]:
    """Layer keys, with layers Keras named (`not_equal_3`: the number depends on what the
    process built before) written as their class, `<NotEqual>`."""
    return [
        f"<{(d.b or d.a).class_name}>" if (d.b or d.a).auto_named else d.key for d in layer_diffs
    ]


def as_data(value):
    return json.loads(json.dumps(value))  # tuples as lists, as in a config written to JSON


def check_against_models(result, model_a, model_b):
    """Totals, per-layer parameters and argument values as Keras itself reports them."""
    assert result.parameters == (model_a.count_params(), model_b.count_params())
    for layer in result.layers:
        for info, model in ((layer.a, model_a), (layer.b, model_b)):
            # Layers Keras named have other numbers in models built apart (ops are no layers)
            if info is not None and "/" not in info.key and not info.auto_named:
                assert info.parameters == model.get_layer(info.name).count_params(), info.key
        for path, (before, after) in layer.arguments.items():
            if "." not in path and "[" not in path:
                config_a = model_a.get_layer(layer.a.name).get_config()
                config_b = model_b.get_layer(layer.b.name).get_config()
                assert as_data(config_a.get(path, ABSENT)) == before
                assert as_data(config_b.get(path, ABSENT)) == after


# (A, B, added, removed, {changed layer: its argument changes}, {layer: what else changed},
#  output changes)
SHIPPED_PAIRS = [
    pytest.param(
        "recipes/siamese_text.yaml",
        "recipes/siamese_text_cosine.yaml",
        ["<NotEqual>", "<NotEqual>", "cosine_similarity"],
        ["lstm_b", "concatenated_vectors"],
        {"shared_embed": {"mask_zero": (False, True)}, "lstm": {}, "similarity": {}},
        {
            "shared_embed": set(),
            "lstm": {"inbound", "calls", "input shape"},  # the encoder is now shared
            "similarity": {"inbound", "parameters", "input shape"},
        },
        [],
        id="siamese_text-cosine",
    ),
    pytest.param(
        "recipes/ticket_priority.yaml",
        "recipes/ticket_priority_levels.yaml",
        ["<NotEqual>", "combined_dropout"],
        ["metadata_dense"],
        {
            "text_embedding": {"mask_zero": (False, True)},
            "text_lstm": {},
            "combined_features": {},
            "priority": {"units": (1, 4), "activation": ("sigmoid", "softmax")},
        },
        {
            "text_embedding": set(),
            "text_lstm": {"inbound", "input shape"},
            "combined_features": {"inbound", "input shape", "output shape"},
            "priority": {"inbound", "parameters", "input shape", "output shape"},
        },
        [("priority", "(None, 1)", "(None, 4)")],
        id="ticket_priority-levels",
    ),
]


@pytest.mark.parametrize(
    ("a", "b", "added", "removed", "arguments", "details", "outputs"), SHIPPED_PAIRS
)
def test_shipped_recipe_pairs(a, b, added, removed, arguments, details, outputs):
    result = kgraphs.diff(a, b)
    assert not result.same
    assert keys(result.added) == added
    assert keys(result.removed) == removed
    assert {d.key: d.arguments for d in result.changed} == arguments
    assert {d.key: set(d.changes) for d in result.changed} == details
    assert list(result.outputs) == outputs
    assert list(result.inputs) == []
    check_against_models(result, kgraphs.build(a, compile=False), kgraphs.build(b, compile=False))


def test_inbound_and_calls_name_each_sides_layers():
    result = kgraphs.diff("recipes/siamese_text.yaml", "recipes/siamese_text_cosine.yaml")
    lstm = next(d for d in result.changed if d.key == "lstm")
    before, after = lstm.changes["inbound"]
    assert before == ["shared_embed"]
    assert after[0] == "shared_embed" and len(after) == 3  # the embedding and two masks
    assert lstm.changes["calls"] == (1, 2)
    similarity = next(d for d in result.changed if d.key == "similarity")
    assert similarity.changes["inbound"] == (["concatenated_vectors"], ["cosine_similarity"])
    assert similarity.changes["parameters"] == (129, 2)


# Edits of a graph recipe: (edit, added, removed, {changed: arguments}, {changed: other changes})
def add_dropout(config):
    nodes = config["nodes"]
    at = next(i for i, node in enumerate(nodes) if node["name"] == "pooled") + 1
    nodes.insert(at, {"name": "head_dropout", "layer": "Dropout", "args": {"rate": 0.5}})
    nodes[at]["inputs"] = "pooled"
    nodes[at + 1]["inputs"] = "head_dropout"


def remove_5x5_branch(config):
    config["nodes"] = [n for n in config["nodes"] if not n["name"].startswith("branch5x5")]
    mixed = next(n for n in config["nodes"] if n["name"] == "mixed")
    mixed["inputs"] = [name for name in mixed["inputs"] if name != "branch5x5"]


def widen_3x3(config):
    branch = next(n for n in config["nodes"] if n["name"] == "branch3x3")
    branch["args"].update(filters=32, kernel_size=5)


def rewire_5x5_reduce(config):
    next(n for n in config["nodes"] if n["name"] == "branch5x5_reduce")["inputs"] = (
        "branch3x3_reduce"
    )


def swap_concatenation(config):
    mixed = next(n for n in config["nodes"] if n["name"] == "mixed")
    mixed["inputs"][:2] = mixed["inputs"][1::-1]


EDITS = [
    (add_dropout, ["head_dropout"], [], {"predictions": {}}, {"predictions": {"inbound"}}),
    (
        remove_5x5_branch,
        [],
        ["branch5x5_reduce", "branch5x5"],
        {"mixed": {}, "pooled": {}, "predictions": {}},
        {
            "mixed": {"inbound", "input shape", "output shape"},
            "pooled": {"input shape", "output shape"},
            "predictions": {"parameters", "input shape"},
        },
    ),
    (
        widen_3x3,
        [],
        [],
        {
            "branch3x3": {"filters": (24, 32), "kernel_size": ([3, 3], [5, 5])},
            "mixed": {},
            "pooled": {},
            "predictions": {},
        },
        {
            "branch3x3": {"parameters", "output shape"},
            "mixed": {"input shape", "output shape"},
            "pooled": {"input shape", "output shape"},
            "predictions": {"parameters", "input shape"},
        },
    ),
    (
        rewire_5x5_reduce,
        [],
        [],
        {"branch5x5_reduce": {}},
        {"branch5x5_reduce": {"inbound", "parameters", "input shape"}},
    ),
    (swap_concatenation, [], [], {"mixed": {}}, {"mixed": {"inbound", "input shape"}}),
]


@pytest.fixture(scope="module")
def inception():
    return kgraphs.build(INCEPTION, compile=False)


@pytest.mark.parametrize(
    ("edit", "added", "removed", "arguments", "details"),
    EDITS,
    ids=[edit[0].__name__ for edit in EDITS],
)
def test_edited_graph_recipe(tmp_path, inception, edit, added, removed, arguments, details):
    recipe = yaml.safe_load(INCEPTION.read_text())
    edit(recipe["config"])
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(recipe))
    result = kgraphs.diff(INCEPTION, edited)
    assert keys(result.added) == added
    assert keys(result.removed) == removed
    assert {d.key: d.arguments for d in result.changed} == arguments
    assert {d.key: set(d.changes) for d in result.changed} == details
    assert result.inputs == result.outputs == ()
    check_against_models(result, inception, kgraphs.build(edited, compile=False))


def test_rewiring_names_the_old_and_new_source(tmp_path):
    recipe = yaml.safe_load(INCEPTION.read_text())
    rewire_5x5_reduce(recipe["config"])
    result = kgraphs.diff(INCEPTION, recipe)
    (changed,) = result.changed
    assert changed.changes["inbound"] == (["stem"], ["branch3x3_reduce"])
    assert changed.changes["parameters"] == (32 * 8 + 8, 16 * 8 + 8)  # a 1x1 conv to 8 filters


# Models whose layers Keras names itself: the same code run twice gives other names.
def auto_named(units=(8, 4, 2)) -> keras.Model:
    inputs = keras.Input((8,))
    x = inputs
    for width in units:
        x = layers.Dense(width)(x)
    head = keras.Sequential([layers.Dense(3), layers.Dense(3, activation="softmax")])
    side = layers.Dense(2)(inputs)
    return keras.Model(inputs, [head(x), layers.Concatenate()([x, side])])


def test_the_same_auto_named_model_built_twice_has_no_differences():
    a, b = auto_named(), auto_named()
    assert [layer.name for layer in a.layers] != [layer.name for layer in b.layers]
    result = kgraphs.diff(a, b)
    assert result.same, result.text()
    assert "no differences" in result.text()
    assert repr(result) == f"<ModelDiff <model {a.name}> -> <model {b.name}>: same>"


def test_an_auto_named_layer_inserted_is_one_added_layer():
    a, b = auto_named((8, 4, 2)), auto_named((8, 6, 4, 2))
    result = kgraphs.diff(a, b)
    ((inserted,), (changed,)) = result.added, result.changed
    assert (inserted.b.class_name, inserted.b.arguments["units"]) == ("Dense", 6)
    assert changed.a.arguments["units"] == changed.b.arguments["units"] == 4
    assert set(changed.changes) == {"inbound", "parameters", "input shape"}
    assert result.removed == [] and result.inputs == result.outputs == ()
    check_against_models(result, a, b)


def test_the_same_recipe_against_itself_is_the_same():
    result = kgraphs.diff("recipes/siamese_text_cosine.yaml", "siamese_text_cosine")
    assert result.same
    assert [d.status for d in result.layers] == ["same"] * len(result.b.layers)


@pytest.mark.parametrize("path", RECIPES, ids=recipe_id)
def test_every_shipped_recipe_against_itself_is_the_same(path):
    assert kgraphs.diff(path, path).same


def test_a_model_and_its_keras_file_are_the_same(tmp_path, inception):
    saved = save_model(inception, tmp_path / "inception.keras")
    assert kgraphs.diff(inception, saved).same
    assert kgraphs.diff(str(saved), INCEPTION).same


def test_set_a_and_set_b_apply_to_one_side():
    result = kgraphs.diff(
        "ticket_priority",
        "ticket_priority",
        set_a={"config.lstm_units": 8},
        set_b={"config.lstm_units": 16},
    )
    lstm = next(d for d in result.changed if d.key == "text_lstm")
    assert lstm.arguments == {"units": (8, 16)}
    assert result.a_label == "ticket_priority with config.lstm_units=8"
    check_against_models(
        result,
        kgraphs.ticket_priority(lstm_units=8),
        kgraphs.ticket_priority(lstm_units=16),
    )


def test_input_and_output_changes(tmp_path):
    def model(text_length, outputs):
        text = keras.Input((text_length,), name="text")
        extra = keras.Input((3,), name="extra")
        merged = layers.Concatenate(name="merged")([text, extra])
        heads = [layers.Dense(1, name=name)(merged) for name in outputs]
        return keras.Model([text, extra], heads)

    result = kgraphs.diff(model(5, ["score", "label"]), model(7, ["label", "score", "rank"]))
    assert list(result.inputs) == [("text", "(None, 5)", "(None, 7)")]
    assert list(result.outputs) == [
        ("rank", ABSENT, "(None, 1)"),
        ("(order)", ["score", "label"], ["label", "score"]),
    ]
    assert "  + rank: (absent) -> (None, 1)" in result.text()


def test_nested_config_changes_are_dotted_paths():
    def model(initializer, dtype):
        inputs = keras.Input((4,), name="x")
        outputs = layers.Dense(2, kernel_initializer=initializer, dtype=dtype, name="d")(inputs)
        return keras.Model(inputs, outputs)

    result = kgraphs.diff(
        model(keras.initializers.GlorotUniform(seed=1), "float32"),
        model(keras.initializers.HeNormal(seed=2), "mixed_float16"),
    )
    (dense,) = result.changed
    assert dense.arguments["kernel_initializer"][1]["class_name"] == "HeNormal"
    assert dense.arguments["dtype.config.name"] == ("float32", "mixed_float16")
    assert (
        "kernel_initializer: GlorotUniform(seed=1, input_axes=None, output_axes=None) -> "
        "HeNormal(seed=2, input_axes=None, output_axes=None)"
    ) in result.text()


def test_markdown_report_shape():
    result = kgraphs.diff("recipes/ticket_priority.yaml", "recipes/ticket_priority_levels.yaml")
    text = result.markdown()
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "## Model diff",
        "### Outputs",
        "### Layers",
        "#### `text_embedding` (Embedding)",
        "#### `text_lstm` (LSTM)",
        "#### `combined_features` (Concatenate)",
        "#### `priority` (Dense)",
    ]
    for table in text.split("\n\n"):
        rows = [line for line in table.splitlines() if line.startswith("|")]
        if rows:
            assert len({row.count(" | ") for row in rows}) == 1, table
    assert "| - | `metadata_dense` | Dense | 96 |  | -96 |" in text
    assert "| activation | `'sigmoid'` | `'softmax'` |" in text


def test_markdown_report_is_exactly_the_expected_text():
    """The whole report, against numbers worked out by hand from the two recipes: the text
    LSTM and embedding are unchanged; A has a 5 -> 16 metadata Dense and a 1-unit head on
    32 + 16 features, B concatenates the 5 metadata features directly into a 4-unit head."""
    embedding = 10_000 * 64
    lstm = 4 * (32 * (64 + 32) + 32)
    metadata_dense = (5 + 1) * 16
    head_a, head_b = (32 + 16 + 1) * 1, (32 + 5 + 1) * 4
    total_a, total_b = embedding + lstm + metadata_dense + head_a, embedding + lstm + head_b
    assert (total_a, total_b) == (652_561, 652_568)  # the chapter's count, and B's
    expected = f"""## Model diff

| | A | B |
| --- | --- | --- |
| source | `recipes/ticket_priority.yaml` | `recipes/ticket_priority_levels.yaml` |
| model | `ticket_priority` | `ticket_priority_levels` |
| layers | 7 | 8 |
| parameters | {total_a:,} | {total_b:,} (+{total_b - total_a}) |

**2 added, 1 removed, 4 changed, outputs changed; parameters {total_a:,} -> {total_b:,} (+7)**

### Outputs

| | name | A | B |
| --- | --- | --- | --- |
| ~ | `priority` | `(None, 1)` | `(None, 4)` |

### Layers

| | layer | class | parameters A | parameters B | change |
| --- | --- | --- | ---: | ---: | ---: |
| ~ | `text_embedding` | Embedding | {embedding:,} | {embedding:,} |  |
| + | `not_equal` | NotEqual |  | 0 |  |
| ~ | `text_lstm` | LSTM | {lstm:,} | {lstm:,} |  |
| - | `metadata_dense` | Dense | {metadata_dense} |  | -{metadata_dense} |
| ~ | `combined_features` | Concatenate | 0 | 0 |  |
| + | `combined_dropout` | Dropout |  | 0 |  |
| ~ | `priority` | Dense | {head_a} | {head_b} | +{head_b - head_a} |

#### `text_embedding` (Embedding)

| | A | B |
| --- | --- | --- |
| mask_zero | `False` | `True` |

#### `text_lstm` (LSTM)

| | A | B |
| --- | --- | --- |
| inbound | `[text_embedding]` | `[text_embedding, not_equal]` |
| input shape | `(None, None, 64)` | `[(None, None, 64), (None, None)]` |

#### `combined_features` (Concatenate)

| | A | B |
| --- | --- | --- |
| inbound | `[text_lstm, metadata_dense]` | `[text_lstm, metadata]` |
| input shape | `[(None, 32), (None, 16)]` | `[(None, 32), (None, 5)]` |
| output shape | `(None, 48)` | `(None, 37)` |

#### `priority` (Dense)

| | A | B |
| --- | --- | --- |
| parameters | `{head_a}` | `{head_b}` |
| inbound | `[combined_features]` | `[combined_dropout]` |
| input shape | `(None, 48)` | `(None, 37)` |
| output shape | `(None, 1)` | `(None, 4)` |
| units | `1` | `4` |
| activation | `'sigmoid'` | `'softmax'` |
"""
    result = kgraphs.diff("recipes/ticket_priority.yaml", "recipes/ticket_priority_levels.yaml")
    # Keras numbers the mask op it names itself (`not_equal_3`) by what this process built
    # before; the report shows Keras's name as it is.
    text = re.sub(r"`not_equal_\d+`", "`not_equal`", result.markdown())
    text = re.sub(r"not_equal_\d+\]", "not_equal]", text)
    assert text == expected


def test_union_graph_and_highlight():
    result = kgraphs.diff("recipes/siamese_text.yaml", "recipes/siamese_text_cosine.yaml")
    union, highlight = result.union_graph(), result.highlight()
    assert set(union.layers) == set(result.b.layers) | {"lstm_b", "concatenated_vectors"}
    assert {"added"} == {highlight[key] for key in result.b.layers if key.startswith("not_eq")}
    assert highlight["lstm_b"] == highlight["concatenated_vectors"] == "removed"
    assert highlight["lstm"] == highlight["similarity"] == "changed"
    assert "text_a" not in highlight
    assert ("concatenated_vectors", "similarity") in union.edges  # A's edges are kept
    assert set(result.b.edges) <= set(union.edges)
    order = list(union.layers)
    assert all(order.index(source) < order.index(target) for source, target in union.edges)
    edges = result.edge_highlight()
    assert edges[("concatenated_vectors", "similarity")] == "removed"
    assert edges[("cosine_similarity", "similarity")] == "added"
    assert set(edges) <= set(union.edges)
    svg = result.plot(format="svg").data.decode()
    assert svg.count('stroke-dasharray="5,2"') == sum(s == "removed" for s in edges.values())


def test_a_removed_layer_whose_key_b_reuses_gets_a_unique_key():
    def chain(*widths_and_names):
        inputs = keras.Input((4,), name="x")
        x = inputs
        for width, name in widths_and_names:
            x = layers.Dense(width, name=name)(x)
        return keras.Model(inputs, x)

    # B's "dense_1" is A's "dense" (both the first Dense, 8 units); A's "dense_1" is gone.
    result = kgraphs.diff(chain((8, "dense"), (4, "dense_1")), chain((8, "dense_1")))
    assert [(d.status, d.a and d.a.name, d.b and d.b.name) for d in result.layers[1:]] == [
        ("same", "dense", "dense_1"),
        ("removed", "dense_1", None),
    ]
    assert result.highlight() == {"dense_1 (A)": "removed"}
    assert result.union_graph().layers["dense_1 (A)"].name == "dense_1"


@pytest.mark.parametrize(
    ("a", "b", "options", "phrase"),
    [
        ("ticket_priority", "nowhere.yaml", {}, "B (nowhere.yaml): 1 problem"),
        ("nowhere.keras", "ticket_priority", {}, "A (nowhere.keras): 1 problem"),
        ("ticket_priorty", "ticket_priority", {}, "did you mean 'ticket_priority'?"),
        (42, "ticket_priority", {}, "given int"),
        ("ticket_priority", "ticket_priority", {"set_b": {"config.lstm_units": 0}}, ">= 1"),
    ],
)
def test_bad_input_is_a_config_error(a, b, options, phrase):
    with pytest.raises(
        kgraphs.ConfigError,
    ) as caught:
        kgraphs.diff(a, b, **options)
    assert phrase in str(caught.value)


def test_overrides_for_a_model_or_keras_file_are_refused(tmp_path, inception):
    with pytest.raises(kgraphs.ConfigError, match="--set changes recipes only"):
        kgraphs.diff(inception, "ticket_priority", set_a={"config.lstm_units": 8})
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_text("not a zip archive")
    with pytest.raises(kgraphs.ConfigError, match="Keras cannot load it in safe mode"):
        kgraphs.diff(inception, corrupt)


# The command line, as a subprocess started in a folder outside the repository.


def test_cli_bad_inputs_exit_2_without_traceback(tmp_path):
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("version: 1\narchitecture: ticket_priority\nconfig: {lstm_units: -3}\n")
    for arguments, phrase in [
        (["ticket_priority", str(tmp_path / "missing.yaml")], "cannot read"),
        ([str(malformed), "ticket_priority"], "config.lstm_units: expected a value >= 1"),
        (["ticket_priority", "ticket_priority", "--set", "lstm_units"], "KEY=VALUE"),
        (["ticket_priority", "ticket_priority", "--plot", "out.gif"], "--plot"),
    ]:
        result = kgraphs_cli("diff", *arguments)
        assert result.returncode == 2, result
        assert phrase in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.slow
@COMMAND_LINE
def test_cli_same_exits_0_and_set_applies_to_both_sides():
    result = kgraphs_cli(
        "diff",
        "ticket_priority",
        str(ROOT / "recipes/ticket_priority.yaml"),
        "--set",
        "config.lstm_units=8",
    )
    assert result.returncode == 0, result.stderr
    assert "no differences: the same architecture (7 layers, 642,457 parameters)" in result.stdout
    assert result.stderr == ""


@pytest.mark.slow
@COMMAND_LINE
def test_cli_different_exits_1_with_markdown(tmp_path):
    result = kgraphs_cli(
        "diff",
        "ticket_priority",
        "ticket_priority",
        "--set-a",
        "config.lstm_units=8",
        "--set-b",
        "config.lstm_units=16",
        "--format",
        "markdown",
    )
    assert result.returncode == 1, result.stderr
    assert (
        result.stdout
        == kgraphs.diff(
            "ticket_priority",
            "ticket_priority",
            set_a={"config.lstm_units": 8},
            set_b={"config.lstm_units": 16},
        ).markdown()
    )


@pytest.mark.slow
@COMMAND_LINE
def test_cli_plot_draws_both_models_with_the_changes(tmp_path):
    picture = tmp_path / "pictures" / "siamese.svg"
    result = kgraphs_cli("diff", "siamese_text", "siamese_text_cosine", "--plot", str(picture))
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"wrote {picture}\n"
    assert result.stdout.splitlines()[2].startswith("3 added, 2 removed, 3 changed;")
    svg = picture.read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    for name in ("lstm_b", "concatenated_vectors", "cosine_similarity", "shared_embed", "lstm"):
        assert f">{name}<" in svg, name  # removed, added and changed layers are all drawn
    assert sorted(path.name for path in picture.parent.iterdir()) == ["siamese.svg"]


def test_a_saved_lambda_is_refused_and_never_run(tmp_path):
    canary = tmp_path / "canary"
    inputs = keras.Input((2,), name="x")
    touch = f"lambda t: (open({str(canary)!r}, 'w').close(), t)[1]"
    model = keras.Model(inputs, layers.Lambda(eval(touch), name="sneaky")(inputs))
    model.save(tmp_path / "sneaky.keras")
    canary.unlink(missing_ok=True)  # tracing the Lambda while building ran it once, here
    with pytest.raises(kgraphs.ConfigError, match=r"A \(.*sneaky.keras\): 1 problem"):
        kgraphs.diff(tmp_path / "sneaky.keras", "ticket_priority")
    assert not canary.exists()


def test_a_sequential_model_and_its_keras_file_are_the_same(tmp_path):
    model = keras.Sequential([keras.Input((6,)), layers.Dense(4), layers.Dense(2)])
    assert kgraphs.diff(model, save_model(model, tmp_path / "sequential.keras")).same


def test_dict_outputs_are_named_by_their_keys():
    # Keras names a dict's outputs after their layers (output_names), but the model is called,
    # compiled and fitted by key: the diff and the drawings (layer_graph) say the keys.
    def model(keys):
        x = keras.Input((3,), name="x")
        return keras.Model(x, {key: layers.Dense(n, name=f"head_{n}")(x) for key, n in keys})

    a = model([("style", 1), ("content", 2)])
    b = model([("style", 1), ("texture", 2), ("depth", 4)])
    assert layer_graph(a).outputs == [("content", "(None, 2)"), ("style", "(None, 1)")]
    result = kgraphs.diff(a, b)
    assert list(result.outputs) == [
        ("content", "(None, 2)", ABSENT),
        ("depth", ABSENT, "(None, 4)"),
        ("texture", ABSENT, "(None, 2)"),
    ]
