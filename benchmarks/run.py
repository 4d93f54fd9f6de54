"""`make bench`: kgraphs against the hand-written chapter code, measured side by side.

Each figure is a ratio, kgraphs time / hand-written time, from repetitions interleaved in one
process (A, B, A, B, ...) so that both sides see the same machine load; minimum and median are
reported because this machine is shared and noisy. A second table compares the JAX and
TensorFlow backends per shipped recipe (benchmarks/backends.py). Results go to
build/bench.json too.

Usage: python benchmarks/run.py [--repeats N] [--backend-rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def machine_description() -> str:
    """The machine the figures come from, for the report's header."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def interleaved(candidate, baseline, repeats: int) -> dict:
    """Time `candidate` and `baseline` alternately; ratios of their minima and medians."""
    times: dict[str, list[float]] = {"kgraphs": [], "baseline": []}
    for _ in range(repeats):
        for label, function in (("kgraphs", candidate), ("baseline", baseline)):
            start = time.perf_counter()
            function()
            times[label].append(time.perf_counter() - start)
    mins = {label: min(values) for label, values in times.items()}
    medians = {label: statistics.median(values) for label, values in times.items()}
    return {
        "kgraphs_min_s": mins["kgraphs"],
        "baseline_min_s": mins["baseline"],
        "ratio_min": mins["kgraphs"] / mins["baseline"],
        "ratio_median": medians["kgraphs"] / medians["baseline"],
    }


def build_ratios(repeats: int) -> dict:
    """Building each chapter model: kgraphs's factory against the chapter's code."""
    from chapter_models import CHAPTER

    import kgraphs

    results = {}
    for name, (chapter_builder, _, _) in sorted(CHAPTER.items()):
        factory = getattr(kgraphs, name)
        factory(), chapter_builder()  # warm up: first builds pay one-off tracing costs
        results[f"build {name}"] = interleaved(factory, chapter_builder, repeats)
    return results


def training_ratios(repeats: int) -> dict:
    """Training steps: the same step on kgraphs's model and the chapter's, same data."""
    from chapter_models import CHAPTER

    import kgraphs

    results = {}
    for name, (chapter_builder, _, _) in sorted(CHAPTER.items()):
        ours = kgraphs.build(f"recipes/{name}.yaml")
        theirs = chapter_builder()
        theirs.compile(
            **kgraphs.load_recipe(f"recipes/{name}.yaml").compile.keras_arguments(ours.output_names)
        )
        inputs, targets = kgraphs.example_data(ours, batch_size=16)
        as_list = [inputs[tensor.name] for tensor in ours.inputs]
        chapter_inputs = as_list if len(as_list) > 1 else as_list[0]
        chapter_targets = list(targets.values()) if isinstance(targets, dict) else targets
        ours.train_on_batch(inputs, targets)  # warm up: tracing
        theirs.train_on_batch(chapter_inputs, chapter_targets)
        results[f"train step {name}"] = interleaved(
            lambda: ours.train_on_batch(inputs, targets),  # noqa: B023 - used at once
            lambda: theirs.train_on_batch(chapter_inputs, chapter_targets),  # noqa: B023
            repeats,
        )
    return results


