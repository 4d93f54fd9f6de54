"""Malformed recipes of every shape give a located `ConfigError`, and nothing else."""

import pytest

import kgraphs
from kgraphs import ConfigError

GOOD = "version: 1\narchitecture: ticket_priority\n"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

# name, file suffix, file content (str or bytes), expected location, phrase in the message
BAD_FILES = [
    ("empty", ".yaml", "", "(file)", "empty file"),
    ("only whitespace", ".yaml", "  \n\n", "(file)", "empty file"),
    ("a list", ".yaml", "- version\n- 1\n", "(recipe)", "expected a mapping"),
    ("a scalar", ".json", "42", "(recipe)", "expected a mapping"),
    ("binary", ".yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "(file)", "binary"),
    ("invalid utf-8", ".yaml", b"version: 1\narchitecture: \xff\xfe\n", "line 2", "UTF-8"),
    (
        "python object tag",
        ".yaml",
        GOOD + "name: !!python/object/apply:os.system [echo hi]\n",
        "line 3, column 7",
        "invalid YAML",
    ),
    ("python name tag", ".yaml", "!!python/name:os.system\n", "line 1, column 1", "invalid YAML"),
    ("alias bomb", ".yaml", BOMB, "(file)", "alias"),
    ("duplicate key", ".yaml", GOOD + "version: 1\n", "line 3, column 1", "duplicate key"),
    ("duplicate json key", ".json", '{"version": 1, "version": 1}', "(file)", "duplicate key"),
    ("yaml syntax", ".yaml", "version: [1\n", "line 2, column 1", "invalid YAML"),
    ("json syntax", ".json", '{"version": 1,}', "line 1, column 15", "invalid JSON"),
    ("toml syntax", ".toml", "version = = 1", "(file)", "invalid TOML"),
    (
        "json NaN",
        ".json",
        '{"version": 1, "architecture": "x", "config": {"dropout": NaN}}',
        "(file)",
        "NaN",
    ),
    ("huge", ".yaml", "# " + "x" * 2_100_000, "(file)", "at most 2,000,000 bytes"),
    ("unknown suffix", ".txt", GOOD, "(file)", "unknown recipe suffix"),
    ("deep nesting", ".json", "[" * 100_000 + "]" * 100_000, "(file)", "nested too deeply"),
    # libyaml would recurse through these in C and crash the process, so they are refused first.
    ("deep yaml flow", ".yaml", "[" * 100_000 + "]" * 100_000, "(file)", "nested too deeply"),
    ("deep yaml blocks", ".yaml", "- " * 100_000 + "x\n", "(file)", "nested too deeply"),
    (
        "deep yaml mappings",
        ".yaml",
        "".join(" " * i + "a:\n" for i in range(1_500)) + " " * 1_500 + "1\n",
        "(file)",
        "nested too deeply",
    ),
]

# name, recipe dict, expected location, phrase in the message
BAD_RECIPES = [
    (
        "search space kind not a string",  # found by tests/test_fuzz.py: it was a TypeError
        {"version": 1, "architecture": "graph", "config": {"search": []}},
        "config.search",
        "expected one of",
    ),
    ("missing version", {"architecture": "ticket_priority"}, "version", "missing required key"),
    ("missing architecture", {"version": 1}, "architecture", "missing required key"),
    (
        "wrong version",
        {"version": 2, "architecture": "ticket_priority"},
        "version",
        "expected one of 1",
    ),
    (
        "misspelt architecture",
        {"version": 1, "architecture": "ticket_priorty"},
        "architecture",
        "did you mean 'ticket_priority'?",
    ),
    (
        "architecture not a string",
        {"version": 1, "architecture": 3},
        "architecture",
        "expected a string",
    ),
    (
        "unknown top-level key",
        {"version": 1, "architecture": "residual_cnn", "confg": {}},
        "confg",
        "did you mean 'config'?",
    ),
    (
        "config not a mapping",
        {"version": 1, "architecture": "residual_cnn", "config": [1]},
        "config",
        "expected a mapping",
    ),
    (
        "misspelt field",
        {"version": 1, "architecture": "ticket_priority", "config": {"lstm_unit": 8}},
        "config.lstm_unit",
        "did you mean 'lstm_units'?",
    ),
    (
        "string for int",
        {"version": 1, "architecture": "ticket_priority", "config": {"lstm_units": "32"}},
        "config.lstm_units",
        "expected an integer; given '32'",
    ),
    (
        "float for int",
        {"version": 1, "architecture": "ticket_priority", "config": {"lstm_units": 32.5}},
        "config.lstm_units",
        "expected an integer",
    ),
    (
        "bool for int",
        {"version": 1, "architecture": "ticket_priority", "config": {"lstm_units": True}},
        "config.lstm_units",
        "expected an integer",
    ),
    (
        "negative size",
        {"version": 1, "architecture": "ticket_priority", "config": {"vocab_size": -5}},
        "config.vocab_size",
        "expected a value >= 1",
    ),
    (
        "absurd size",
        {"version": 1, "architecture": "ticket_priority", "config": {"embedding_dim": 10**12}},
        "config.embedding_dim",
        "expected a value <= 65536",
    ),
    (
        "dropout of one",
        {"version": 1, "architecture": "ticket_priority", "config": {"dropout": 1.0}},
        "config.dropout",
        "expected a value < 1",
    ),
    (
        "infinite dropout",
        {"version": 1, "architecture": "ticket_priority", "config": {"dropout": float("inf")}},
        "config.dropout",
        "finite",
    ),
    (
        "nested stage field",
        {
            "version": 1,
            "architecture": "residual_cnn",
            "config": {"stages": [{"filters": 8}, {"filters": 0}]},
        },
        "config.stages[1].filters",
        "expected a value >= 1",
    ),
    (
        "misspelt stage key",
        {"version": 1, "architecture": "residual_cnn", "config": {"stages": [{"filtres": 8}]}},
        "config.stages[0].filtres",
        "did you mean 'filters'?",
    ),
    (
        "empty stages",
        {"version": 1, "architecture": "residual_cnn", "config": {"stages": []}},
        "config.stages",
        "at least 1",
    ),
    (
        "wrong shape length",
        {"version": 1, "architecture": "residual_cnn", "config": {"input_shape": [32, 32]}},
        "config.input_shape[2]",
        "too few items",
    ),
    (
        "misspelt choice",
        {"version": 1, "architecture": "siamese_text", "config": {"similarity": "cosin"}},
        "config.similarity",
        "did you mean 'cosine'?",
    ),
    (
        "image too small",
        {
            "version": 1,
            "architecture": "image_multitask",
            "config": {"input_shape": [8, 8, 3], "conv_filters": [4, 4, 4]},
        },
        "config",
        "too small",
    ),
    (
        "unknown activation",
        {"version": 1, "architecture": "image_multitask", "config": {"bbox_activation": "sigmod"}},
        "config.bbox_activation",
        "did you mean 'sigmoid'?",
    ),
    (
        "loss key not an output",
        {"version": 1, "architecture": "ticket_priority", "compile": {"loss": {"priorty": "mse"}}},
        "compile.loss.priorty",
        "did you mean 'priority'?",
    ),
    (
        "loss weight key not an output",
        {
            "version": 1,
            "architecture": "image_multitask",
            "compile": {"loss": "mse", "loss_weights": {"bbox": 0.5}},
        },
        "compile.loss_weights.bbox",
        "not an output",
    ),
    (
        "metric key not an output",
        {
            "version": 1,
            "architecture": "ticket_priority",
            "compile": {"metrics": {"label": ["accuracy"]}},
        },
        "compile.metrics.label",
        "not an output",
    ),
    (
        "loss dict missing an output",
        {
            "version": 1,
            "architecture": "image_multitask",
            "compile": {"loss": {"class_label": "categorical_crossentropy"}},
        },
        "compile.loss",
        "no loss for output 'bounding_box'",
    ),
    (
        "unknown loss",
        {
            "version": 1,
            "architecture": "ticket_priority",
            "compile": {"loss": "binary_crossentropi"},
        },
        "compile.loss",
        "did you mean 'binary_crossentropy'?",
    ),
    (
        "unknown optimizer",
        {"version": 1, "architecture": "ticket_priority", "compile": {"optimizer": "adamm"}},
        "compile.optimizer",
        "adam",
    ),
    (
        "callable-looking optimizer",
        {"version": 1, "architecture": "ticket_priority", "compile": {"optimizer": "os.system"}},
        "compile.optimizer",
        "unknown optimizer",
    ),
    (
        "unknown compile key",
        {"version": 1, "architecture": "ticket_priority", "compile": {"los": "mse"}},
        "compile.los",
        "did you mean 'loss'?",
    ),
    (
        "bad model name",
        {"version": 1, "architecture": "ticket_priority", "name": "a/b"},
        "name",
        "",
    ),
]


def _raises_config_error(source) -> ConfigError:
    try:
        kgraphs.load_recipe(source)
    except ConfigError as error:
        return error
    except Exception as error:
        pytest.fail(f"expected ConfigError, got {type(error).__name__}: {error}")
    pytest.fail("expected ConfigError, the recipe was accepted")


@pytest.mark.parametrize(
    ("suffix", "content", "location", "phrase"),
    [row[1:] for row in BAD_FILES],
    ids=[row[0] for row in BAD_FILES],
)
def test_bad_file(tmp_path, suffix, content, location, phrase):
    path = tmp_path / f"recipe{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    error = _raises_config_error(path)
    assert error.source == str(path)
    assert str(path) in str(error)
    assert [loc for loc, _ in error.problems] == [location], error.problems
    assert phrase in error.problems[0][1]


@pytest.mark.parametrize(
    ("recipe", "location", "phrase"),
    [row[1:] for row in BAD_RECIPES],
    ids=[row[0] for row in BAD_RECIPES],
)
def test_bad_recipe(recipe, location, phrase):
    error = _raises_config_error(recipe)
    assert location in [loc for loc, _ in error.problems], error.problems
    message = dict(error.problems)[location]
    assert phrase in message
    assert f"  {location}: " in str(error)


def test_every_problem_is_reported_at_once():
    error = _raises_config_error(
        {
            "version": 1,
            "architecture": "residual_cnn",
            "name": "ok",
            "config": {"stem_filter": 3, "num_classes": 1, "stages": [{"blocks": -1}]},
            "compile": {"loss": {"predictons": "mse"}},
        }
    )
    # The compile keys are checked against the outputs although the config fails.
    assert sorted(loc for loc, _ in error.problems) == [
        "compile.loss.predictons",
        "config.num_classes",
        "config.stages[0].blocks",
        "config.stem_filter",
    ]


def test_missing_file_is_a_config_error(tmp_path):
    error = _raises_config_error(tmp_path / "nowhere.yaml")
    assert "cannot read" in error.problems[0][1]


def test_unknown_name_without_suffix_suggests_an_architecture():
    error = _raises_config_error("siamese_txt")
    assert "did you mean 'siamese_text'?" in str(error)


def test_wrong_source_type():
    error = _raises_config_error(3.5)
    assert "expected a recipe name, a recipe path or a mapping" in str(error)


@pytest.mark.parametrize(
    "overrides",
    [{"lstm_units": 0}, {"lstm_units": "many"}, {"no_such_field": 1}],
)
def test_overrides_are_validated_like_the_recipe(overrides):
    with pytest.raises(ConfigError) as caught:
        kgraphs.build("recipes/ticket_priority.yaml", **overrides)
    (key,) = overrides
    assert caught.value.problems[0][0] == f"config.{key}"
    assert caught.value.source == "recipes/ticket_priority.yaml"


def test_factory_arguments_are_validated():
    with pytest.raises(ConfigError) as caught:
        kgraphs.siamese_text({"share_encoder": "yes"}, lstm_units=-1)
    assert sorted(loc for loc, _ in caught.value.problems) == [
        "config.lstm_units",
        "config.share_encoder",
    ]
    assert caught.value.source == "siamese_text() arguments"


def test_bad_optimizer_argument_is_a_config_error():
    with pytest.raises(ConfigError) as caught:
        kgraphs.build(
            {
                "version": 1,
                "architecture": "ticket_priority",
                "compile": {"optimizer": {"name": "adam", "learnig_rate": 0.1}},
            }
        )
    assert caught.value.problems == [
        (
            "compile.optimizer.learnig_rate",
            "unknown argument of optimizer 'adam'; did you mean 'learning_rate'?",
        )
    ]


def test_an_anchor_used_a_few_times_is_fine(tmp_path):
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "version: 1\narchitecture: residual_cnn\nconfig:\n  stages:\n"
        "    - &stage {filters: 8, blocks: 1}\n    - *stage\n    - *stage\n"
    )
    assert len(kgraphs.load_recipe(path).config.stages) == 3
