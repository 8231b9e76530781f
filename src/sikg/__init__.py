"""sikg — the Social Innovation Support Knowledge Graph."""


def __getattr__(name: str) -> str:
    """`sikg.__version__`, read from the installed package's metadata when first asked for: importlib.metadata costs
    some 50 ms, which every command would pay at its start (`sikg export` is timed against `oxigraph dump`)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version  # (50 ms: only when asked)
    try:
        found = version("sikg")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
