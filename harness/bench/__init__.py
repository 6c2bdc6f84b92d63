"""`make bench` and `make bench-peers`: both apps under gunicorn, and the mocks we compare with."""
