"""The fake Sferum's schema migrations (Alembic scripts in versions/)."""
