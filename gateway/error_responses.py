"""The one place where errors become HTTP responses.

Every error body has the RealWorld shape ``{"errors": {"body": [...]}}``.
Service errors carry their status (``http_status``); HTTP errors raised by Flask itself (unknown
path, wrong method, oversize or unparsable body) keep their status and
headers (``Allow`` on 405) with a JSON body; anything else is a 500 whose
id is logged with the traceback and shown to the client instead of it.
"""

import logging
import uuid

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from common.errors import ConduitError, TooManyRequests, Unauthenticated, ValidationError
from gateway.payload import API_FIELD_NAMES, MAX_REQUEST_LINE_BYTES

log = logging.getLogger(__name__)

HTTP_ERROR_MESSAGES = {
    404: "no such resource: {method} {path}",
    405: "method {method} is not allowed on {path}",
    413: "request body is larger than {limit} bytes",
    414: "request line is longer than {line_limit} bytes",
}


def error_body(*messages):
    return {"errors": {"body": list(messages)}}


def _service_error(error):
    """A service error with the status its class names (``common.errors``)."""
    response = jsonify(error_body(*_messages(error)))
    if isinstance(error, Unauthenticated):
        response.headers["WWW-Authenticate"] = "Token"
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response, error.http_status


def _messages(error):
    """A ValidationError carries messages per field: "username has already been taken",
    each field named as the API names it."""
    if isinstance(error, ValidationError):
        return [
            f"{API_FIELD_NAMES.get(field, field)} {message}"
            for field, messages in error.errors.items()
            for message in messages
        ]
    return [error.message]


def _http_error(error):
    response = error.get_response()
    response.data = jsonify(error_body(_http_error_message(error))).get_data()
    response.content_type = "application/json"
    return response


def _http_error_message(error):
    template = HTTP_ERROR_MESSAGES.get(error.code)
    if template is None:
        return error.description
    return template.format(
        method=request.method,
        path=request.path,
        limit=request.max_content_length,
        line_limit=MAX_REQUEST_LINE_BYTES,
    )


def _unexpected_error(error):
    error_id = uuid.uuid4().hex[:12]
    log.exception(
        "unexpected error %s in request %s %s %s",
        error_id,
        g.get("request_id"),
        request.method,
        request.path,
    )
    return jsonify(error_body(f"internal error, reference {error_id}")), 500


ERROR_HANDLERS = {
    ConduitError: _service_error,
    HTTPException: _http_error,
    Exception: _unexpected_error,
}
"""What answers each error (``web.error_handlers.register_error_handlers``)."""
