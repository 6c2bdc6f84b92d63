"""The pytest plugin configured as a downstream project does it (ini options, environment)."""
