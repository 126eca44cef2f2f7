"""Static URLs carry a hash of the file's content: ``/static/style.css?v=3f2a9c1e0b7d``.

The reverse proxy serves ``/static/`` with a one-year cache lifetime; a changed
file gets a new URL, so browsers never keep an old stylesheet or script.
"""
import hashlib
from pathlib import Path


def register(app):
    versions = {}

    def static_version(endpoint, values):
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        filename = values["filename"]
        if filename not in versions:
            path = Path(app.static_folder) / filename
            try:
                versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            except OSError:
                versions[filename] = None
        if versions[filename]:
            values["v"] = versions[filename]

    app.url_defaults(static_version)
