"""Write the documentation site's sources into build/docs/; `mkdocs build` then renders them.

    python docs/build_docs.py [--jobs N]      # `make docs` runs it, then `mkdocs build --strict`

Every page but the hand-written ones (docs/index.md and the guides in docs/guide/, copied as
they are) is generated from the code it documents, at each build, so the site cannot go stale:

- tutorials/: every notebook in notebooks/ with its outputs, executed in a kernel started in
  notebooks/, as Jupyter starts it (tests/notebook_runner.py's `execute`), and an overview. A
  notebook is executed now unless build/notebooks/ holds a copy executed from the same sources
  on the same backend: `make test` runs the notebooks in its TensorFlow pass, which checks and
  keeps them, just before `make docs`, so each runs once;
- reference/api.md: one mkdocstrings entry per name in `kgraphs.__all__`, which `mkdocs build`
  renders from the docstrings, examples included;
- reference/cli.md: each command's `--help`, from the parser in kgraphs.cli.parser;
- reference/recipes.md: the recipe format from the JSON Schema that kgraphs.recipe.schema derives
  from the pydantic models: each field's type, bounds, default and description;
- reference/errors.md: representative bad recipes and the `ConfigError` each gives, run now;
- guide/deploy-matrix.md: every shipped recipe in every deployment format, checked in each
  format's runtime (tests/deploy_matrix.py); made now unless build/deploy-matrix.md holds the
  one `make test`'s TensorFlow pass made from the same sources;
- gallery/: `kgraphs plot recipes`'s gallery (every shipped recipe drawn, its interactive page
  and the picture of every layer), with the gallery's own README as the page; drawn now unless
  build/gallery/ holds the one `make test`'s TensorFlow pass drew and checked from the same
  sources (tests/drawn_gallery.py).

A notebook that fails to run fails the build.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # notebook_runner: how the suite runs the notebooks

from notebook_runner import NOTEBOOKS, execute, executed_copy, stamp, write_executed  # noqa: E402

PAGES = ROOT / "docs"
OUTPUT = ROOT / "build" / "docs"
HELP_COLUMNS = "100"  # argparse wraps --help to the terminal's width; the page has its own
SEARCH_SPACE = "#/definitions/SearchSpace"
# absl's line before logging starts, and its log lines: `I0000 00:00:1795.3 27106 port.cc:153] ...`
TENSORFLOW_LOG = re.compile(
    r"^(?:WARNING: All log messages before absl::InitializeLog\(\) is called are written to"
    r" STDERR|[IWEF]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*)\n?",
    re.MULTILINE,
)
LOWER = (("minimum", "≤"), ("exclusiveMinimum", "<"))
UPPER = (("maximum", "≤"), ("exclusiveMaximum", "<"))
COUNTED = (
    ("items", "minItems", "maxItems"),
    ("characters", "minLength", "maxLength"),
    ("keys", "minProperties", "maxProperties"),
)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)
    output = Path(arguments.output)
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    # The kernels, and the gallery's process, need TensorFlow; its C++ start-up lines would
    # show in the notebooks' outputs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with ProcessPoolExecutor(max_workers=arguments.jobs) as pool:
        gallery = pool.submit(write_gallery, output / "gallery")
        matrix = pool.submit(write_deploy_matrix, output / "guide" / "deploy-matrix.md")
        tutorials = [
            pool.submit(write_tutorial, path, output / "tutorials")
            for path in NOTEBOOKS
            if not copy_tutorial(path, output / "tutorials")
        ]
        write_pages(output)  # meanwhile: these need no TensorFlow
        _wait(gallery, [matrix, *tutorials])
    write_text(output / "tutorials" / "index.md", tutorials_page(sorted(NOTEBOOKS)))
    print(f"wrote the site's sources to {output}")
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", default=str(OUTPUT), help="default: build/docs")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="notebooks run at a time"
    )
    return parser.parse_args(argv)


def _wait(gallery: Future, tutorials: list[Future]) -> None:
    """Every job's result; the first failure (a notebook's cell, a recipe) is raised."""
    for job in [gallery, *tutorials]:
        job.result()


def write_deploy_matrix(path: Path) -> Path:
    """Every shipped recipe in every deployment format, each cell checked in the format's
    runtime (tests/deploy_matrix.py): the tests' matrix when they made it from the sources here
    now, otherwise made now, so the page cannot go stale."""
    import deploy_matrix

    text = deploy_matrix.tested_copy()
    if text is None:
        text = deploy_matrix.markdown(deploy_matrix.cells(deploy_matrix.shipped_recipes()))
    return write_text(path, text)


def write_text(path: Path, text: str) -> Path:
    """`kgraphs.util.atomic.write_text`, into a folder made as needed."""
    from kgraphs.util import atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_text(path, text)


def write_pages(output: Path) -> None:
    """The hand-written pages, and the reference pages generated from the code."""
    for page in sorted(PAGES.rglob("*.md")):
        target = output / page.relative_to(PAGES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    reference = output / "reference"
    write_text(reference / "api.md", api_page())
    write_text(reference / "cli.md", cli_page())
    write_text(reference / "recipes.md", recipes_page())
    write_text(reference / "errors.md", errors_page())


# Tutorials


def copy_tutorial(path: Path, folder: Path) -> Path | None:
    """The notebook's executed copy from build/notebooks/, written with its outputs, when it
    was executed from the sources here now on the backend a kernel would pick; else None."""
    notebook = executed_copy(path)
    if notebook is None:
        return None
    without_tensorflow_logs(notebook)
    print(f"took {path.relative_to(ROOT)} as executed in build/notebooks/", flush=True)
    return write_text(folder / path.name, nbformat.writes(notebook))


def write_tutorial(path: Path, folder: Path) -> Path:
    """The notebook executed in a kernel started in its folder, written with its outputs (and
    kept in build/notebooks/ for the next build)."""
    started = time.perf_counter()
    ran_from = stamp(path)
    try:
        notebook = execute(path)
    except Exception as error:  # the kernel's traceback, named by its notebook
        raise RuntimeError(f"{path.relative_to(ROOT)} failed:\n{error}") from None
    write_executed(notebook, path, ran_from=ran_from)
    without_tensorflow_logs(notebook)
    print(f"ran {path.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s", flush=True)
    return write_text(folder / path.name, nbformat.writes(notebook))


def without_tensorflow_logs(notebook: nbformat.NotebookNode) -> None:
    """Drop TensorFlow's C++ start-up lines from the outputs: its logging writes them to the
    kernel's stderr before it reads TF_CPP_MIN_LOG_LEVEL, so no setting keeps them out."""
    for cell in notebook.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                output.text = TENSORFLOW_LOG.sub("", output.text)
                if not output.text:
                    continue
            kept.append(output)
        if cell.cell_type == "code":
            cell.outputs = kept


