"""Static files (styles and scripts) under addresses that change with their content, so that a
browser keeps each one for a year instead of asking again on every page: a participant on a
phone loads each page with one request, and a new release's files get new addresses.

`url_for('static', filename=...)` adds `?v=<the file's digest>`. Only a request that names the
file's current digest is told to keep it; any other (an old page, a hand-typed address) gets
Flask's default, revalidated each time."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

KEEP_FOR_SECONDS = 365 * 24 * 3600


def init_static_files(app: Flask) -> None:
    digests: dict[str, str] = {}

    def digest(filename: str) -> str | None:
        """The file's content digest; read again on each use while debugging, when it is
        edited with the server running."""
        if filename not in digests or app.debug:
            path = Path(app.static_folder or "", filename)
            if not path.is_file():
                return None
            digests[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        return digests[filename]

    @app.url_defaults
    def versioned(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values:
            return
        if version := digest(values.get("filename", "")):
            values["v"] = version

    default_max_age = app.get_send_file_max_age

    def max_age(filename: str | None) -> int | None:
        if filename and request.args.get("v") == digest(filename):
            return KEEP_FOR_SECONDS
        return default_max_age(filename)

    app.get_send_file_max_age = max_age  # type: ignore[method-assign]
