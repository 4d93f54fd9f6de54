"""The `kgraphs` command line (also `python -m kgraphs`).

Exit status: 0 on success, 2 for a bad recipe or bad usage, 1 for anything else; `diff`
exits as diff(1) does: 0 when the architectures are the same, 1 when they differ, 2 for any
trouble. A user's mistake prints the located problems, never a traceback. TensorFlow's
start-up lines are hidden unless `--verbose`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# Only what every command needs: each command imports its own modules when it runs, so
# `validate` never pays for TensorFlow, and no command pays for the modules of the others.
from kgraphs.errors import ConfigError

if TYPE_CHECKING:
    from kgraphs.recipe import Recipe

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"kgraphs: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    status = _run(argv)
    if argv is None and "tensorflow" not in sys.modules:
        # The program itself (`kgraphs`, `python -m kgraphs`), which ends next. Freeing every
        # class, schema and module one by one at exit takes longer than validating every
        # shipped recipe; without TensorFlow nothing left needs finalizing, so the collector
        # leaves the heap as it is and the memory goes back to the system whole.
        gc.freeze()
    return status


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    # TensorFlow reads its log level once, at import: set it before anything imports TF. An
    # explicit --verbose wins over a quiet level exported in the shell.
    if arguments.verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        return arguments.run(arguments) or EXIT_OK
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if arguments.verbose:
            raise
        print(f"kgraphs: error: {type(error).__name__}: {error}", file=sys.stderr)
        return getattr(arguments, "error_status", EXIT_FAILURE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kgraphs", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="show TensorFlow's logs")
    parser.add_argument(
        "--version", action="version", version=_version(), help="kgraphs, Keras and the backend"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, run, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    def with_set(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a recipe field, e.g. config.lstm_units=64 (repeatable)",
        )

    listing = command("list", _list, "list the architectures and the shipped recipes")
    listing.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=argparse.SUPPRESS,  # `kgraphs -v list` keeps its -v
        help="also say which kgraphs, Keras and backend run",
    )
    validate = command("validate", _validate, "check recipes without importing TensorFlow")
    validate.add_argument("recipes", nargs="+", metavar="RECIPE_OR_DIR")
    with_set(validate)
    summary = command("summary", _summary, "print a recipe's model summary")
    summary.add_argument("recipe", metavar="RECIPE")
    with_set(summary)
    build = command("build", _build, "build and compile a recipe, and save it as .keras")
    build.add_argument("recipe", metavar="RECIPE")
    build.add_argument("-o", "--output", required=True, metavar="MODEL.keras")
    with_set(build)
    export = command("export", _export, "write a .keras model's graph recipe (YAML)")
    export.add_argument("model", metavar="MODEL.keras")
    export.add_argument("-o", "--output", metavar="RECIPE.yaml", help="default: standard output")
    render = command(
        "render",
        _render,
        "print a recipe with every default filled in, in a stable order (no TensorFlow import)",
    )
    render.add_argument("recipe", metavar="RECIPE")
    render.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    render.add_argument(
        "--format", choices=("yaml", "json"), help="default: json for -o FILE.json, else yaml"
    )
    with_set(render)
    diff = command(
        "diff",
        _diff,
        "compare two models (recipes, names or .keras files): exit 0 when their architectures "
        "are the same, 1 when they differ, 2 on a bad input",
    )
    diff.add_argument("a", metavar="A")
    diff.add_argument("b", metavar="B")
    for flag, whose in (("--set", "both recipes"), ("--set-a", "A only"), ("--set-b", "B only")):
        diff.add_argument(
            flag,
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=f"override a recipe field of {whose}, e.g. config.lstm_units=64 (repeatable)",
        )
    diff.add_argument("--format", choices=("text", "markdown"), default="text")
    diff.add_argument(
        "--plot", metavar="OUT.svg", help="draw both models in one picture, changes coloured"
    )
    diff.set_defaults(error_status=EXIT_USAGE)  # 1 means "they differ", as for diff(1)
    tune = command(
        "tune", _tune, "tune a recipe's search spaces with KerasTuner; write the best as a recipe"
    )
    tune.add_argument("recipe", metavar="RECIPE")
    tune.add_argument(
        "--data", required=True, metavar="DATA.npz", help="arrays named by input and output"
    )
    tune.add_argument("-o", "--output", required=True, metavar="BEST.yaml")
    tune.add_argument("--algorithm", default="random", choices=("random", "bayesian", "hyperband"))
    tune.add_argument("--max-trials", type=int, default=10, metavar="N")
    tune.add_argument("--epochs", type=int, default=5, metavar="N", help="per trial")
    tune.add_argument("--batch-size", type=int, default=32, metavar="N")
    tune.add_argument("--validation-split", type=float, default=0.2, metavar="FRACTION")
    tune.add_argument("--objective", default="val_loss")
    tune.add_argument(
        "--directory",
        default="kgraphs_tuning",
        metavar="DIR",
        help="where trials are kept; running again resumes (default: ./kgraphs_tuning)",
    )
    tune.add_argument("--seed", type=int, default=None)
    tune.add_argument("--overwrite", action="store_true", help="start again instead of resuming")
    with_set(tune)
    plot = command("plot", _plot, "draw recipes (files or folders) as diagrams")
    plot.add_argument("recipes", nargs="+", metavar="RECIPE_OR_DIR")
    plot.add_argument("-o", "--output", required=True, metavar="DIR")
    plot.add_argument(
        "--format",
        default="svg,png",
        help="comma-separated: png,svg,pdf,dot,html (html: the interactive page)",
    )
    with_set(plot)
    schema = command(
        "schema", _schema, "write the JSON Schema of recipes, for completion in editors"
    )
    schema.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    return parser


def _list(arguments: argparse.Namespace) -> int:
    from kgraphs import registry
    from kgraphs.presets import presets
    from kgraphs.recipe import load_with_assignments

    print("architectures (kgraphs.NAME() builds the defaults, uncompiled):")
    for name in registry.names():
        print(f"  {name:28} {registry.get(name).summary}")
    print("shipped recipes (build, summary, plot and validate take the name):")
    for name, path in presets().items():
        description = load_with_assignments(path, {}).description or ""
        print(f"  {name:28} {description}")
    if arguments.verbose:
        print(_version())
    return EXIT_OK


def _version() -> str:
    """`kgraphs 0.1.0, Keras 3.15.1, backend tensorflow (from Keras's default)`, no import."""
    from importlib.metadata import PackageNotFoundError, version

    from kgraphs import __version__
    from kgraphs.backend import describe_backend

    try:
        keras_version = version("keras")
    except PackageNotFoundError:
        keras_version = "not installed"
    return f"kgraphs {__version__}, Keras {keras_version}, backend {describe_backend()}"


def _validate(arguments: argparse.Namespace) -> int:
    failures = 0
    for path in expand_recipe_paths(arguments.recipes):
        try:
            recipe = _load(path, arguments.set)
        except ConfigError as error:
            failures += 1
            print(error, file=sys.stderr)
        else:
            print(f"ok  {path}  ({recipe.architecture}, outputs: {', '.join(recipe.output_names)})")
    return EXIT_USAGE if failures else EXIT_OK


def _summary(arguments: argparse.Namespace) -> int:
    recipe = _load(arguments.recipe, arguments.set)
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.building import build

        model = build(recipe)
    model.summary()
    return EXIT_OK


def _build(arguments: argparse.Namespace) -> int:
    output = Path(arguments.output)
    if output.suffix != ".keras":
        raise ConfigError([("--output", f"expected a .keras file; given {str(output)!r}")])
    recipe = _load(arguments.recipe, arguments.set)
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.building import build
        from kgraphs.saving import save_model

        save_model(build(recipe), output)
    print(f"wrote {output}")
    return EXIT_OK


def _export(arguments: argparse.Namespace) -> int:
    path = Path(arguments.model)
    if path.suffix != ".keras" or not path.is_file():
        raise ConfigError([("MODEL", f"expected an existing .keras file; given {str(path)!r}")])
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.export import export_model_file
        from kgraphs.recipe import dump_yaml
        from kgraphs.schema import modeline

        text = modeline(arguments.output) + dump_yaml(export_model_file(path))
    return _write_or_print(text, arguments.output)


def _render(arguments: argparse.Namespace) -> int:
    from kgraphs.full_recipe import render_text

    recipe = _load(arguments.recipe, arguments.set)
    output = arguments.output
    json_file = output is not None and Path(output).suffix.lower() == ".json"
    text_format = arguments.format or ("json" if json_file else "yaml")
    text = render_text(recipe, text_format)
    if output is not None and text_format == "yaml":  # a recipe file, for editors too
        from kgraphs.schema import modeline

        text = modeline(output) + text
    return _write_or_print(text, output)


def _write_or_print(text: str, output: str | None) -> int:
    """`text` written atomically to `output`, or to standard output when there is none."""
    if output is None:
        sys.stdout.write(text)
    else:
        from kgraphs.atomic import write_text

        write_text(output, text)
        print(f"wrote {output}")
    return EXIT_OK


def _diff(arguments: argparse.Namespace) -> int:
    from kgraphs.diffing import diff, resolve
    from kgraphs.recipe import parse_assignment

    both = [parse_assignment(text) for text in arguments.set]
    set_a = dict(both + [parse_assignment(text) for text in arguments.set_a])
    set_b = dict(both + [parse_assignment(text) for text in arguments.set_b])
    for side, source, assignments in (("A", arguments.a, set_a), ("B", arguments.b, set_b)):
        resolve(source, assignments, side=side)  # a bad recipe fails before TF is imported
    if arguments.plot is not None:
        from kgraphs.plotting import FORMATS

        plot_format = Path(arguments.plot).suffix.lower().lstrip(".")
        if plot_format not in FORMATS:
            raise ConfigError(
                [
                    (
                        "--plot",
                        f"expected a file ending in one of {list(FORMATS)}; given "
                        f"{arguments.plot!r}",
                    )
                ]
            )
    with quiet_tensorflow(arguments.verbose):
        result = diff(arguments.a, arguments.b, set_a=set_a, set_b=set_b)
        if arguments.plot is not None:
            from kgraphs.atomic import write_bytes
            from kgraphs.diagram import draw

            picture = draw(
                result.union_graph(),
                format=plot_format,
                highlight=result.highlight(),
                edge_highlight=result.edge_highlight(),
            )
            write_bytes(arguments.plot, picture)
            print(f"wrote {arguments.plot}", file=sys.stderr)
    sys.stdout.write(result.markdown() if arguments.format == "markdown" else result.text())
    return EXIT_OK if result.same else EXIT_FAILURE


def _tune(arguments: argparse.Namespace) -> int:
    recipe = _load(arguments.recipe, arguments.set)
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.building import instantiate
        from kgraphs.data import read_arrays
        from kgraphs.tuning import best_recipe, tuner

        defaults = instantiate(recipe)  # the spaces' defaults: the names of inputs, outputs
        inputs, targets = read_arrays(
            arguments.data,
            inputs=[tensor.name for tensor in defaults.inputs],
            outputs=list(defaults.output_names),
        )
        search = tuner(
            recipe,
            algorithm=arguments.algorithm,
            objective=arguments.objective,
            max_trials=arguments.max_trials,
            directory=arguments.directory,
            overwrite=arguments.overwrite,
            seed=arguments.seed,
            progress=sys.stderr,
        )
        search.search(
            inputs,
            targets,
            epochs=arguments.epochs,
            batch_size=arguments.batch_size,
            validation_split=arguments.validation_split,
            verbose=0,
        )
        best = best_recipe(search)
    from kgraphs.atomic import write_text
    from kgraphs.recipe import dump_yaml
    from kgraphs.schema import modeline

    write_text(arguments.output, modeline(arguments.output) + dump_yaml(best.to_dict()))
    print(f"wrote {arguments.output}: {best.description}")
    return EXIT_OK


def _plot(arguments: argparse.Namespace) -> int:
    from kgraphs.plotting import FORMATS

    formats = [f.strip().lower() for f in arguments.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(
            [("--format", f"expected some of {list(FORMATS)}; given {arguments.format!r}")]
        )
    recipes = [_load(path, arguments.set) for path in expand_recipe_paths(arguments.recipes)]
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.gallery import render_gallery

        written = render_gallery(
            recipes,
            Path(arguments.output),
            formats=formats,
            progress=sys.stderr if len(recipes) > 3 else None,
        )
    print(f"wrote {len(written)} files to {arguments.output}")
    return EXIT_OK


def _schema(arguments: argparse.Namespace) -> int:
    from kgraphs.schema import schema_text

    return _write_or_print(schema_text(), arguments.output)


def expand_recipe_paths(paths: Sequence[str]) -> list[str]:
    """Recipe files named directly, plus every recipe file under the folders named (sorted)."""
    from kgraphs.recipe_files import SUFFIXES

    found: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(
                str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        else:
            found.append(name)
    return found


def _load(source: str, assignments: Sequence[str]) -> Recipe:
    from kgraphs.recipe import load_with_assignments, parse_assignment

    return load_with_assignments(source, dict(parse_assignment(text) for text in assignments))


def _start_keras() -> None:
    """Import Keras and start what logs from C++ on its first use, whatever the backend."""
    import importlib.util

    import keras

    backend = keras.config.backend()
    if backend == "jax":
        import jax

        jax.devices()  # the PjRt client logs its devices when it starts
    if backend != "tensorflow" and importlib.util.find_spec("tensorflow") is not None:
        # Keras imports an installed TensorFlow, whatever its backend, the first time it
        # serializes a layer (serialization_lib checks for tf.TensorShape): saving, exporting
        # and drawing all do; import it now, while its start-up lines go nowhere.
        import tensorflow  # noqa: F401


@contextlib.contextmanager
def quiet_tensorflow(verbose: bool) -> Iterator[None]:
    """Import Keras (and TensorFlow) with their C++ start-up lines hidden.

    TensorFlow writes those lines to file descriptor 2 from C++ before any Python logging is
    set up, so no environment variable hides them; the descriptor is pointed at /dev/null for
    the start-up only, and Python-level errors are still raised and printed normally.
    """
    if not verbose and "keras" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            _start_keras()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        import logging

        logging.getLogger("tensorflow").setLevel(logging.ERROR)
    yield


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
