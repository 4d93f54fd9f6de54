"""`kgraphs.plot` on real pydot and Graphviz: formats, options, files, notebooks, shared layers."""

import os
import re
import subprocess
import sys
import textwrap

import keras
import pytest

import kgraphs
from kgraphs import ConfigError
from kgraphs.drawing.plot import FORMATS
from kgraphs.util.atomic import atomic_path

MAGIC = {
    "png": b"\x89PNG",
    "svg": b"<?xml",
    "pdf": b"%PDF",
    "dot": b"digraph",
    "html": b"<!DOCTYPE html>",
}


@pytest.fixture(scope="module")
def siamese():
    return kgraphs.siamese_text()


@pytest.mark.parametrize("format", FORMATS)
def test_format_from_the_suffix(siamese, tmp_path, format):
    diagram = kgraphs.plot(siamese, tmp_path / f"model.{format}")
    assert diagram.format == format
    assert diagram.path.read_bytes() == diagram.data
    assert diagram.data.startswith(MAGIC[format])


def test_format_argument_wins_over_the_suffix(siamese, tmp_path):
    diagram = kgraphs.plot(siamese, tmp_path / "model.diagram", format="svg")
    assert diagram.data.startswith(b"<?xml")


def test_unknown_format_lists_the_formats(siamese, tmp_path):
    with pytest.raises(ConfigError) as caught:
        kgraphs.plot(siamese, tmp_path / "model.gif")
    assert "expected one of ['png', 'svg', 'pdf', 'dot', 'html']" in str(caught.value)
    assert not (tmp_path / "model.gif").exists()


def test_chapter_defaults_show_shapes_names_and_activations(siamese):
    text = kgraphs.plot(siamese, format="dot").data.decode()
    assert "(None, None) → (None, None, 128)" in text  # shared_embed's input and output shapes
    assert "<b>shared_embed</b> (Embedding)" in text and "Activation: sigmoid" in text
    full = kgraphs.plot(siamese, format="dot", depth=None).data.decode()
    assert "Output shape" in full and "shared_embed" in full and "Activation" in full


def test_options_apply_to_collapsed_and_full_diagrams(siamese):
    text = kgraphs.plot(siamese, format="dot", rankdir="LR", show_dtype=True).data.decode()
    assert "rankdir=LR" in text and "dtype: float32" in text
    full = kgraphs.plot(siamese, format="dot", depth=None, rankdir="LR", show_dtype=True)
    assert "rankdir=LR" in full.data.decode() and "Output dtype" in full.data.decode()


def test_keras_only_options_say_they_need_depth_none(siamese):
    with pytest.raises(ConfigError, match="expand_nested: applies to full diagrams only"):
        kgraphs.plot(siamese, expand_nested=True)
    assert kgraphs.plot(siamese, depth=None, expand_nested=True).data.startswith(b"<?xml")


@pytest.mark.parametrize("depth", [0, -1, 1.5, "deep", True])
def test_bad_depth_is_a_clear_error(siamese, depth):
    with pytest.raises(ConfigError, match="depth: expected a whole number from 1, 'auto' or None"):
        kgraphs.plot(siamese, depth=depth)


def test_unknown_option_is_a_clear_error(siamese):
    with pytest.raises(ConfigError, match="did you mean 'show_shapes'"):
        kgraphs.plot(siamese, format="svg", show_shape=True)


def test_recipes_are_accepted_too():
    diagram = kgraphs.plot("recipes/residual_cnn.yaml")
    assert b"stage1_block1_add" in diagram.data


def test_missing_folders_are_created(siamese, tmp_path):
    target = tmp_path / "a" / "b" / "c" / "model.png"
    kgraphs.plot(siamese, target)
    assert target.read_bytes().startswith(MAGIC["png"])


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    target = tmp_path / "model.svg"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half of a new fi")
        raise RuntimeError("interrupted mid-write")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.svg"]