def tutorials_page(notebooks: Sequence[Path]) -> str:
    lines = [
        "# Tutorials",
        "",
        "One notebook per section of the chapter, executed when this site was built: each",
        "builds the chapter's model by hand and with kgraphs, draws it, trains it on data it",
        "makes and ends with an exercise. Open them in Jupyter from `notebooks/`.",
        "",
    ]
    for path in notebooks:
        title, summary = notebook_summary(nbformat.read(path, as_version=4))
        lines.append(f"- [{title}]({path.name}): {summary}")
    return "\n".join(lines) + "\n"


def notebook_summary(notebook: nbformat.NotebookNode) -> tuple[str, str]:
    """The notebook's title (its first heading) and the first sentence after it."""
    first = notebook.cells[0].source.strip().split("\n")
    title = first[0].lstrip("#").strip()
    prose = " ".join(line.strip() for line in first[1:] if line.strip())
    if not prose:
        markdown = [cell for cell in notebook.cells[1:] if cell.cell_type == "markdown"]
        prose = " ".join(markdown[0].source.split()) if markdown else ""
    sentence = prose.split(". ", 1)[0].rstrip(".")
    return title, f"{sentence}." if sentence else ""


# Python API


def api_page(names: Sequence[str] | None = None) -> str:
    """A mkdocstrings entry for each public name (default: `kgraphs.__all__`)."""
    import kgraphs

    lines = [
        "# Python API",
        "",
        "Every name `import kgraphs` exports (`kgraphs.__all__`), from its docstring. The",
        "examples are doctests: `make test` runs each of them.",
        "",
    ]
    for name in kgraphs.__all__ if names is None else names:
        lines += api_entry(name)
    return "\n".join(lines)


