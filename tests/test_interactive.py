"""The interactive page (`kgraphs.drawing.interactive`), driven in Debian's headless Chromium.

Playwright's Python package drives the Chromium that `make browser` installs (never a
browser of its own: nothing is downloaded at test time). Every page is opened from
`file://`, and every request it makes is recorded and, unless it is a `file://` one,
refused: the page must need nothing from the network.
"""

import json

import pytest
from chromium import launched_chromium

import kgraphs
from kgraphs.drawing.grouping import group_tree
from kgraphs.drawing.interactive import page
from kgraphs.drawing.view import view
from kgraphs.introspection.layer_graph import layer_graph

pytestmark = [
    pytest.mark.slow,
    pytest.mark.backend_independent(
        reason="a page drawn from a model's layers and connections, which no backend changes"
    ),
]


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def resnet(application, tmp_path_factory):
    """ResNet50 and its page, written by `kgraphs.plot` as `kgraphs plot --format html` does."""
    model = application("ResNet50")
    path = tmp_path_factory.mktemp("resnet") / "resnet50.html"
    kgraphs.plot(model, path)
    return model, path


@pytest.fixture
def tab(browser):
    """A fresh tab; after the test, no request may have left file://, and no script failed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    refused, errors = [], []

    def only_files(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    yield opened
    context.close()
    assert refused == []
    assert errors == []


def url(tab) -> str:
    """The page's address now, read in the page: `tab.url` is Playwright's copy, updated by an
    event that may come after a click's handler has changed the hash."""
    return tab.evaluate("location.href")


def node(tab, box_id: str):
    return tab.locator(f'#stage g.node[data-box="{box_id}"]')


def boxes_shown(tab) -> set[str]:
    return set(tab.locator("#stage g.node").evaluate_all("nodes => nodes.map(n => n.dataset.box)"))


def field(tab, name: str) -> str:
    return tab.locator(f'#panel dd[data-field="{name}"]').inner_text()


def test_page_opens_at_the_top_level_collapsed(resnet, tab):
    model, path = resnet
    graph = layer_graph(model)
    tab.goto(path.as_uri())
    assert boxes_shown(tab) == set(view(group_tree(graph), graph, depth=1).boxes)
    for stage in ("conv1", "conv2", "conv3", "conv4", "conv5"):
        box = node(tab, f"group:{stage}")
        assert box.is_visible()
        assert box.locator("text").first.text_content() == stage
    assert tab.locator("#crumbs").inner_text() == "resnet50"
    assert field(tab, "parameters") == f"{model.count_params():,}"


def test_clicking_a_group_shows_its_layers_and_the_breadcrumb_goes_back(resnet, tab):
    model, path = resnet
    tab.goto(path.as_uri())
    node(tab, "group:conv2").click()
    assert url(tab).endswith("#group:conv2")
    assert tab.title() == "conv2 · resnet50"
    assert {"group:conv2_block1", "run:conv2_block2"} <= boxes_shown(tab)
    assert "group:conv3" not in boxes_shown(tab)
    node(tab, "group:conv2_block1").click()
    node(tab, "group:conv2_block1_1").click()
    layers = {layer.name for layer in model.layers if layer.name.startswith("conv2_block1_1_")}
    assert layers == {"conv2_block1_1_conv", "conv2_block1_1_bn", "conv2_block1_1_relu"}
    shown = boxes_shown(tab)
    assert layers <= shown
    # The layers just outside the group are there as stubs, to click for their facts.
    assert {box for box in shown if box.startswith("outside:")}
    for name in layers:
        assert node(tab, name).is_visible()
        assert node(tab, name).locator("text").first.text_content() == name
    assert tab.locator("#crumbs").inner_text().split("›") == [
        "resnet50",
        "conv2",
        "conv2_block1",
        "conv2_block1_1",
    ]
    tab.keyboard.press("Escape")
    assert url(tab).endswith("#group:conv2_block1")
    tab.go_back()
    assert url(tab).endswith("#group:conv2_block1_1")
    tab.locator("#crumbs a", has_text="conv2").first.click()
    assert url(tab).endswith("#group:conv2")
    tab.locator("#crumbs a", has_text="resnet50").click()
    assert "group:conv1" in boxes_shown(tab)
    assert tab.locator("#up").is_disabled()


def test_a_run_opens_with_each_of_its_groups(resnet, tab):
    _, path = resnet
    tab.goto(f"{path.as_uri()}#group:conv2")  # a link to a view opens it
    run = node(tab, "run:conv2_block2")
    assert "2 x the same structure" in run.text_content()
    run.click()
    assert {"group:conv2_block2_1", "group:conv2_block3_1"} <= boxes_shown(tab)
    frames = tab.locator("#stage g.cluster text").all_text_contents()
    assert "conv2_block2" in frames
    assert "conv2_block3" in frames


