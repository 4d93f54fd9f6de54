"""The architectures: the registry, the reusable blocks, and one module per architecture in
`kgraphs.models.architectures`.

`kgraphs.models.registry` knows their names and modules without importing them, and imports a
module (which registers its architecture and builds its config class) the first time its
architecture is used; the public factories are `kgraphs.ticket_priority` and the like.
"""
