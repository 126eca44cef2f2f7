"""The one place where errors become HTTP statuses and friendly pages.

Service errors (``common.errors``) carry their status; ``status_for`` reads it;
form views use the same function when they show a rejected form again.
Anything unexpected becomes a 500 page carrying an id that is also logged
with the traceback, so a user can report it without seeing internals.
"""

import logging
import uuid

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from common.errors import (
    ConduitError,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    Unauthenticated,
    ValidationError,
)
from frontend.context import current_user, forget_unknown_user, sign_out

log = logging.getLogger(__name__)

FORM_REJECTED = 422

PAGE_TEXT = {
    400: ("Bad request", "The page could not understand that request."),
    401: ("Please sign in", "Your session has ended. Sign in again to continue."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Page not found", "There is nothing here. It may have been moved or deleted."),
    405: ("Not allowed", "That page cannot be used this way."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    422: ("Could not save", "Some of what you sent was not accepted."),
    429: ("Too many attempts", "Please wait a few minutes and try again."),
    500: ("Something went wrong", "An unexpected error happened on our side."),
    503: (
        "We will be right back",
        "Part of the site is not answering right now. Please try again in a moment.",
    ),
}


def status_for(error, in_form=False):
    """HTTP status of a service error; a rejected form is always 422."""
    if in_form and isinstance(error, ValidationError):
        return FORM_REJECTED
    return getattr(error, "http_status", 500)


def service_error_page(error):
    if isinstance(error, Unauthenticated):
        sign_out()
    if isinstance(error, ServiceUnavailable):
        log.warning("service unavailable: %s", error)
    return error_page(status_for(error), detail=_detail_for(error))


def expired_form_page(error):
    return error_page(
        400,
        title="This form has expired",
        detail="Go back, reload the page and send it again.",
    )


def http_error_page(error):
    return error_page(error.code or 500)


def unexpected_error_page(error):
    error_id = uuid.uuid4().hex[:12]
    log.exception("unexpected error %s", error_id)
    return error_page(500, error_id=error_id)


ERROR_HANDLERS = {
    ConduitError: service_error_page,
    CSRFError: expired_form_page,
    HTTPException: http_error_page,
    Exception: unexpected_error_page,
}
"""What answers each error (``web.error_handlers.register_error_handlers``)."""


def error_page(status, title=None, detail=None, error_id=None):
    """Render the friendly page; it must never depend on a service answering."""
    default_title, default_detail = PAGE_TEXT.get(status, PAGE_TEXT[500])
    _resolve_user_safely()
    page = render_template(
        "errors/error.html",
        status=status,
        title=title or default_title,
        detail=detail or default_detail,
        error_id=error_id,
    )
    return page, status


def _detail_for(error):
    """Messages of not-found and permission errors are written for users; others are not."""
    if isinstance(error, (NotFound, PermissionDenied)):
        return error.message
    return None


def _resolve_user_safely():
    try:
        current_user()
    except ConduitError:
        forget_unknown_user()
