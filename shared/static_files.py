"""Static files under URLs that name their content: browsers keep them, an edit is a new URL.

Flask answers `/static/<file>` with `Cache-Control: no-cache`, so every page load asked again
for its stylesheet (a 304 each time: a request for the browser and a worker, some 4 ms of CPU
per page load in the browser tests). `url_for('static', filename=…)` now adds `v=<digest of
the file>`, and a request naming the file's current digest is answered as cacheable for a
year, as sites serving content-named assets do. Any other request for a static file is
answered as before.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Flask, request
from werkzeug.security import safe_join

CACHED_FOR_A_YEAR = "public, max-age=31536000, immutable"


@functools.lru_cache(maxsize=256)
def _digest(path: Path, _mtime_ns: int, _size: int) -> str:
    """The digest of one state of a file: it is read again only when it changes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def file_version(path: str | Path) -> str | None:
    """A short digest of the file's content, or None when there is no such file."""
    path = Path(path)
    try:
        stat = path.stat()
        return _digest(path, stat.st_mtime_ns, stat.st_size)
    except OSError:  # gone, unreadable, or a directory
        return None


def set_up_static_files(app: Flask) -> None:
    """Versioned URLs for the app's static files, cacheable when the version is current."""
    folder = app.static_folder
    serve = app.view_functions["static"]

    def version(filename: str) -> str | None:
        path = safe_join(folder, filename) if folder else None
        return file_version(path) if path else None

    @app.url_defaults
    def _name_the_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            found = version(values["filename"])
            if found:
                values["v"] = found

    def static(filename: str):
        response = serve(filename=filename)  # 404 for a missing or unsafe path, as before
        wanted = request.args.get("v")
        if response.status_code == 200 and wanted and wanted == version(filename):
            response.headers["Cache-Control"] = CACHED_FOR_A_YEAR
        return response

    app.view_functions["static"] = static
