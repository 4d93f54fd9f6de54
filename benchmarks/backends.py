"""JAX against TensorFlow, per shipped recipe: build time and training steps per second.

Keras picks its backend once per process, so each measurement runs in a worker process
(`python benchmarks/backends.py --worker`, with KERAS_BACKEND set), and the workers alternate
(TF, JAX, TF, JAX, ...) so that both backends see the same machine load. Each model is compiled
as its recipe says, with Keras's default jit_compile="auto". On a CPU-only machine Keras
resolves that to True on JAX (the whole train step is one XLA program) and to False on
TensorFlow (a tf.function graph whose kernels are TensorFlow's own, oneDNN on x86).

What that gives on a 2-core x86 CPU (ranges over a few noisy runs on a shared machine; the
README's figures come from one quiet `make bench`):
- Fit steps of the dense and embedding models (ticket_priority, siamese_text): JAX is 3-6x
  faster. Their steps are many small ops on small tensors; XLA fuses the whole step into a
  few loops, while TensorFlow's executor dispatches each op of the graph, and that per-op
  overhead (the optimizer's update of each weight included) is most of such a small step.
- Fit steps of the convolutional models (image_multitask, residual_cnn): TensorFlow is 2-6x
  faster. Their time is in the convolutions and their gradients, where TensorFlow calls
  oneDNN's tuned kernels and XLA's CPU backend emits slower ones of its own; fusing the cheap
  ops around them cannot make up for it.
- A model's first build: TensorFlow is 15-70x faster (JAX takes 1-2.5 s a recipe). On JAX
  every weight initializer is a jitted function, compiled by XLA once per new weight shape
  (a recipe's first build makes a dozen or more such compilations, ~0.03-0.25 s each);
  TensorFlow runs its initializers as eager kernels, with nothing to compile.
- Later builds, the initializers compiled: JAX is 1.3-2.5x faster. Building is Keras's Python
  layer code on both, but TensorFlow creates each weight as a tf.Variable (a resource handle
  made through its eager runtime, plus its tracking), several times dearer than a JAX array.

Usage: python benchmarks/backends.py [--rounds N]   (the table alone; `make bench` includes it)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ("ticket_priority", "image_multitask", "siamese_text", "residual_cnn")
BACKENDS = ("tensorflow", "jax")
# One timed fit is STEPS steps of BATCH_SIZE samples; enough steps to amortize fit's own
# per-call overhead, few enough that a worker on the slow backend stays under about 40 s.
STEPS = 12
BATCH_SIZE = 32
LATER_BUILDS = 3
# A ratio this far from 1 in both its minimum and its median counts as clearly faster.
CLEAR_FACTOR = 1.5


# --- The worker: one backend, one process -------------------------------------------------


def timed(function: Any) -> tuple[float, Any]:
    """Seconds `function()` took, and what it returned."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def seconds_per_fit_step(model: Any) -> float:
    """Seconds per training step of one `fit` epoch, after a first fit that traces and compiles."""
    import kgraphs

    inputs, targets = kgraphs.example_data(model, batch_size=BATCH_SIZE * STEPS, seed=0)

    def fit(steps: int) -> None:
        model.fit(
            {name: array[: BATCH_SIZE * steps] for name, array in inputs.items()},
            first_rows(targets, BATCH_SIZE * steps),
            batch_size=BATCH_SIZE,
            epochs=1,
            verbose=0,
            shuffle=False,
        )

    # The warm-up fit traces and compiles the train step; batches of the same shape reuse it,
    # so one batch is enough (a full warm-up epoch would double the slow backend's time).
    fit(1)
    seconds, _ = timed(lambda: fit(STEPS))
    return seconds / STEPS


def first_rows(targets: Any, rows: int) -> Any:
    """The first `rows` samples of example_data's targets: one array, or a dict of them."""
    if isinstance(targets, dict):
        return {name: array[:rows] for name, array in targets.items()}
    return targets[:rows]


def measure_recipe(name: str) -> dict[str, Any]:
    """First build, best later build and seconds per fit step of one shipped recipe."""
    import kgraphs

    path = f"recipes/{name}.yaml"
    first_build_s, model = timed(lambda: kgraphs.build(path))
    later_builds_s = [timed(lambda: kgraphs.build(path))[0] for _ in range(LATER_BUILDS)]
    fit_step_s = seconds_per_fit_step(model)
    return {
        "first_build_s": first_build_s,
        "build_s": min(later_builds_s),
        "fit_step_s": fit_step_s,
        "steps_per_s": 1 / fit_step_s,
        "jit_compile": bool(model.jit_compile),  # as Keras resolved "auto"
    }


def warm_up_backend() -> None:
    """Run the backend's first ops, so that no recipe's first build pays for starting it."""
    import keras

    import kgraphs

    keras.layers.Dense(1)(keras.Input((1,)))
    for name in RECIPES:  # parse and validate untimed: loads kgraphs's recipe machinery
        kgraphs.load_recipe(f"recipes/{name}.yaml")


def worker() -> None:
    """Measure every recipe on the backend KERAS_BACKEND names; print one JSON object."""
    import keras

    backend, requested = keras.backend.backend(), os.environ.get("KERAS_BACKEND")
    if backend != requested:
        raise SystemExit(f"KERAS_BACKEND={requested}, but Keras runs {backend}")
    warm_up_backend()
    recipes = {name: measure_recipe(name) for name in RECIPES}
    library = importlib.import_module(backend)  # both backends are named as their modules
    report = {
        "backend": backend,
        "versions": {"keras": keras.__version__, backend: library.__version__},
        "recipes": recipes,
    }
    print(json.dumps(report))


