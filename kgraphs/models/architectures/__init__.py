"""One module per architecture, named after it, each registering its builder with
`kgraphs.models.registry.register`; the registry finds them here without importing them."""
