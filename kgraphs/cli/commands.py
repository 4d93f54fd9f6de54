"""The commands' handlers: each parses nothing, calls the library and prints.

Each imports what it needs when it runs, so `validate` never pays for TensorFlow and no
command pays for the modules of the others.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kgraphs.cli.exit_status import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from kgraphs.cli.quiet import quiet_tensorflow
from kgraphs.recipe.files import expand_recipe_paths
from kgraphs.util.errors import ConfigError

if TYPE_CHECKING:
    from kgraphs.recipe.loading import Recipe


def list_command(arguments: argparse.Namespace) -> int:
    from kgraphs.models import registry
    from kgraphs.recipe.loading import load_with_assignments
    from kgraphs.recipe.shipped import presets

    print("architectures (kgraphs.NAME() builds the defaults, uncompiled):")
    for name in registry.names():
        print(f"  {name:28} {registry.get(name).summary}")
    print("shipped recipes (build, summary, plot and validate take the name):")
    for name, path in presets().items():
        description = load_with_assignments(path, {}).description or ""
        print(f"  {name:28} {description}")
    if arguments.verbose:
        print(version_text())
    return EXIT_OK


def version_text() -> str:
    """`kgraphs 0.1.0, Keras 3.15.1, backend tensorflow (from Keras's default)`, no import."""
    from importlib.metadata import PackageNotFoundError, version

    from kgraphs import __version__
    from kgraphs.util.backend import describe_backend

    try:
        keras_version = version("keras")
    except PackageNotFoundError:
        keras_version = "not installed"
    return f"kgraphs {__version__}, Keras {keras_version}, backend {describe_backend()}"


def validate_command(arguments: argparse.Namespace) -> int:
    failures = 0
    for path in expand_recipe_paths(arguments.recipes):
        try:
            recipe = _load(path, arguments.set)
            line = f"({recipe.architecture}, outputs: {', '.join(recipe.output_names)})"
            if arguments.shapes:
                line = _shapes_line(recipe, verbose=arguments.verbose)
        except ConfigError as error:
            failures += 1
            print(error, file=sys.stderr)
        else:
            print(f"ok  {path}  {line}")
    return EXIT_USAGE if failures else EXIT_OK


def _shapes_line(recipe: Recipe, *, verbose: bool) -> str:
    """`(graph, outputs: score (None, 1); 41 parameters)`, from the model's structure alone;
    a count over the parameter limit says that build refuses it."""
    with quiet_tensorflow(verbose):
        from kgraphs.building.from_recipe import check_shapes
        from kgraphs.config.limits import BYTES_PER_PARAMETER, MAX_PARAMETERS
        from kgraphs.introspection.layer_graph import format_shape

        try:
            structure = check_shapes(recipe)
        except ConfigError as error:
            raise error.with_source(recipe.source) from None
    outputs = ", ".join(
        f"{name} {format_shape(shape)}" for name, shape in structure.output_shapes.items()
    )
    count = f"{structure.parameters:,} parameters"
    if structure.over_limit:
        gigabytes = structure.parameters * BYTES_PER_PARAMETER / 1e9
        count += (
            f", about {gigabytes:.1f} GB of float32 weights: over the limit of "
            f"{MAX_PARAMETERS:,} that build allocates (set KGRAPHS_MAX_PARAMETERS to allow more)"
        )
    return f"({recipe.architecture}, outputs: {outputs}; {count})"


def summary_command(arguments: argparse.Namespace) -> int:
    recipe = _load(arguments.recipe, arguments.set)
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.building.from_recipe import build

        model = build(recipe, weights=False)  # exact counts; no weight allocated
    model.summary()
    return EXIT_OK


def build_command(arguments: argparse.Namespace) -> int:
    output = Path(arguments.output)
    if output.suffix != ".keras":
        raise ConfigError([("--output", f"expected a .keras file; given {str(output)!r}")])
    renames = dict(_rename(text) for text in arguments.rename)
    transfer = arguments.strict or arguments.allow_new or renames or arguments.freeze
    if transfer and arguments.weights_from is None:
        raise ConfigError([("--weights-from", "the transfer options need a model to copy from")])
    recipe = _load(arguments.recipe, arguments.set)
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.building.from_recipe import build, compile_as_recipe
        from kgraphs.building.saving import save_model
        from kgraphs.building.weight_transfer import transfer_weights

        model = build(recipe, compile=False)
        if arguments.weights_from is not None:
            report = transfer_weights(
                arguments.weights_from,
                model,
                strict=arguments.strict,
                allow_new=arguments.allow_new,
                renames=renames,
                freeze=arguments.freeze,
            )
            print(report.text(), end="")
        compile_as_recipe(model, recipe)
        save_model(model, output)
    print(f"wrote {output}")
    return EXIT_OK


def _rename(text: str) -> tuple[str, str]:
    """`conv_1=first_conv` -> ("conv_1", "first_conv")."""
    old, equals, new = text.partition("=")
    if not equals or not old or not new:
        raise ConfigError([("--rename", f"expected OLD=NEW layer names; given {text!r}")])
    return old, new


def deploy_command(arguments: argparse.Namespace) -> int:
    from kgraphs.deploying.formats import format_of

    format_of(arguments.output, arguments.format)  # a wrong suffix, before anything is built
    source = Path(arguments.model)
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.deploying.verified_export import deploy

        if source.suffix == ".keras":
            if arguments.set:
                raise ConfigError([("--set", "changes recipes only; given a .keras model")])
            from kgraphs.building.saving import load_model

            model: object = load_model(source)
        else:
            model = _load(arguments.model, arguments.set)
        report = deploy(
            model, arguments.output, format=arguments.format, tolerance=arguments.tolerance
        )
    sys.stdout.write(report.text())
    return EXIT_OK if report.verified else EXIT_FAILURE


def export_command(arguments: argparse.Namespace) -> int:
    path = Path(arguments.model)
    if path.suffix != ".keras" or not path.is_file():
        raise ConfigError([("MODEL", f"expected an existing .keras file; given {str(path)!r}")])
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.export.to_recipe import export_model_file
        from kgraphs.recipe.files import dump_yaml
        from kgraphs.recipe.schema import modeline

        text = modeline(arguments.output) + dump_yaml(export_model_file(path))
    return _write_or_print(text, arguments.output)


def render_command(arguments: argparse.Namespace) -> int:
    from kgraphs.recipe.full import render_text

    recipe = _load(arguments.recipe, arguments.set)
    output = arguments.output
    json_file = output is not None and Path(output).suffix.lower() == ".json"
    text_format = arguments.format or ("json" if json_file else "yaml")
    text = render_text(recipe, text_format)
    if output is not None and text_format == "yaml":  # a recipe file, for editors too
        from kgraphs.recipe.schema import modeline

        text = modeline(output) + text
    return _write_or_print(text, output)


def _write_or_print(text: str, output: str | None) -> int:
    """`text` written atomically to `output`, or to standard output when there is none."""
    if output is None:
        sys.stdout.write(text)
    else:
        from kgraphs.util.atomic import write_text

        write_text(output, text)
        print(f"wrote {output}")
    return EXIT_OK


def diff_command(arguments: argparse.Namespace) -> int:
    from kgraphs.diffing.compare import diff, resolve
    from kgraphs.recipe.overrides import parse_assignment

    both = [parse_assignment(text) for text in arguments.set]
    set_a = dict(both + [parse_assignment(text) for text in arguments.set_a])
    set_b = dict(both + [parse_assignment(text) for text in arguments.set_b])
    for side, source, assignments in (("A", arguments.a, set_a), ("B", arguments.b, set_b)):
        resolve(source, assignments, side=side)  # a bad recipe fails before TF is imported
    if arguments.plot is not None:
        from kgraphs.drawing.plot import PICTURE_FORMATS

        if Path(arguments.plot).suffix.lower().lstrip(".") not in PICTURE_FORMATS:
            raise ConfigError(
                [
                    (
                        "--plot",
                        f"expected a file ending in one of {list(PICTURE_FORMATS)}; given "
                        f"{arguments.plot!r}",
                    )
                ]
            )
    with quiet_tensorflow(arguments.verbose):
        result = diff(arguments.a, arguments.b, set_a=set_a, set_b=set_b)
        if arguments.plot is not None:
            result.plot(arguments.plot)
            print(f"wrote {arguments.plot}", file=sys.stderr)
    sys.stdout.write(result.markdown() if arguments.format == "markdown" else result.text())
    return EXIT_OK if result.same else EXIT_FAILURE


def tune_command(arguments: argparse.Namespace) -> int:
    recipe = _load(arguments.recipe, arguments.set)
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.building.instantiation import instantiate
        from kgraphs.training.data import read_arrays
        from kgraphs.training.tuning import best_recipe, tuner

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
    from kgraphs.recipe.files import dump_yaml
    from kgraphs.recipe.schema import modeline
    from kgraphs.util.atomic import write_text

    write_text(arguments.output, modeline(arguments.output) + dump_yaml(best.to_dict()))
    print(f"wrote {arguments.output}: {best.description}")
    return EXIT_OK


def plot_command(arguments: argparse.Namespace) -> int:
    from kgraphs.drawing.plot import FORMATS

    formats = [f.strip().lower() for f in arguments.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(
            [("--format", f"expected some of {list(FORMATS)}; given {arguments.format!r}")]
        )
    recipes = [_load(path, arguments.set) for path in expand_recipe_paths(arguments.recipes)]
    with quiet_tensorflow(arguments.verbose):
        from kgraphs.drawing.gallery import render_gallery

        written = render_gallery(
            recipes,
            Path(arguments.output),
            formats=formats,
            progress=sys.stderr if len(recipes) > 3 else None,
        )
    print(f"wrote {len(written)} files to {arguments.output}")
    return EXIT_OK


def schema_command(arguments: argparse.Namespace) -> int:
    from kgraphs.recipe.schema import schema_text

    return _write_or_print(schema_text(), arguments.output)


def _load(source: str, assignments: Sequence[str]) -> Recipe:
    from kgraphs.recipe.loading import load_with_assignments
    from kgraphs.recipe.overrides import parse_assignment

    return load_with_assignments(source, dict(parse_assignment(text) for text in assignments))
