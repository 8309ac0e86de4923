"""A production-ready Python backend service."""
