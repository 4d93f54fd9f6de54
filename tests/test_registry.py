"""The registry: one decorator, unique names, one calling convention for every factory."""

import pytest

import kgraphs
from kgraphs.models import registry
from kgraphs.models.registry import ArchitectureConfig, register


def test_duplicate_names_are_refused():
    with pytest.raises(ValueError, match="already registered"):

        @register(ArchitectureConfig)
        def ticket_priority(config, *, name):
            raise AssertionError("never built")


# A valid config for each architecture: the chapter's need none, a graph needs its wiring.
EXAMPLE_CONFIGS = {name: {} for name in registry.names()} | {
    "graph": {
        "inputs": [{"name": "x", "shape": [3]}],
        "nodes": [{"name": "y", "layer": "Dense", "args": {"units": 2}, "inputs": "x"}],
        "outputs": "y",
    }
}


@pytest.mark.parametrize("name", registry.names())
def test_factory_takes_a_dict_fields_or_both(name):
    factory = getattr(kgraphs, name)
    architecture = registry.get(name)
    example = architecture.config(EXAMPLE_CONFIGS[name])
    fields = example.model_dump()
    assert architecture.config(fields) == architecture.config(**fields) == example
    assert factory(EXAMPLE_CONFIGS[name]).count_params() == factory(**fields).count_params()
    assert factory.__doc__ and factory.__name__ == name


@pytest.mark.parametrize("name", registry.names())
def test_config_objects_are_frozen(name):
    config = registry.get(name).config(EXAMPLE_CONFIGS[name])
    field = next(iter(config.model_dump()))
    with pytest.raises(Exception, match="frozen"):
        setattr(config, field, None)


def test_fields_override_the_dict():
    config = registry.get("ticket_priority").config({"lstm_units": 4}, lstm_units=9)
    assert config.lstm_units == 9
