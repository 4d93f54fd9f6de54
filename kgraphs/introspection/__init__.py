"""A built model read as plain data: its layer graph (nested models opened), which the diagrams
and the diff share."""
