"""Shared test set-up: the repo root as working directory, a known environment, recipe tables.

No test may depend on the shell it is started from. The variables that change what Keras,
TensorFlow or kgraphs do are set here for this process (before anything imports them), and
subprocesses get `clean_environment()`: what `env -i` leaves, plus exactly what the test asks.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
RECIPES = sorted(
    path
    for path in (ROOT / "recipes").rglob("*")
    if path.suffix in {".yaml", ".yml", ".json", ".toml"}
)


# The suite tests one Keras backend with kgraphs' own limits, whatever the shell exports:
# TensorFlow, or the one KGRAPHS_TEST_BACKEND names (`make test` runs the backend-dependent
# tests again with KGRAPHS_TEST_BACKEND=jax). KERAS_BACKEND itself is not read, so a shell
# that exports it for other work does not change what the suite tests.
BACKEND = os.environ.get("KGRAPHS_TEST_BACKEND") or "tensorflow"
PINNED = {
    "KERAS_BACKEND": BACKEND,
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # JAX compiles each function once per process, and the suite starts hundreds of processes
    # (its workers, the command line, notebooks, each backend's pass) that compile the same
    # train steps and initializers. JAX's persistent compilation cache lets them share the
    # compiled code: keyed by the computation, the compiler's options and JAX's version, it
    # gives the program XLA would compile. In build/, so `make clean` empties it.
    "JAX_COMPILATION_CACHE_DIR": str(ROOT / "build" / "jax-compilation-cache"),
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
    "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    # JAX's own setting for programs that cost more to optimize than to run: most of XLA's
    # optimizations off. The suite's models are small and each compiled step runs a few times,
    # so compiling was most of the JAX pass: test_recipes, test_chapter_fidelity and
    # test_weight_transfer took 43 s on JAX with it, 73 s without. (TensorFlow's XLA gained
    # 5% from the same options, within the noise: left as it is.)
    "JAX_DISABLE_MOST_OPTIMIZATIONS": "1",
    # Each of `make test`'s passes runs a process a core, and those start more (the command
    # line, notebooks, exporters): more processes than cores already. The
    # suite's models are small, so one thread a kernel (TensorFlow's, BLAS's) is enough; it
    # saved about 5% of the deployment matrix's time, measured alone.
    "TF_NUM_INTRAOP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
UNSET = ("KGRAPHS_MAX_PARAMETERS", "TF_CONFIG", "CUDA_VISIBLE_DEVICES", "TF_ENABLE_ONEDNN_OPTS")
os.environ.update(PINNED)
for name in UNSET:
    os.environ.pop(name, None)


def _allocatable(path: Path) -> bool:
    """Whether kgraphs builds `path` with weights (under KGRAPHS_MAX_PARAMETERS). A graph's
    count is known once built: the shipped graphs are all small."""
    from kgraphs.config.limits import MAX_PARAMETERS
    from kgraphs.recipe.loading import load_recipe

    count = load_recipe(path).config.parameter_count()
    return count is None or count <= MAX_PARAMETERS


# The recipes whose weights fit: what is built, trained and compared with weights. The rest
# (decoder_7b) are drawn, counted and diffed as structure only; a smaller sibling trains.
ALLOCATABLE = [path for path in RECIPES if _allocatable(path)]


# tests/site/ tests the documentation site, which `make docs` builds first; `make test` runs
# them after it (KGRAPHS_SITE_TESTS=1 pytest tests/site), so a plain run leaves them out.
collect_ignore = [] if os.environ.get("KGRAPHS_SITE_TESTS") == "1" else ["site"]


def clean_environment(**variables: str) -> dict[str, str]:
    """An environment for a subprocess: PATH and HOME, the pinned variables, then `variables`.

    PATH stays so that `dot` and `chromium` are found where this machine has them; HOME stays
    because Keras keeps its settings there. Everything else a developer's shell might export
    (log levels, locale, backend, TF_CONFIG) is dropped.
    """
    kept = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return {**kept, **PINNED, **variables}


def run_kgraphs(*arguments: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess:
    """`python -m kgraphs ARGUMENTS` as a user runs it: from `cwd`, in a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "kgraphs", *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=clean_environment(**variables),
    )


def run_kgraphs_measured(
    *arguments: str, cwd: Path, **variables: str
) -> tuple[subprocess.CompletedProcess, int]:
    """`run_kgraphs`, and that process's own peak memory in bytes (tests/peak_memory.py)."""
    from peak_memory import run_measured

    return run_measured(list(arguments), cwd=cwd, env=clean_environment(**variables))


def recipe_id(path: Path) -> str:
    return str(path.relative_to(ROOT / "recipes"))


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch):
    # Docstrings and recipes refer to paths such as recipes/ticket_priority.yaml.
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def application():
    """`application("ResNet50")`: `keras.applications.ResNet50(weights=None)`, built once per
    test process and shared by the tests that only read it (drawings, pages, layer graphs):
    building one takes seconds, more on JAX."""
    import keras

    built = {}

    def get(name: str):
        if name not in built:
            built[name] = getattr(keras.applications, name)(weights=None)
        return built[name]

    return get


