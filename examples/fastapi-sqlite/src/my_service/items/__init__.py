"""The example resource: items with create, read, list, update and delete."""
