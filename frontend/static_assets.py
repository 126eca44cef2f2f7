"""Static files under content-hashed names, cached for a year, and gzip for text responses.

Pages link to ``asset_url('style.css')``, which is ``/assets/style.<hash>.css``: the
hash is of the file's content, so a changed file gets a new URL and browsers can
keep every URL forever (``Cache-Control: public, max-age=31536000, immutable``).
An old or unknown hash is a 404, never another file's content under a cached name.
The plain ``/static/<file>`` URLs still work, revalidated on every use.

Text responses (pages, CSS, JavaScript, SVG, Atom, JSON) are gzipped when the
browser accepts it; the assets are compressed once at start-up.
"""

import gzip
import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, url_for

ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/atom+xml",
    "application/xml",
    "image/svg+xml",
)
MIN_COMPRESS_BYTES = 500

blueprint = Blueprint("assets", __name__)


class Asset:
    def __init__(self, path):
        self.content = path.read_bytes()
        digest = hashlib.sha256(self.content).hexdigest()[:12]
        self.hashed_name = f"{path.stem}.{digest}{path.suffix}"
        self.mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.gzipped = gzip.compress(self.content, mtime=0) if compressible(self.mimetype) else None
        self.etag = digest


def compressible(mimetype):
    return (mimetype or "").startswith(COMPRESSIBLE)


def load_assets(static_folder):
    """``{plain name: Asset}`` for every file in the static folder (read once)."""
    return {
        path.name: Asset(path) for path in sorted(Path(static_folder).iterdir()) if path.is_file()
    }


def register(app):
    assets = load_assets(app.static_folder)
    app.extensions["assets"] = assets
    app.extensions["assets_by_hashed_name"] = {a.hashed_name: a for a in assets.values()}
    app.register_blueprint(blueprint)
    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(compress_response)


def asset_url(name):
    """The long-lived URL of static file ``name`` (``style.css`` -> ``/assets/style.<hash>.css``)."""
    return url_for("assets.hashed", name=current_app.extensions["assets"][name].hashed_name)


@blueprint.get("/assets/<name>")
def hashed(name):
    asset = current_app.extensions["assets_by_hashed_name"].get(name)
    if asset is None:
        abort(404)
    headers = {
        "Cache-Control": f"public, max-age={ONE_YEAR}, immutable",
        "ETag": f'"{asset.etag}"',
        "Vary": "Accept-Encoding",
    }
    if request.if_none_match.contains(asset.etag):
        return Response(status=304, headers=headers)
    if asset.gzipped is not None and accepts_gzip():
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, mimetype=asset.mimetype, headers=headers)
    return Response(asset.content, mimetype=asset.mimetype, headers=headers)


def accepts_gzip():
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def compress_response(response):
    """Gzip a text response the browser accepts gzip for (pages, feeds, plain /static files)."""
    generated_stream = response.is_streamed and not response.direct_passthrough
    if (
        request.method == "HEAD"
        or response.status_code in (204, 206, 304)
        or generated_stream
        or "Content-Encoding" in response.headers
        or not compressible(response.mimetype)
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip():
        return response
    response.direct_passthrough = False  # send_file's body is read here, once
    body = response.get_data()
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # byte ranges of the plain file, not of this body
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gzip", weak=weak)
    return response
