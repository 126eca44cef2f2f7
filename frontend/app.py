"""Builds the frontend Flask application.

``create_app(config=None, rpc=None)`` reads ``config.yaml`` when no config is
given and opens one pooled ``RpcClient`` for the whole process when no RPC
client is given; tests pass an in-memory fake instead.
"""
from datetime import timedelta

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from frontend import (
    articles,
    auth,
    context,
    editor,
    error_pages,
    feeds,
    home,
    profiles,
    settings,
    static_versions,
    template_filters,
)
from services.config import load_config
from services.rpc_client import RpcClient

BLUEPRINTS = (
    home.blueprint,
    auth.blueprint,
    editor.blueprint,
    articles.blueprint,
    profiles.blueprint,
    settings.blueprint,
    feeds.blueprint,
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' https: http: data:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def create_app(config=None, rpc=None):
    """Return the frontend app; ``config`` is the whole parsed ``config.yaml``."""
    config = config if config is not None else load_config()
    frontend_config = config.get("FRONTEND") or {}
    app = Flask(__name__)
    app.config.update(flask_settings(config, frontend_config))
    app.extensions["rpc"] = rpc if rpc is not None else RpcClient(config)

    CSRFProtect(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    error_pages.register(app)
    template_filters.register(app)
    context.register_template_globals(app)
    static_versions.register(app)
    app.after_request(add_security_headers)
    return app


def flask_settings(config, frontend_config):
    """Translate the project's config into Flask settings (cookies, CSRF, paging)."""
    return {
        "SECRET_KEY": config["SECRET_KEY"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": bool(frontend_config.get("COOKIE_SECURE", False)),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            seconds=int(config.get("TOKEN_TTL_SECONDS", 14 * 24 * 3600))
        ),
        "WTF_CSRF_TIME_LIMIT": None,
        "PAGE_SIZE": int(frontend_config.get("PAGE_SIZE", 10)),
        "SITE_NAME": frontend_config.get("SITE_NAME", "conduit"),
    }


def add_security_headers(response):
    """Defence in depth: even if sanitising missed something, inline script cannot run."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
