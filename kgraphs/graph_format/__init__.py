"""The graph format (`architecture: graph`): its fields (`spec`), its checks before anything
is built (`checks`), its builder (`builder`) and the allow-listed `keras.ops` (`ops`)."""
