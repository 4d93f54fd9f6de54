"""The `kgraphs` argument parser: every command, its arguments and its help text (the site's
command-line reference is generated from it)."""

from __future__ import annotations

import argparse
import sys

from kgraphs import cli
from kgraphs.cli import commands as handlers
from kgraphs.cli.exit_status import EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"kgraphs: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The `kgraphs` parser; each command's `run` is its handler in `kgraphs.cli.commands`."""
    parser = _Parser(prog="kgraphs", description=cli.__doc__.split("\n", 1)[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="show TensorFlow's logs")
    parser.add_argument(
        "--version",
        action="version",
        version=handlers.version_text(),
        help="kgraphs, Keras and the backend",
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

    listing = command(
        "list", handlers.list_command, "list the architectures and the shipped recipes"
    )
    listing.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=argparse.SUPPRESS,  # `kgraphs -v list` keeps its -v
        help="also say which kgraphs, Keras and backend run",
    )
    validate = command(
        "validate",
        handlers.validate_command,
        "check recipes without importing TensorFlow (with --shapes, Keras checks the shapes too)",
    )
    validate.add_argument("recipes", nargs="+", metavar="RECIPE_OR_DIR")
    validate.add_argument(
        "--shapes",
        action="store_true",
        help="also build each model as structure only, with no weights allocated: Keras checks "
        "every layer's arguments and shapes, and each output's shape and the parameter count "
        "are printed (imports Keras and its backend)",
    )
    with_set(validate)
    summary = command("summary", handlers.summary_command, "print a recipe's model summary")
    summary.add_argument("recipe", metavar="RECIPE")
    with_set(summary)
    build = command(
        "build", handlers.build_command, "build and compile a recipe, and save it as .keras"
    )
    build.add_argument("recipe", metavar="RECIPE")
    build.add_argument("-o", "--output", required=True, metavar="MODEL.keras")
    with_set(build)
    build.add_argument(
        "--weights-from",
        metavar="OLD.keras",
        help="copy the trained weights of each layer that is the same layer in this model "
        "(matched as diff matches them); prints what was copied, changed, new or dropped",
    )
    build.add_argument(
        "--freeze", choices=("copied",), help="make the layers given weights untrainable"
    )
    build.add_argument(
        "--strict",
        action="store_true",
        help="refuse unless every layer with weights is copied or named by --allow-new",
    )
    build.add_argument(
        "--allow-new",
        action="append",
        default=[],
        metavar="LAYER",
        help="a layer that may keep its initialization under --strict (repeatable)",
    )
    build.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="a layer renamed in the edit: its weights go to NEW (repeatable)",
    )
    export = command(
        "export", handlers.export_command, "write a .keras model's graph recipe (YAML)"
    )
    export.add_argument("model", metavar="MODEL.keras")
    export.add_argument("-o", "--output", metavar="RECIPE.yaml", help="default: standard output")
    render = command(
        "render",
        handlers.render_command,
        "print a recipe with every default filled in, in a stable order (no TensorFlow import)",
    )
    render.add_argument("recipe", metavar="RECIPE")
    render.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    render.add_argument(
        "--format", choices=("yaml", "json"), help="default: json for -o FILE.json, else yaml"
    )
    with_set(render)
    deploy = command(
        "deploy",
        handlers.deploy_command,
        "export a recipe or .keras model with Keras's exporter and check the file in its own "
        "runtime against Keras: exit 0 when verified, 1 when the file fails its check (kept as "
        "PATH.unverified), 2 on a bad input",
    )
    deploy.add_argument("model", metavar="RECIPE_OR_MODEL.keras")
    deploy.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PATH",
        help="a folder (savedmodel), .onnx, .tflite (litert) or .xml (openvino)",
    )
    deploy.add_argument(
        "--format",
        choices=("savedmodel", "onnx", "litert", "openvino"),
        help="default: from PATH's suffix",
    )
    deploy.add_argument(
        "--tolerance",
        type=float,
        help="largest absolute difference from Keras's outputs (default: 1e-5 for savedmodel, "
        "1e-4 for the others)",
    )
    with_set(deploy)
    diff = command(
        "diff",
        handlers.diff_command,
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
        "tune",
        handlers.tune_command,
        "tune a recipe's search spaces with KerasTuner; write the best as a recipe",
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
    plot = command("plot", handlers.plot_command, "draw recipes (files or folders) as diagrams")
    plot.add_argument("recipes", nargs="+", metavar="RECIPE_OR_DIR")
    plot.add_argument("-o", "--output", required=True, metavar="DIR")
    plot.add_argument(
        "--format",
        default="svg,png",
        help="comma-separated: png,svg,pdf,dot,html (html: the interactive page)",
    )
    with_set(plot)
    schema = command(
        "schema",
        handlers.schema_command,
        "write the JSON Schema of recipes, for completion in editors",
    )
    schema.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    return parser
