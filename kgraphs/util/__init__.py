"""Small utilities every layer uses: `ConfigError` and close matches (`errors`), atomic writes
(`atomic`), and which Keras backend runs (`backend`)."""
