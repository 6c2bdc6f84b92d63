"""The IdP's schema migrations (Alembic scripts in versions/)."""