def test_a_layer_shows_its_parameters_and_arguments(resnet, tab):
    model, path = resnet
    tab.goto(f"{path.as_uri()}#group:conv3_block1_2")
    name = "conv3_block1_2_conv"
    node(tab, name).click()
    layer = model.get_layer(name)
    assert tab.locator("#panel h2").inner_text() == name
    assert field(tab, "class_name") == "Conv2D"
    assert field(tab, "parameters") == f"{layer.count_params():,}"
    assert field(tab, "input_shape") == "(None, 28, 28, 128)"
    assert field(tab, "output_shape") == "(None, 28, 28, 128)"
    assert field(tab, "calls") == "1"
    arguments = json.loads(tab.locator("#arguments").inner_text())
    config = json.loads(json.dumps(layer.get_config()))  # tuples as lists, as JSON has them
    config.pop("name")
    assert arguments == config
    assert arguments["filters"] == 128 and arguments["kernel_size"] == [3, 3]
    # Hovering another layer shows it; leaving it goes back to the clicked one.
    node(tab, "conv3_block1_2_bn").hover()
    assert tab.locator("#panel h2").inner_text() == "conv3_block1_2_bn"
    tab.locator("header").hover()
    assert tab.locator("#panel h2").inner_text() == name


def scale_and_box(tab) -> tuple[float, dict, dict]:
    """The drawing's zoom, its box on screen and the stage's box."""
    return tab.evaluate(
        """() => {
            const svg = document.querySelector("#stage svg");
            const scale = Number(svg.style.transform.match(/scale\\(([^)]+)\\)/)[1]);
            return [scale, svg.getBoundingClientRect().toJSON(),
                    document.getElementById("stage").getBoundingClientRect().toJSON()];
        }"""
    )


def test_wheel_zooms_drag_pans_and_fit_restores(resnet, tab):
    _, path = resnet
    tab.goto(f"{path.as_uri()}#group:conv4")
    tab.locator("#fit").click()
    fitted, drawing, stage = scale_and_box(tab)
    assert stage["top"] <= drawing["top"] and drawing["bottom"] <= stage["bottom"]
    tab.mouse.move(400, 400)
    tab.mouse.wheel(0, -400)
    zoomed, drawing, _ = scale_and_box(tab)
    assert zoomed > fitted
    tab.mouse.move(100, 300)  # on the background, left of the drawing
    tab.mouse.down()
    tab.mouse.move(180, 360, steps=4)
    tab.mouse.up()
    _, dragged, _ = scale_and_box(tab)
    assert (dragged["x"] - drawing["x"], dragged["y"] - drawing["y"]) == pytest.approx((80, 60))
    assert url(tab).endswith("#group:conv4")  # a drag is not a click
    tab.locator("#fit").click()
    assert scale_and_box(tab)[0] == fitted


def test_a_long_view_opens_readable_at_its_top(resnet, tab):
    _, path = resnet
    tab.goto(f"{path.as_uri()}#run:conv4_block2")  # five blocks, one above the other
    scale, drawing, stage = scale_and_box(tab)
    assert scale >= 0.6
    assert drawing["top"] == pytest.approx(stage["top"] + 16)
    assert drawing["bottom"] > stage["bottom"]
    tab.keyboard.press("f")
    scale, drawing, stage = scale_and_box(tab)
    assert scale < 0.6
    assert stage["top"] <= drawing["top"] and drawing["bottom"] <= stage["bottom"]


def test_a_shared_layer_and_hostile_names_in_a_recipe(browser, tab, tmp_path):
    """Call counts of shared layers; argument text that looks like HTML stays text."""
    graph = layer_graph(kgraphs.build("siamese_text", compile=False))
    hostile = "</script><script>alert(1)</script><!--"
    dense = next(key for key, layer in graph.layers.items() if layer.class_name == "Dense")
    graph.layers[dense].arguments["note"] = hostile
    text = page(graph, title="Two texts, one score")
    assert text == page(graph, title="Two texts, one score")  # the same bytes every time
    assert text.startswith("<!DOCTYPE html>")
    assert hostile not in text
    path = tmp_path / "siamese.html"
    path.write_text(text, encoding="utf-8")
    tab.goto(path.as_uri())
    assert tab.title() == "Two texts, one score"
    shared = next(key for key, layer in graph.layers.items() if layer.calls > 1)
    node(tab, shared).click()
    assert field(tab, "calls").startswith(f"{graph.layers[shared].calls} (shared")
    node(tab, dense).click()
    assert json.loads(tab.locator("#arguments").inner_text())["note"] == hostile
