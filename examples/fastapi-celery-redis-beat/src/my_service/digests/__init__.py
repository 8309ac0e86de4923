"""The example task domain: CPU-heavy digests computed by the worker, not the web process (R14)."""
