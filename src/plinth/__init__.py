"""plinth: generate production-ready Python backend services, and keep them current."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("plinth")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