def api_entry(name: str) -> list[str]:
    """`::: path` for the object behind `kgraphs.NAME`, headed `kgraphs.NAME`; for an
    architecture's factory, a link to its fields."""
    import kgraphs
    from kgraphs.models import registry

    value = getattr(kgraphs, name)
    entry = [f"::: {value.__module__}.{value.__qualname__}", "    options:"]
    entry += [f"      heading: kgraphs.{name}", ""]
    if name in registry.names():
        entry += [f"Its fields, with their bounds and defaults: [{name}](recipes.md#{name}).", ""]
    return entry


# Command line


def cli_page() -> str:
    """The `kgraphs` command's `--help`, then each command's."""
    from kgraphs import cli
    from kgraphs.cli.parser import build_parser

    with _help_width():
        parser = build_parser()
        lines = ["# Command line", "", _first_paragraph_after_title(cli.__doc__), ""]
        lines += _help_block(parser)
        for name, command in subcommands(parser).items():
            lines += [f"## kgraphs {name}", ""]
            lines += _help_block(command)
    return "\n".join(lines)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's commands by name, in the order `--help` lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help_block(parser: argparse.ArgumentParser) -> list[str]:
    return ["```text", parser.format_help().rstrip(), "```", ""]


def _help_width() -> contextlib.AbstractContextManager[None]:
    from kgraphs.util.environment import environment_variable

    return environment_variable("COLUMNS", HELP_COLUMNS)


def _first_paragraph_after_title(docstring: str | None) -> str:
    """A module docstring without its first line: what follows, up to the next blank line."""
    paragraphs = inspect.cleandoc(docstring or "").split("\n\n")
    return " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""


# Recipe format


def recipes_page() -> str:
    """The recipe format, table by table, from the JSON Schema of the pydantic models."""
    from kgraphs.recipe import search_space
    from kgraphs.recipe.schema import recipe_schema

    schema = recipe_schema()
    definitions = schema["definitions"]
    shown: set[str] = set()
    lines = [
        "# Recipe format",
        "",
        f"{schema['description']} Every table is generated from the pydantic models that",
        "validate recipes (through `kgraphs.recipe.schema`, which also writes the JSON Schema",
        "editors use: `kgraphs schema`), each field's description from the comment above it.",
        "",
        f"{definitions['SearchSpace']['description']} See [Search spaces](#search-spaces).",
        "",
        "## The recipe file",
        "",
        *fields_table(schema, definitions),
        "",
    ]
    lines += _architecture_sections(schema, definitions, shown)
    lines += ["## The compile section {#compile}", ""]
    lines += [_describe(schema["properties"]["compile"]), ""]
    lines += _definition_sections("CompileSpec", definitions, shown)
    lines += ["## Search spaces {#search-spaces}", "", module_prose(search_space), ""]
    lines += _definition_sections("SearchSpace", definitions, shown)
    lines += _name_lists(definitions)
    return "\n".join(lines)


def _architecture_sections(
    schema: dict[str, Any], definitions: dict[str, Any], shown: set[str]
) -> list[str]:
    from kgraphs.models import registry

    lines = ["## Architectures", ""]
    for name in schema["properties"]["architecture"]["enum"]:
        architecture = registry.get(name)
        module = sys.modules[architecture.config_class.__module__]
        factory = f"{architecture.builder.__module__}.{name}"
        lines += [
            f"### {name} {{#{name}}}",
            "",
            f"{architecture.summary} Recipes whose `architecture` is `{name}`, and",
            f"[`kgraphs.{name}(config, **fields)`][{factory}], build it from these fields.",
            "",
            module_prose(module),
            "",
        ]
        lines += _definition_sections(architecture.config_class.__name__, definitions, shown, 4)
    return lines


