"""`kgraphs.deploy` and `kgraphs deploy`: each format written by Keras's exporter and checked in
its own runtime. The tests load every file again with the runtime's own API, written here
independently of kgraphs, and compare with Keras: a verified file must really load and give
Keras's outputs, and a refused one must really fail in that runtime.
"""

import copy
import os
import re

import deploy_matrix
import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter
from conftest import ALLOCATABLE, recipe_id, run_kgraphs
from deploy_matrix import independently

import kgraphs
from kgraphs import ConfigError

pytestmark = pytest.mark.tensorflow_only(reason="Keras exports these formats from TensorFlow")

SMALL_IMAGE = {"input_shape": [32, 32, 3]}


@pytest.mark.slow
def test_every_shipped_recipe_in_every_format_agrees_with_the_runtime():
    # `cells` loads each file again in the runtime's own API and raises where it disagrees.
    table = deploy_matrix.cells(deploy_matrix.shipped_recipes())
    assert sorted(table) == sorted(recipe_id(path) for path in ALLOCATABLE)
    for name, row in table.items():
        assert list(row) == list(deploy_matrix.FILE_NAMES), name
        # Every model of built-in layers converts to SavedModel and ONNX.
        assert row["savedmodel"].startswith("verified ("), (name, row)
        assert row["onnx"].startswith("verified ("), (name, row)
        for cell in row.values():
            if not cell.startswith("verified ("):  # a refusal names a layer and its class
                assert re.search(r"^refused: .+: [\w/]+ \(\w+\)", cell), cell
    deploy_matrix.keep_tested(deploy_matrix.markdown(table))  # the site's page: make docs


@pytest.mark.parametrize(
    ("format", "file_name"),
    [
        ("savedmodel", "model"),
        ("onnx", "model.onnx"),
        ("litert", "model.tflite"),
        ("openvino", "model.xml"),
    ],
)
def test_each_format_is_verified_and_really_gives_kerass_outputs(format, file_name, tmp_path):
    model = kgraphs.build("image_multitask", compile=False, **SMALL_IMAGE)
    report = kgraphs.deploy(model, tmp_path / file_name, format=format)
    assert report.verified, report.text()
    assert report.path == tmp_path / file_name
    assert [(t.shape, t.dtype) for t in report.inputs] == [((None, 32, 32, 3), "float32")]
    assert (
        report.largest_difference <= report.tolerance == (1e-5 if format == "savedmodel" else 1e-4)
    )
    images = np.random.default_rng(3).random((5, 32, 32, 3)).astype("float32")
    expected = model.predict(images, verbose=0)
    given = independently(report.path, format, {"image": images})
    assert len(given) == 2
    for ours, theirs in zip(given, expected, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=report.tolerance)
    assert not list(tmp_path.glob(".*tmp*"))  # the temporary export was renamed, not left


def test_openvino_conversion_forks_no_telemetry_process(tmp_path):
    # OpenVINO's converter sends each conversion to Google Analytics from a forked process
    # unless told otherwise; os.register_at_fork sees every fork of this process.
    forks = []
    os.register_at_fork(before=lambda: forks.append(1))
    earlier = os.environ.get("CI")
    model = kgraphs.build("image_multitask", compile=False, **SMALL_IMAGE)
    report = kgraphs.deploy(model, tmp_path / "model.xml", format="openvino")
    assert report.verified, report.text()
    assert forks == []
    assert os.environ.get("CI") == earlier  # the environment as it was


def test_litert_flex_ops_are_found_before_shipping_with_their_layer(tmp_path):
    report = kgraphs.deploy("ticket_priority", tmp_path / "ticket.tflite")
    assert not report.verified
    assert report.problems == [
        "ops it cannot run: FlexTensorListReserve",
        "made by the recurrent layers' loops: text_lstm (LSTM)",
    ]
    assert report.suggestions and "unroll=True" in report.suggestions[0]
    assert report.path == tmp_path / "ticket.tflite.unverified"
    assert not (tmp_path / "ticket.tflite").exists()
    with pytest.raises(RuntimeError, match="Select TensorFlow op"):  # the runtime agrees
        Interpreter(model_path=str(report.path)).allocate_tensors()


def test_the_suggested_change_makes_litert_work(tmp_path):
    recipe = copy.deepcopy(kgraphs.to_recipe(kgraphs.build("ticket_priority", compile=False)))
    recipe["config"]["inputs"][0]["shape"] = [20]
    next(n for n in recipe["config"]["nodes"] if n["name"] == "text_lstm")["args"]["unroll"] = True
    model = kgraphs.build(recipe, compile=False)
    report = kgraphs.deploy(model, tmp_path / "ticket.tflite")
    assert report.verified, report.text()
    inputs, _ = kgraphs.example_data(model, batch_size=4, seed=5)
    np.testing.assert_allclose(
        independently(report.path, "litert", inputs)[0], model.predict(inputs, verbose=0), atol=1e-4
    )


def test_openvino_unconverted_ops_are_reported_with_their_layer(tmp_path):
    report = kgraphs.deploy("ticket_priority", tmp_path / "ticket.xml")
    assert not report.verified and report.path is None
    assert report.problems == [
        "ops it cannot run: TensorList",
        "made by the recurrent layers' loops: text_lstm (LSTM)",
    ]
    assert not list(tmp_path.iterdir())  # nothing written


def test_outputs_beyond_the_tolerance_fail_and_the_file_is_kept_beside(tmp_path):
    report = kgraphs.deploy("image_multitask", tmp_path / "m.onnx", tolerance=1e-12, **SMALL_IMAGE)
    assert not report.verified
    assert report.path == tmp_path / "m.onnx.unverified" and report.path.exists()
    assert any("over the tolerance of 1e-12" in problem for problem in report.problems)


@pytest.mark.parametrize(
    ("arguments", "location"),
    [
        (("ticket_priority", "model.bin"), {"format": "openvino"}),
        (("ticket_priority", "model"), {}),
        (("ticket_priority", "model.onnx"), {"format": "savedmodel"}),
        (("ticket_priority", "model.onnx"), {"format": "coreml"}),
        (("ticket_priority", "model.onnx"), {"tolerance": 0}),
    ],
)
def test_user_mistakes_are_config_errors(arguments, location, tmp_path):
    with pytest.raises(ConfigError):
        kgraphs.deploy(arguments[0], tmp_path / arguments[1], **location)
    assert not list(tmp_path.iterdir())


def test_the_command_exits_0_verified_1_failed_2_mistaken(tmp_path):
    verified = run_kgraphs("deploy", "residual_cnn", "-o", "resnet.onnx", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("onnx: verified in onnxruntime, largest difference")
    failed = run_kgraphs("deploy", "ticket_priority", "-o", "t.tflite", cwd=tmp_path)
    assert failed.returncode == 1, failed.stderr
    assert "problem: ops it cannot run: FlexTensorListReserve" in failed.stdout
    wrong = run_kgraphs(
        "deploy", "ticket_priority", "-o", "t.bin", "--format", "openvino", cwd=tmp_path
    )
    assert wrong.returncode == 2
    assert "openvino writes a .xml file" in wrong.stderr
    assert "tensorflow" not in wrong.stderr.lower()  # refused before anything was built
