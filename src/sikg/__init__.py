"""sikg — the Social Innovation Support Knowledge Graph."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sikg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
