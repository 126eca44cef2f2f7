"""The request body limit, for chunked bodies too.

Flask refuses a body whose ``Content-Length`` is over ``MAX_CONTENT_LENGTH``
with a 413. A chunked body has no length: Werkzeug then reads at most the
limit and silently drops the rest, so the form arrives cut (and the page
answered "form expired"). This middleware reads a chunked body up to one byte
past the limit and hands it on with its length, so Flask answers 413 with the
site's page; memory stays bounded by the limit either way.
"""

from io import BytesIO


class ChunkedBodyLimit:
    def __init__(self, wsgi_app, limit):
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ, start_response):
        if (
            self.limit is not None
            and environ.get("wsgi.input_terminated")
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            body = read_at_most(environ["wsgi.input"], self.limit + 1)
            environ["wsgi.input"] = BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            # No longer chunked: Werkzeug ignores the length of a chunked request.
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.wsgi_app(environ, start_response)


def read_at_most(stream, size):
    """Up to ``size`` bytes: a server's body stream may answer a read with less (one chunk)."""
    parts, remaining = [], size
    while remaining > 0:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
