"""A university's own settings: the inventor reward share of net licensing income."""
