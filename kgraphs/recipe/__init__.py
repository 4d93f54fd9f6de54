"""The recipe format: files (`files`), the envelope and loading (`loading`), overrides
(`overrides`), the compile section (`compile_spec`), search spaces (`search_space`), the JSON
Schema (`schema`), the full recipe with every default (`full`) and the shipped recipes
(`shipped`). Nothing here imports TensorFlow."""
