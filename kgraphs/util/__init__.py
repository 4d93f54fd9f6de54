"""Small utilities every layer uses: `ConfigError` and close matches (`errors`), atomic writes
(`atomic`), which Keras backend runs (`backend`), and an environment variable set for a block
(`environment`)."""
