"""Models from recipes: `build` (validate, build, compile, place on devices) and `.keras` files
written atomically and loaded in safe mode."""
