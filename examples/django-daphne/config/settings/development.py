"""Local development: debug pages, no HTTPS hardening. Never used by the image."""

from .base import *  # noqa: F403

DEBUG = True
