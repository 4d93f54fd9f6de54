"""Model -> recipe: `to_recipe` walks a Functional model and writes the graph format."""
