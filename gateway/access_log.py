"""Request ids and the structured access log: one JSON line per request.

The request id comes from the client's ``X-Request-Id`` header when it looks
sane, otherwise it is generated; it is echoed in the response and passed into
every RPC call (see ``web.rpc_access``).
"""

import json
import logging
import re
import time
import uuid

from flask import g, request

REQUEST_ID_HEADER = "X-Request-Id"
ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

log = logging.getLogger("gateway.access")


def init_app(app):
    _ensure_json_lines_handler()
    app.before_request(_start_request)
    app.after_request(_finish_request)


def _ensure_json_lines_handler():
    """Access lines are JSON already: print them bare, not inside the plain text log format."""
    if log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _start_request():
    g.started_at = time.perf_counter()
    g.request_id = _request_id_from_client() or uuid.uuid4().hex


def _request_id_from_client():
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    return candidate if ACCEPTABLE_REQUEST_ID.match(candidate) else None


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = g.request_id
    duration_ms = (time.perf_counter() - g.started_at) * 1000
    log.info(
        json.dumps(
            {
                "event": "http_request",
                "request_id": g.request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration_ms, 2),
                "remote_addr": request.remote_addr,
            }
        )
    )
    return response
