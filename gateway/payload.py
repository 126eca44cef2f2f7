"""Reading request input: the JSON body's wrapped object and paging parameters.

The gateway checks only the shape of what it receives (JSON, the wrapper
object, field presence and types) and translates camelCase names to the
services' snake_case; the services own every business rule (blank values,
formats, lengths, ranges).
"""

import json

from flask import request
from werkzeug.exceptions import BadRequest, RequestURITooLarge

from common.errors import ValidationError

MAX_REQUEST_LINE_BYTES = 4094
"""The longest request line (method, path, query) answered; gunicorn's default limit, which
the gateway's gunicorn raises to 8190 so that the refusal is the API's JSON 414, not its page."""

RPC_FIELD_NAMES = {"tagList": "tag_list", "currentPassword": "current_password"}
"""Request fields whose RPC argument name differs; the rest are the same word."""
API_FIELD_NAMES = {rpc_name: name for name, rpc_name in RPC_FIELD_NAMES.items()}
"""The same, from the services' names back to the API's (in error messages)."""


def _is_string(value):
    return isinstance(value, str)


def _is_string_or_null(value):
    return value is None or isinstance(value, str)


def _is_string_list(value):
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


FIELD_CHECKS = {
    "tagList": (_is_string_list, "must be a list of strings"),
    "bio": (_is_string_or_null, "must be a string or null"),
    "image": (_is_string_or_null, "must be a string or null"),
}
STRING_CHECK = (_is_string, "must be a string")


def read_object(wrapper, required=(), optional=()):
    """Return the fields of ``{wrapper: {...}}`` as RPC keyword arguments.

    Missing required fields, wrong types and (when nothing is required) an
    object without any known field are 422 errors; unknown fields are
    ignored, because RealWorld clients send back whole objects (a user with
    its token, for example).
    """
    document = _json_body()
    if not isinstance(document, dict) or not isinstance(document.get(wrapper), dict):
        raise ValidationError.single(wrapper, "must be a JSON object")
    received = document[wrapper]
    errors = {}
    for name in required:
        if name not in received:
            errors[name] = ["is required"]
    for name in (*required, *optional):
        if name in received and name not in errors:
            is_valid, message = FIELD_CHECKS.get(name, STRING_CHECK)
            if not is_valid(received[name]):
                errors[name] = [message]
    if errors:
        raise ValidationError(errors)
    fields = {
        RPC_FIELD_NAMES.get(name, name): received[name]
        for name in (*required, *optional)
        if name in received
    }
    if not fields:
        raise ValidationError.single(wrapper, f"needs at least one of {', '.join(optional)}")
    return fields


def _json_body():
    """The parsed body; an empty body counts as an empty document."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("request body is not valid JSON") from None
    except RecursionError:
        raise BadRequest("request body is nested too deeply") from None


def read_page():
    """``limit`` and ``offset`` from the query string as integers (ranges are the service's rule)."""
    page = {}
    for name in ("limit", "offset"):
        value = request.args.get(name)
        if value is None:
            continue
        try:
            page[name] = int(value)
        except ValueError:
            raise ValidationError.single(name, "must be an integer") from None
    return page


def refuse_long_request_lines():
    """A request line over ``MAX_REQUEST_LINE_BYTES`` is a 414 with the API's error body."""
    target = request.environ.get("RAW_URI") or request.full_path
    if len(request.method) + len(target.encode("latin-1", "replace")) + 10 > MAX_REQUEST_LINE_BYTES:
        raise RequestURITooLarge()
