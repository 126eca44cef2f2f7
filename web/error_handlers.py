"""How each web app turns errors into answers: one mapping per app, registered the same way.

The gateway maps errors to JSON (``gateway/error_responses.py``), the frontend to HTML
pages (``frontend/error_pages.py``); each module's ``ERROR_HANDLERS`` names, per error
class, the function that answers it. Flask picks the handler of the closest class, so
``Exception`` catches only what nothing more specific does.
"""

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

ErrorHandler = Callable[[Any], Any]
"""A Flask error handler: the error in, a response (or what a view may return) out."""


def register_error_handlers(app: Flask, handlers: Mapping[type[Exception], ErrorHandler]) -> None:
    """Answer each error class of ``handlers`` with its handler in ``app``."""
    for error_class, handler in handlers.items():
        app.register_error_handler(error_class, handler)