def residual_depth_ratios(repeats: int) -> dict:
    """residual_cnn with 1, 10, 50 and 100 blocks against the same blocks written by hand."""
    import keras
    from keras import layers

    import kgraphs

    def by_hand(blocks: int) -> keras.Model:
        inputs = keras.Input(shape=(32, 32, 3))
        x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
        for _ in range(blocks):
            residual = x
            x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
            x = layers.Conv2D(16, 3, padding="same")(x)
            x = layers.Activation("relu")(layers.Add()([x, residual]))
        x = layers.GlobalAveragePooling2D()(x)
        return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))

    results = {}
    for blocks in (1, 10, 50, 100):
        config = {"stem_filters": 16, "stages": [{"filters": 16, "blocks": blocks}]}
        results[f"build residual_cnn {blocks} blocks"] = interleaved(
            lambda: kgraphs.residual_cnn(config),  # noqa: B023 - used at once
            lambda: by_hand(blocks),  # noqa: B023
            max(3, repeats // (1 + blocks // 25)),
        )
    return results


def bare_plot_model(model, path: Path) -> None:
    """keras.utils.plot_model with the chapter's options, as a user calls it."""
    import keras

    # With IPython installed, plot_model writes the .svg and then raises
    # "Cannot embed the 'svg' image format": the trap kgraphs.plot avoids.
    with contextlib.suppress(ValueError):
        keras.utils.plot_model(
            model,
            str(path),
            show_shapes=True,
            show_layer_names=True,
            show_layer_activations=True,
        )


def plot_vs_plot_model(repeats: int) -> dict:
    """`make plot`'s rendering against bare keras.utils.plot_model, same recipes, one process."""
    import tempfile

    import kgraphs
    from kgraphs.building.from_recipe import instantiate
    from kgraphs.drawing.gallery import render_gallery
    from kgraphs.recipe.files import expand_recipe_paths

    recipes = [kgraphs.load_recipe(path) for path in expand_recipe_paths(["recipes"])]
    folder = Path(tempfile.mkdtemp())

    def bare():
        for recipe in recipes:
            model = instantiate(recipe)
            for suffix in ("svg", "png"):
                bare_plot_model(model, folder / f"bare_{recipe.model_name}.{suffix}")

    return {
        "kgraphs plot recipes/ vs keras plot_model": interleaved(
            lambda: render_gallery(recipes, folder / "gallery"), bare, max(2, repeats // 5)
        )
    }


def resnet50_drawing_vs_plot_model(repeats: int) -> dict:
    """Drawing ResNet50 collapsed (the default) and in full, against bare plot_model."""
    import tempfile

    import keras

    import kgraphs

    model = keras.applications.ResNet50(weights=None)
    folder = Path(tempfile.mkdtemp())

    def bare(suffix: str):
        return lambda: bare_plot_model(model, folder / f"bare.{suffix}")

    rounds = max(2, repeats // 5)
    # kgraphs refuses a full png of ResNet50 (past Graphviz's 32767 px); plot_model writes
    # it squeezed. So the png row compares the default picture with plot_model's.
    return {
        "ResNet50 svg, collapsed (default) vs plot_model": interleaved(
            lambda: kgraphs.plot(model, folder / "collapsed.svg"), bare("svg"), rounds
        ),
        "ResNet50 svg, every layer (depth=None) vs plot_model": interleaved(
            lambda: kgraphs.plot(model, folder / "full.svg", depth=None), bare("svg"), rounds
        ),
        "ResNet50 png, collapsed (default) vs plot_model": interleaved(
            lambda: kgraphs.plot(model, folder / "collapsed.png"), bare("png"), rounds
        ),
    }


def export_vs_direct(repeats: int) -> dict:
    """Export a keras.applications model and rebuild it, against building it directly."""
    import keras

    import kgraphs

    def direct():
        return keras.applications.ResNet50(weights=None, input_shape=(64, 64, 3), classes=5)

    model = direct()

    def through_recipe():
        return kgraphs.build(kgraphs.to_recipe(model), compile=False)

    return {
        "export + rebuild ResNet50 vs build it": interleaved(
            through_recipe, direct, max(2, repeats // 5)
        )
    }


def real_model_export_vs_direct(repeats: int) -> dict:
    """Export and rebuild keras.io models with ops, keyword tensors and states, against their
    own code (tests/real_models.py)."""
    from real_models import (
        deeplabv3_plus,
        keras_deeply_nested,
        lstm_seq2seq,
        style_transfer_features,
        timeseries_transformer,
    )

    import kgraphs

    # Keras warns each time it builds keras_deeply_nested (its keys are not its inputs' names).
    warnings.filterwarnings("ignore", "When providing `inputs` as a dict", UserWarning)
    results = {}
    for builder in (
        timeseries_transformer,
        lstm_seq2seq,
        deeplabv3_plus,
        style_transfer_features,  # a dict of 22 outputs
        keras_deeply_nested,  # nested dicts in and out
    ):
        model, _ = builder()

        def through_recipe(model=model):
            return kgraphs.build(kgraphs.to_recipe(model), compile=False)

        results[f"export + rebuild {builder.__name__} vs its code"] = interleaved(
            through_recipe, builder, max(3, repeats // 3)
        )
    return results


def distributed_step_vs_hand_written(repeats: int) -> dict:
    """`kgraphs.distributed_train_step` against a hand-written `strategy.run` step, same model,
    same distributed batches (the default strategy: one device)."""
    import tensorflow as tf

    import kgraphs

    strategy = tf.distribute.get_strategy()
    model = kgraphs.build("image_multitask", strategy=strategy, input_shape=[32, 32, 3])
    inputs, targets = kgraphs.example_data(model, batch_size=32)
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(32).repeat()
    batch = next(iter(strategy.experimental_distribute_dataset(dataset)))
    ours = kgraphs.distributed_train_step(model)

    @tf.function
    def by_hand(batch):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True))
            gradients = tape.gradient(loss, model.trainable_variables)
            model.optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
            return loss

        per_replica = strategy.run(replica_step, args=batch)
        return strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica, axis=None)

    float(ours(batch)["loss"]), float(by_hand(batch))  # warm up: tracing
    return {
        "train step: distributed_train_step vs strategy.run by hand": interleaved(
            lambda: float(ours(batch)["loss"]), lambda: float(by_hand(batch)), repeats * 3
        )
    }


def diff_vs_building(repeats: int) -> dict:
    """`kgraphs.diff` of two built ResNet50 variants (1000 and 10 classes) against building
    the two with keras.applications."""
    import keras

    import kgraphs

    def build_both():
        return (
            keras.applications.ResNet50(weights=None),
            keras.applications.ResNet50(weights=None, classes=10),
        )

    model_a, model_b = build_both()
    kgraphs.diff(model_a, model_b)  # warm up: first get_config calls import serialization code
    return {
        "diff of two ResNet50 variants vs build them": interleaved(
            lambda: kgraphs.diff(model_a, model_b), build_both, max(3, repeats // 3)
        )
    }


def validate_vs_import_tensorflow(repeats: int) -> dict:
    """`kgraphs validate recipes/` against `python -c "import tensorflow"`, as processes."""

    def run(*arguments: str):
        command = [sys.executable, *arguments]
        return lambda: subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    # An installed package comes with its bytecode compiled (pip compiles it); an editable
    # checkout under PYTHONDONTWRITEBYTECODE would recompile kgraphs on every run instead.
    import compileall

    compileall.compile_dir(str(ROOT / "kgraphs"), quiet=1)
    validate = run("-m", "kgraphs", "validate", "recipes")  # the command, as users run it
    import_tf = run("-c", "import tensorflow")
    return {
        "kgraphs validate recipes/ vs import tensorflow": interleaved(
            validate, import_tf, max(3, repeats // 3)
        )
    }


# `python -c "import tensorflow"`, printing its own peak resident memory (bytes).
IMPORT_TF_PEAK = (
    "import tensorflow\n"
    "print(1024 * int(next(line for line in open('/proc/self/status')"
    " if line.startswith('VmHWM:')).split()[1]))"
)


def large_model_commands_vs_import_tensorflow(repeats: int) -> dict:
    """plot, summary, diff and render of 7- and 70-billion-parameter recipes, as processes,
    against `python -c "import tensorflow"`, with each command's peak memory."""
    seven, seventy = "decoder_7b", str(ROOT / "benchmarks" / "decoder_70b.yaml")
    pictures = ROOT / "build" / "bench-pictures"
    commands = {}
    for label, recipe, edit in (
        ("7B", seven, "config.depth=40"),
        ("70B", seventy, "config.depth=100"),
    ):
        commands |= {
            f"kgraphs plot {label}": ["plot", recipe, "-o", str(pictures), "--format", "svg"],
            f"kgraphs summary {label}": ["summary", recipe],
            f"kgraphs diff {label} (depth +25%)": ["diff", recipe, recipe, "--set-b", edit],
            f"kgraphs render {label}": ["render", recipe],
        }
    peaks: dict[str, int] = {}
    from peak_memory import run_measured

    def process(name: str, arguments: list[str]):
        def run() -> None:
            # The command's own peak (VmHWM): ru_maxrss would count this benchmark's pages.
            finished, peak = run_measured(arguments, cwd=ROOT, env=dict(os.environ))
            if finished.returncode not in (0, 1):  # diff exits 1 when the models differ
                raise RuntimeError(f"{arguments} exited {finished.returncode}")
            peaks[name] = max(peaks.get(name, 0), peak)

        return run

    def import_tensorflow() -> None:
        command = [sys.executable, "-c", IMPORT_TF_PEAK]
        finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        peaks["import tensorflow"] = max(peaks.get("import tensorflow", 0), int(finished.stdout))

    import_tf = import_tensorflow
    results = {}
    for name, arguments in commands.items():
        row = interleaved(process(name, arguments), import_tf, max(3, repeats // 5))
        row["kgraphs_peak_mb"] = peaks[name] / 1e6
        row["baseline_peak_mb"] = peaks["import tensorflow"] / 1e6
        results[f"{name} vs import tensorflow"] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--backend-rounds", type=int, default=3, help="JAX/TF worker pairs")
    arguments = parser.parse_args()
    results = {}
    for measure in (
        build_ratios,
        training_ratios,
        residual_depth_ratios,
        plot_vs_plot_model,
        resnet50_drawing_vs_plot_model,
        export_vs_direct,
        real_model_export_vs_direct,
        distributed_step_vs_hand_written,
        diff_vs_building,
        validate_vs_import_tensorflow,
        large_model_commands_vs_import_tensorflow,
    ):
        print(f"measuring: {measure.__doc__.splitlines()[0]}", file=sys.stderr, flush=True)
        results |= measure(arguments.repeats)
    # Imported here, like each measure's own modules; it runs its workers as processes.
    from backends import backend_comparison, print_backend_table

    print("measuring: JAX against TensorFlow, per shipped recipe", file=sys.stderr, flush=True)
    backends = backend_comparison(arguments.backend_rounds)
    report = {
        "date": date.today().isoformat(),
        "machine": machine_description(),
        "repeats": arguments.repeats,
        "results": results,
        "backends": backends,
    }
    output = ROOT / "build" / "bench.json"
    from kgraphs.util.atomic import write_text

    write_text(output, json.dumps(report, indent=2) + "\n")
    print(f"{report['date']}, {report['machine']}, {arguments.repeats} interleaved repeats\n")
    print(f"| {'measurement':52} | ratio (min) | ratio (median) | kgraphs min | baseline min |")
    print(f"| {'-' * 52} | ----------- | -------------- | ----------- | ------------ |")
    for name, row in results.items():
        print(
            f"| {name:52} | {row['ratio_min']:11.3f} | {row['ratio_median']:14.3f} "
            f"| {row['kgraphs_min_s'] * 1000:9.1f}ms | {row['baseline_min_s'] * 1000:10.1f}ms |"
        )
    print(f"\n| {'peak memory of a whole process':52} | kgraphs | baseline |")
    print(f"| {'-' * 52} | ------- | -------- |")
    for name, row in results.items():
        if "kgraphs_peak_mb" in row:
            print(
                f"| {name:52} | {row['kgraphs_peak_mb']:4.0f} MB | "
                f"{row['baseline_peak_mb']:5.0f} MB |"
            )
    print()
    print_backend_table(backends)
    print(f"\nwrote {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
