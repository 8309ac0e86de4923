"""How the container runs the service: worker counts, the entrypoint and server configuration."""