def test_shared_layers_are_marked_with_their_call_count():
    shared_all = kgraphs.plot(kgraphs.siamese_text(share_encoder=True)).data.decode()
    assert shared_all.count("shared: 2 calls") == 2  # the embedding and the LSTM
    chapter = kgraphs.plot(kgraphs.siamese_text()).data.decode()
    assert chapter.count("shared: 2 calls") == 1
    assert "shared:" not in kgraphs.plot(kgraphs.ticket_priority()).data.decode()


def test_same_model_gives_the_same_bytes():
    assert kgraphs.plot("siamese_text").data == kgraphs.plot("siamese_text").data


@pytest.mark.parametrize(
    ("format", "mime"), [("svg", "image/svg+xml"), ("png", "image/png"), ("html", "text/html")]
)
def test_displays_inline_in_ipython(siamese, format, mime):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    bundle, _ = shell.display_formatter.format(kgraphs.plot(siamese, format=format))
    assert mime in bundle
    if format == "html":  # the page in a frame of its own, its markup escaped into srcdoc
        assert bundle[mime].startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')


MISSING_DOT = textwrap.dedent(
    """
    import sys
    if sys.argv[1] == "ipython":
        import IPython.core.magics.namespace  # what Keras takes as "in a notebook"
    import kgraphs
    from kgraphs.drawing.plot import GraphvizMissingError
    try:
        kgraphs.plot(kgraphs.ticket_priority(), "model.png")
    except GraphvizMissingError as error:
        print("raised:", error)
    else:
        print("no error")
    """
)


# What a missing Graphviz or pydot says does not depend on the Keras backend.
INSTALL_MESSAGES = pytest.mark.backend_independent(reason="a missing program's message")


@pytest.mark.slow
@INSTALL_MESSAGES
@pytest.mark.parametrize("namespace_magics", ["ipython", "plain"])
def test_missing_dot_program_says_how_to_install_it(tmp_path, namespace_magics):
    environment = dict(os.environ, PATH=str(tmp_path))  # a PATH without Graphviz
    result = subprocess.run(
        [sys.executable, "-c", MISSING_DOT, namespace_magics],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert "raised: Graphviz's `dot` program is not on PATH" in result.stdout, result.stderr
    assert "apt-get install -y graphviz" in result.stdout
    assert not (tmp_path / "model.png").exists()


@pytest.mark.slow
@INSTALL_MESSAGES
def test_missing_pydot_says_how_to_install_it(tmp_path):
    code = (
        "import sys; sys.modules['pydot'] = None\n"  # pydot is not importable in this process
        "import kgraphs\nfrom kgraphs.drawing.plot import GraphvizMissingError\n"
        "try:\n    kgraphs.plot(kgraphs.ticket_priority(), depth=None)\n"
        "except GraphvizMissingError as error:\n    print('raised:', error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert "raised: plotting needs pydot: `pip install pydot`" in result.stdout, result.stderr


def test_full_drawing_names_the_layers_of_nested_sequential_models():
    inner = keras.Sequential([keras.layers.Dense(4, name="inner_dense")], name="inner")
    features = keras.Input((3,), name="features")
    model = keras.Model(features, inner(features))
    text = kgraphs.plot(model, format="dot", depth=None, expand_nested=True).data.decode()
    assert '"inner/inner_dense"' in text
    assert re.search(r"\b\d{6,}\b", text) is None  # no box left named by id(layer)


@pytest.mark.parametrize("depth", ["auto", None])
def test_layer_names_with_html_characters_are_drawn_as_written(depth):
    features = keras.Input((3,), name="in<put>&more")
    model = keras.Model(features, keras.layers.Dense(2, name="a&b")(features))
    svg = kgraphs.plot(model, depth=depth).data.decode()
    assert "in&lt;put&gt;&amp;more" in svg and "a&amp;b" in svg  # escaped once, as SVG text
