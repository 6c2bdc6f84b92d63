"""gosuslugi-sandbox: a fake Gosuslugi (ESIA) and a fake Sferum for tests, QA and CI."""

# The one place the version is written (pyproject.toml reads it; CHANGELOG.md says what changed).
__version__ = "0.2.0"