# --- The comparison: workers interleaved ---------------------------------------------------


def run_worker(backend: str) -> dict[str, Any]:
    """One worker process on `backend`, in a clean environment; its report."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.path.expanduser("~"),
        "KERAS_BACKEND": backend,
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker"],
        cwd=ROOT,
        env=environment,
        capture_output=True,  # TensorFlow's and XLA's start-up chatter: shown only on failure
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"the {backend} worker failed ({completed.returncode}):\n{completed.stderr[-4000:]}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def ratio_row(jax_s: list[float], tf_s: list[float], jit_compile: dict[str, bool]) -> dict:
    """JAX seconds against TensorFlow seconds, one value a round each: ratios of minima and
    of medians (below 1: JAX is faster)."""
    return {
        "ratio_min": min(jax_s) / min(tf_s),
        "ratio_median": statistics.median(jax_s) / statistics.median(tf_s),
        "jax_min_s": min(jax_s),
        "tf_min_s": min(tf_s),
        "jax_s": jax_s,
        "tf_s": tf_s,
        "jit_compile": jit_compile,
    }


def comparison_rows(reports: dict[str, list[dict]]) -> dict[str, dict]:
    """Rows `build NAME`, `first build NAME` and `fit step NAME` from the workers' reports."""
    rows = {}
    for name in RECIPES:
        jit_compile = {
            backend: reports[backend][0]["recipes"][name]["jit_compile"] for backend in BACKENDS
        }
        for label, key in (
            ("build", "build_s"),
            ("first build", "first_build_s"),
            ("fit step", "fit_step_s"),
        ):
            jax_s = [report["recipes"][name][key] for report in reports["jax"]]
            tf_s = [report["recipes"][name][key] for report in reports["tensorflow"]]
            rows[f"{label} {name}"] = ratio_row(jax_s, tf_s, jit_compile)
    return rows


def backend_comparison(rounds: int = 3) -> dict[str, Any]:
    """Each shipped recipe on JAX and on TensorFlow, `rounds` worker pairs interleaved."""
    reports: dict[str, list[dict]] = {backend: [] for backend in BACKENDS}
    for _ in range(rounds):
        for backend in BACKENDS:
            reports[backend].append(run_worker(backend))
    return {
        "rounds": rounds,
        "steps_per_fit": STEPS,
        "batch_size": BATCH_SIZE,
        "versions": reports["tensorflow"][0]["versions"] | reports["jax"][0]["versions"],
        "results": comparison_rows(reports),
    }


# --- The table -----------------------------------------------------------------------------

TABLE_HEADINGS = (
    "JAX / TF (min)",
    "JAX / TF (median)",
    "JAX min",
    "TF min",
    "jit_compile (JAX, TF)",
)


def clearly_faster(name: str, row: dict) -> str | None:
    """A sentence naming the faster backend, when minimum and median agree by CLEAR_FACTOR."""
    low, high = sorted((row["ratio_min"], row["ratio_median"]))
    if high < 1 / CLEAR_FACTOR:
        return f"{name}: JAX, at least {1 / high:.1f}x (by minimum and median)"
    if low > CLEAR_FACTOR:
        return f"{name}: TensorFlow, at least {low:.1f}x (by minimum and median)"
    return None


def markdown_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    """One table row: the name to the left, the figures to the right of their columns."""
    name, *figures = cells
    padded = [name.ljust(widths[0])]
    padded += [figure.rjust(width) for figure, width in zip(figures, widths[1:], strict=True)]
    return "| " + " | ".join(padded) + " |"


def print_backend_table(comparison: dict[str, Any]) -> None:
    """The comparison as a markdown table, then the rows where one backend clearly wins."""
    versions = ", ".join(f"{key} {value}" for key, value in comparison["versions"].items())
    print(
        f"JAX against TensorFlow: {comparison['rounds']} interleaved round(s) of one process per "
        f"backend; fit steps of batch {comparison['batch_size']}; {versions}\n"
    )
    headings = ("measurement", *TABLE_HEADINGS)
    widths = [27, *(max(len(heading), len("1234.5ms")) for heading in TABLE_HEADINGS)]
    print(markdown_row(headings, widths))
    print(markdown_row(["-" * width for width in widths], widths))
    for name, row in comparison["results"].items():
        jit = row["jit_compile"]
        cells = (
            name,
            f"{row['ratio_min']:.3f}",
            f"{row['ratio_median']:.3f}",
            f"{row['jax_min_s'] * 1000:.1f}ms",
            f"{row['tf_min_s'] * 1000:.1f}ms",
            f"{jit['jax']}, {jit['tensorflow']}",
        )
        print(markdown_row(cells, widths))
    verdicts = [
        verdict
        for name, row in comparison["results"].items()
        if (verdict := clearly_faster(name, row))
    ]
    if verdicts:
        print("\nClearly faster (why: benchmarks/backends.py's docstring):")
        print("\n".join(f"- {verdict}" for verdict in verdicts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help="measure the KERAS_BACKEND backend")
    arguments = parser.parse_args()
    if arguments.worker:
        worker()
        return
    from run import machine_description

    print(machine_description())
    print_backend_table(backend_comparison(arguments.rounds))


if __name__ == "__main__":
    main()
