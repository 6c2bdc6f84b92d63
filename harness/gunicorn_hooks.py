"""Gunicorn server hooks for both apps (`gunicorn -c python:…`): no garbage collection while a
worker imports and builds its app.

Importing the app allocates hundreds of thousands of long-lived objects and almost no garbage,
yet Python's collector ran dozens of times meanwhile (about 30 ms of a cold start). What the
start made is then frozen out of every later collection, so requests no longer re-scan it.
"""

from __future__ import annotations

import gc


def post_fork(server, worker) -> None:
    """In the new worker, before it imports the app: collector off."""
    gc.disable()


def post_worker_init(worker) -> None:
    """The app is built: keep what the start made out of later collections; collector on."""
    gc.freeze()
    gc.enable()
