"""Diagrams: groups found in a model (`grouping`), views at a depth (`view`), their DOT text
(`dot_text`, `style`), Graphviz (`graphviz`), the collapsed picture that fits a screen
(`collapsed`), the interactive page (`interactive`), `plot` (`plot`) and the gallery (`gallery`)."""
