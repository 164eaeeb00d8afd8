"""Demo data for this app (called by `lantoa demo` after the world is built)."""


def build(world) -> None:
    pass