def module_prose(module: Any) -> str:
    """A module's docstring up to its example (the doctests are for the API page)."""
    text = inspect.cleandoc(module.__doc__ or "")
    return text.split("\nExample:\n", 1)[0].strip()


def _definition_sections(
    name: str, definitions: dict[str, Any], shown: set[str], level: int = 3
) -> list[str]:
    """A table for the definition `name`, then one for each definition it refers to."""
    lines = []
    for found in _referenced(name, definitions):
        if found in shown or found.endswith("Name"):
            continue
        shown.add(found)
        definition = definitions[found]
        lines += [f"{'#' * level} {found} {{#{found}}}", ""]
        if "description" in definition:
            lines += [definition["description"], ""]
        if "properties" in definition:
            lines += [*fields_table(definition, definitions), ""]
    return lines


def _referenced(name: str, definitions: dict[str, Any]) -> list[str]:
    """`name` and the definitions it refers to, directly or not, in the order found."""
    order: list[str] = []
    stack = [name]
    while stack:
        current = stack.pop(0)
        if current in order:
            continue
        order.append(current)
        stack += [ref.rsplit("/", 1)[1] for ref in _refs(definitions[current])]
    return order


def _refs(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["$ref"]] if "$ref" in schema and schema["$ref"] != SEARCH_SPACE else []
        return own + [ref for value in schema.values() for ref in _refs(value)]
    if isinstance(schema, list):
        return [ref for value in schema for ref in _refs(value)]
    return []


