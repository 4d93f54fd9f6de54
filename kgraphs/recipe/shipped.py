"""The shipped recipes, installed with the package and addressed by name from anywhere.

`recipes/` at the repository root is a link to `kgraphs/recipes/`, so the files that
`make plot` draws are the files a `pip install` carries. A preset's name is its path inside
that folder without the suffix: `image_multitask`, `residual_cnn_stages`, `graph/unet_small`.
Names work in every place a recipe is taken (`build`, `load_recipe`, `plot`, the command
line), whatever the working directory, so notebooks and scripts need no paths.

The four chapter presets carry their architecture's name and exactly its default config,
plus the chapter's compile settings: `kgraphs.build("image_multitask")` is the chapter's
model compiled as the chapter compiles it, and `kgraphs.image_multitask()` is the same model
uncompiled.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "recipes"


def presets() -> dict[str, Path]:
    """The shipped recipes by name, sorted: `{"graph/unet_small": Path(...), ...}`.

    Example:
        >>> import kgraphs
        >>> shipped = kgraphs.presets()
        >>> shipped["image_multitask"].name, "graph/unet_small" in shipped
        ('image_multitask.yaml', True)
        >>> dict(kgraphs.build("image_multitask").loss)  # compiled as the chapter compiles it
        {'class_label': 'categorical_crossentropy', 'bounding_box': 'mse'}
    """
    from kgraphs.recipe.files import SUFFIXES  # not at the top: `import kgraphs` runs this file

    found = {
        path.relative_to(FOLDER).with_suffix("").as_posix(): path
        for path in FOLDER.rglob("*")
        if path.is_file() and path.suffix.lower() in SUFFIXES
    }
    return dict(sorted(found.items()))
