"""Recipe YAML reads exponents without a dot (`1e-4`) as numbers, as JSON and TOML do."""

import pytest

from kgraphs.recipe.files import parse_text

pytestmark = pytest.mark.backend_independent(reason="how YAML text is read")


@pytest.mark.parametrize(
    ("text", "value"),
    [("1e-4", 1e-4), ("1.0e-4", 1e-4), ("-2E3", -2000.0), ("+5e+2", 500.0), ("1_0e1", 100.0)],
)
def test_exponents_are_numbers(text, value):
    assert parse_text(f"rate: {text}", syntax="yaml") == {"rate": value}


@pytest.mark.parametrize("text", ["2e", "e5", "1e-4x", "'1e-4'", "0x1e"])
def test_other_texts_stay_what_yaml_says(text):
    assert isinstance(parse_text(f"rate: {text}", syntax="yaml")["rate"], (str, int))
