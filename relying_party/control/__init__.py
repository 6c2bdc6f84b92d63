"""The RP's control API for tests and QA (/_control)."""