def fields_table(definition: dict[str, Any], definitions: dict[str, Any]) -> list[str]:
    """One row per field: its name, type, bounds, default and description."""
    required = set(definition.get("required", []))
    lines = ["| Field | Type | Bounds | Default | Description |", "| --- | --- | --- | --- | --- |"]
    for field, schema in definition["properties"].items():
        default = "required" if field in required else _default(schema)
        cells = [f"`{field}`", type_text(schema), bounds_text(schema), default, _describe(schema)]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _options(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schemas a value may match, search spaces left out (every value may be one)."""
    if list(schema.get("allOf", [])) and "$ref" in schema["allOf"][0]:
        return _options(schema["allOf"][0])
    options = schema.get("anyOf", [schema])
    return [option for option in options if option.get("$ref") != SEARCH_SPACE]


def type_text(schema: Any) -> str:
    """`integer`, `list of [Stage](#Stage)`, `"flatten" or "global_average"`, ..."""
    if not isinstance(schema, dict) or not schema:
        return "any value"
    return " or ".join(_one_type(option) for option in _options(schema))


def _one_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name})"
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return " or ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return " or ".join(_one_type({"type": kind}) for kind in kinds)
    if kinds == "array":
        return _array_type(schema)
    if kinds == "object":
        values = schema.get("additionalProperties")
        return f"mapping of string to {_nested(values)}" if values else "mapping"
    return kinds or "any value"


def _array_type(schema: dict[str, Any]) -> str:
    items = schema.get("items")
    if isinstance(items, list):  # a tuple: a list of exactly these
        return "[" + ", ".join(_nested(item) for item in items) + "]"
    return f"list of {_nested(items)}" if items else "list"


def _nested(schema: Any) -> str:
    """An item's or value's type, with its bounds, bracketed when it has alternatives."""
    text = type_text(schema)
    bounds = bounds_text(schema) if isinstance(schema, dict) else ""
    if bounds:
        text += f" ({bounds})"
    return f"({text})" if " or " in text and not bounds else text


def bounds_text(schema: dict[str, Any]) -> str:
    """`1 ≤ value ≤ 65536`, `1 to 16 items`, ...: the limits of the value itself."""
    return "; ".join(filter(None, (_bounds(option) for option in _options(schema))))


def _bounds(schema: dict[str, Any]) -> str:
    parts = [_range(schema)]
    for unit, low, high in COUNTED:
        parts.append(_count(schema.get(low), schema.get(high), unit))
    if "pattern" in schema:
        parts.append(f"matches `{schema['pattern']}`")
    return ", ".join(filter(None, parts))


def _range(schema: dict[str, Any]) -> str:
    """`0.0 ≤ value < 1.0`: a number's limits."""
    low = [f"{schema[key]} {sign}" for key, sign in LOWER if key in schema]
    high = [f"{sign} {schema[key]}" for key, sign in UPPER if key in schema]
    return " ".join([*low, "value", *high]) if low or high else ""


def _count(low: int | None, high: int | None, unit: str) -> str:
    if low is None and high is None:
        return ""
    if low == high:
        return f"exactly {low} {unit}" if not (unit == "items" and low) else ""
    if high is None:
        return f"at least {low} {unit}"
    return f"{low or 0} to {high} {unit}"


def _default(schema: dict[str, Any]) -> str:
    return f"`{json.dumps(schema['default'])}`" if "default" in schema else ""


def _describe(schema: dict[str, Any]) -> str:
    return " ".join(schema.get("description", "").split())


def _cell(text: str) -> str:
    """Table cells hold one line, and `|` would end them."""
    return " ".join(text.split()).replace("|", "\\|")


def _name_lists(definitions: dict[str, Any]) -> list[str]:
    lines = ["## Names", "", "The names kgraphs accepts where a field takes a Keras name.", ""]
    for name, definition in definitions.items():
        if name.endswith("Name"):
            names = ", ".join(f"`{value}`" for value in definition["enum"])
            lines += [f"### {name} {{#{name}}}", "", definition["description"], "", names, ""]
    return lines


# Errors


# (What is wrong, the recipe as a user writes it): each is validated at every build, and the
# page shows what kgraphs says.
ERROR_CASES: list[tuple[str, str]] = [
    ("A misspelt key, in the recipe or its config", "confg: {lstm_unit: 64}"),
    ("A value of the wrong type or out of bounds", "config: {lstm_units: '64', dropout: 1.5}"),
    ("An unknown architecture", "architecture: ticket_prority"),
    ("A recipe format kgraphs does not read", "version: 2"),
    (
        "Misspelt Keras names",
        "compile: {optimizer: adamm, loss: binary_crossentropyy, metrics: [acuracy]}",
    ),
    (
        "compile keys that are not the model's outputs",
        "architecture: image_multitask\n"
        "compile: {loss: {class: categorical_crossentropy, bbox: mse}}",
    ),
    (
        "Fields that contradict each other",
        "architecture: image_multitask\n"
        "config: {input_shape: [16, 16, 3], conv_filters: [32, 64, 128]}",
    ),
    (
        "A model too large to allocate (it validates and draws; build refuses it before its "
        "first weight)",
        "config: {vocab_size: 10000000, embedding_dim: 65536}",
    ),
    (
        "A search space that can produce nothing",
        "config: {lstm_units: {search: int, min: 64, max: 8}}",
    ),
]
BASE_RECIPE = {"version": 1, "architecture": "ticket_priority"}
BAD_FILES = {
    "bad.yaml": """version: 1
architecture: siamese_text
config:
  lstm_units: 0
  similarity: cosin
""",
    "graph.yaml": """version: 1
architecture: graph
config:
  inputs: [{name: text, shape: [null], dtype: int32}]
  nodes:
    - {name: embed, layer: Embedding, args: {input_dim: 1000, output_dim: 16}, inputs: txt}
    - {name: pool, layer: GlobalAveragePooling1D, inputs: encode}
    - {name: encode, layer: Lambda, args: {function: print}, inputs: embed}
  outputs: pool
""",
    "broken.yaml": "version: 1\narchitecture: siamese_text\nconfig: {similarity: cosine\n",
}


def errors_page() -> str:
    lines = [
        "# Errors",
        "",
        "A recipe kgraphs cannot build raises `ConfigError` (exit status 2 from the command",
        "line) before anything is built or TensorFlow imported. Every problem found is",
        "reported at once, each at its place in the recipe, with what was expected, what was",
        "given and the closest valid name. The messages below are kgraphs' own, produced when",
        "this page was built.",
        "",
        "## Catalogue",
        "",
        f"Each recipe is `{_flow(BASE_RECIPE)}` with these keys added or replaced:",
        "",
        "| Mistake | In the recipe | What kgraphs says |",
        "| --- | --- | --- |",
    ]
    for mistake, text in ERROR_CASES:
        recipe = "<br>".join(_code(line) for line in text.split("\n"))
        problems = "<br>".join(_code(line) for line in problem_lines(text))
        lines.append(f"| {mistake} | {recipe} | {problems} |")
    lines += ["", *bad_files_section()]
    return "\n".join(lines) + "\n"


def problem_lines(text: str) -> list[str]:
    """What `ConfigError` says about the recipe `BASE_RECIPE | text`, one line a problem: from
    validation, or for a recipe that validates, from `build` (the memory limit)."""
    from kgraphs import ConfigError, build, load_recipe

    try:
        build(load_recipe(BASE_RECIPE | yaml.safe_load(text)), compile=False)
    except ConfigError as error:
        return [f"{location or '(recipe)'}: {message}" for location, message in error.problems]
    raise AssertionError(f"kgraphs accepts the bad recipe {text!r}")


def bad_files_section() -> list[str]:
    """`kgraphs validate` on bad files: what a user sees, exit status included."""
    lines = [
        "## In files",
        "",
        "`kgraphs validate` checks files (and folders of them) and reports each file's problems",
        "at once: here a config with two mistakes, a graph wired wrong with a layer that runs",
        "code, and a file that is not YAML.",
        "",
    ]
    for name, text in BAD_FILES.items():
        lines += [f'```yaml title="{name}"', text.rstrip(), "```", ""]
    with tempfile.TemporaryDirectory() as folder:
        for name, text in BAD_FILES.items():
            write_text(Path(folder) / name, text)
        validated = subprocess.run(
            [sys.executable, "-m", "kgraphs", "validate", *BAD_FILES],
            cwd=folder,
            capture_output=True,
            text=True,
        )
    command = f"$ kgraphs validate {' '.join(BAD_FILES)}"
    shown = [command, *(validated.stdout + validated.stderr).rstrip().split("\n")]
    return [*lines, "```console", *shown, "$ echo $?", str(validated.returncode), "```", ""]


def _code(text: str) -> str:
    """`text` as inline code in a table cell, whatever characters it holds: HTML, so that
    neither Markdown (`_`, `*`, `[`) nor the table (`|`) reads anything in it."""
    escaped = html.escape(text)
    for character in "|_*[]`\\":
        escaped = escaped.replace(character, f"&#{ord(character)};")
    return f"<code>{escaped}</code>"


def _flow(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, default_flow_style=True, sort_keys=False).strip()


# Gallery


def write_gallery(folder: Path) -> Path:
    """`kgraphs plot recipes -o FOLDER`, or the same render made and checked by the tests from
    the sources here now (tests/drawn_gallery.py); its README.md is the page, its index.html
    unused."""
    import drawn_gallery

    if not drawn_gallery.copy_kept(folder):
        started = time.perf_counter()
        drawn = subprocess.run(  # from the root: the page names the recipes as recipes/NAME.yaml
            [sys.executable, "-m", "kgraphs", "plot", "recipes", "-o", str(folder.resolve())],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if drawn.returncode != 0:
            raise RuntimeError(f"kgraphs plot recipes failed:\n{drawn.stderr}")
        print(f"drew the gallery in {time.perf_counter() - started:.0f} s", flush=True)
    (folder / "index.html").unlink()  # the standalone page: the site has its own
    return (folder / "README.md").rename(folder / "index.md")


if __name__ == "__main__":
    sys.exit(main())
