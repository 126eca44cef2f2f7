"""The headers each web app adds to every answer, errors included.

Each app names its own headers (the frontend's content security policy, the gateway's
nosniff) and the endpoints whose answers no cache may keep because they carry a token
or a form of credentials.
"""

from collections.abc import Iterable, Mapping

from flask import Flask, Response, request


def add_security_headers(
    app: Flask, headers: Mapping[str, str], no_store_endpoints: Iterable[str] = ()
) -> None:
    """Add ``headers`` to every answer of ``app`` that does not set them itself, and
    ``Cache-Control: no-store`` to the answers of ``no_store_endpoints``."""
    no_store = frozenset(no_store_endpoints)

    def add(response: Response) -> Response:
        if request.endpoint in no_store:
            response.headers["Cache-Control"] = "no-store"
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.after_request(add)