# Which tests run on which backend. `make test` runs the suite on TensorFlow, then again with
# KGRAPHS_TEST_BACKEND=jax. By default a test runs on both: anything that builds, calls, trains,
# saves, exports or draws a model may behave differently on another backend, and a new test
# module is covered on JAX without anyone remembering to list it. A test (or a module, through
# `pytestmark`) opts out with a marker that says why:
#
# - backend_independent(reason=...): its result does not depend on the backend (validation,
#   the schema, file formats, pages, how a notebook is run, a check that starts its own
#   processes on named backends); run once, on TensorFlow, or on the backend `on=` names;
# - tensorflow_only(reason=...): about TensorFlow itself (tf.distribute, its C++ logs).
#
# The doctests (the public API's examples) run on both, but for the modules below.
RUN_ONCE = ("tensorflow_only", "backend_independent")
# A test of the command line's own part (its arguments, the files it writes, its exit status
# and messages) runs once: each command calls the API, whose results are tested on both
# backends. The start-up lines a user reads, which the backend's imports print, are tested on
# both.
COMMAND_LINE = pytest.mark.backend_independent(
    reason="the command line's own part; what the command computes is tested on both backends"
)
# Doctests run on TensorFlow only: tf.distribute's, KerasTuner's search loop (half a minute
# on JAX; the fits it runs are test_recipes' on both backends), and deploy's (Keras exports
# ONNX, LiteRT and OpenVINO from TensorFlow).
DOCTESTS_RUN_ONCE = {"distributed.py", "tuning.py", "verified_export.py"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "tensorflow_only(reason): about TensorFlow itself (tf.distribute, its C++ logs); "
        "not run on other backends",
    )
    config.addinivalue_line(
        "markers",
        "backend_independent(reason, on='tensorflow'): a test whose result does not depend on "
        "the backend; run once, on TensorFlow or on the backend `on` names",
    )


def runs_on(item: pytest.Item) -> str | None:
    """The one backend `item` runs on, or None when it runs on every backend."""
    if TESTS not in item.path.parents:  # a doctest: the public API's examples
        return "tensorflow" if item.path.name in DOCTESTS_RUN_ONCE else None
    for name in RUN_ONCE:
        marker = item.get_closest_marker(name)
        if marker is None:
            continue
        if not marker.kwargs.get("reason"):
            raise pytest.UsageError(f"{item.nodeid}: @{name} needs reason= (why it runs once)")
        return marker.kwargs.get("on", "tensorflow")
    return None


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Keep the tests that run on this backend (the others are reported as deselected, never
    skipped silently); once pytest has ordered them by fixture, put the longest modules first."""
    kept, dropped = [], []
    for item in items:
        (kept if runs_on(item) in (None, BACKEND) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    result = yield
    items[:] = longest_modules_first(items)
    return result


# How `make test` spreads a pass over its two processes (pytest-xdist's `--dist loadscope
# --no-loadscope-reorder`): a module is a unit of work, and a process takes the next unit, in
# the order collected here, when it is nearly done with its own.
#
# - A module's tests run in one process, so its module-scoped fixtures (built models, a
#   gallery rendered twice, a browser) are built once, where spreading its tests over both
#   processes would build them in each.
# - The longest modules go first, so the last ones to start are short and neither process is
#   left idle at the end while the other finishes a long one. How long each took on each
#   backend is in tests/durations.json (`make durations` measures it again); a module it does
#   not list took less than a second.
DURATIONS = TESTS / "durations.json"
LISTED_FROM_SECONDS = 1.0


def module_of(nodeid: str) -> str:
    return nodeid.split("::")[0]


def longest_modules_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """`items` module by module (each module's tests in their order), the longest module
    first; modules of the same length keep their order."""
    seconds = json.loads(DURATIONS.read_text()).get(BACKEND, {}) if DURATIONS.exists() else {}
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(module_of(item.nodeid), []).append(item)
    ordered = sorted(modules, key=lambda module: -seconds.get(module, 0.0))
    return [item for module in ordered for item in modules[module]]


# `make durations`: KGRAPHS_RECORD_DURATIONS=1 makes a passing run write how long each module
# took (setup, call and teardown of its tests) into tests/durations.json, for its backend.
RECORDED: dict[str, float] = {}


def pytest_runtest_logreport(report):
    # The site's tests (tests/site) run in a pass of their own, which nothing orders.
    if os.environ.get("KGRAPHS_RECORD_DURATIONS") == "1" and "tests/site/" not in report.nodeid:
        module = module_of(report.nodeid)
        RECORDED[module] = RECORDED.get(module, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    if RECORDED and exitstatus == 0 and not hasattr(session.config, "workerinput"):
        from kgraphs.util.atomic import write_text

        recorded = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
        recorded[BACKEND] = {
            module: round(seconds)
            for module, seconds in sorted(RECORDED.items(), key=lambda entry: -entry[1])
            if seconds >= LISTED_FROM_SECONDS
        }
        write_text(DURATIONS, json.dumps(recorded, indent=1) + "\n")
