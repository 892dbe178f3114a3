"""The scene: a figure whose layers draw each frame of the animation."""
