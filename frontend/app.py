"""Builds the frontend Flask application.

``create_app(config=None, rpc=None)`` reads ``config.yaml`` when no config is
given and opens one pooled ``RpcClient`` for the whole process when no RPC
client is given; tests pass an in-memory fake instead.
"""
from datetime import timedelta

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from frontend.body_limit import ChunkedBodyLimit
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
    static_assets,
    template_filters,
)
from common.config import load_config, section, session_lifetime_seconds
from web.proxies import trust_proxies
from rpc_client.client import RpcClient
from rpc_client.read_cache import read_cache_for
from common.secret_keys import derived_key

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
        # Avatars and Markdown images are links to any https site (docs/SECURITY.md);
        # plain-http and data: images are not loaded.
        "img-src 'self' https:",
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
    frontend_config = section(config, "FRONTEND")
    app = Flask(__name__)
    app.config.update(flask_settings(config, frontend_config))
    app.extensions["rpc"] = (
        rpc if rpc is not None else RpcClient(config, read_cache=read_cache_for(config))
    )

    CSRFProtect(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    error_pages.register(app)
    template_filters.register(app)
    context.register_template_globals(app)
    static_assets.register(app)
    app.after_request(add_security_headers)
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
    trust_proxies(app, config)
    return app


NO_STORE_ENDPOINTS = {"auth.login", "auth.register", "settings.edit"}
"""Pages with personal data or credentials in their forms: never kept by a cache."""


def public_url(config, frontend_config):
    """Where browsers reach the site (``FRONTEND.PUBLIC_URL``), without a trailing slash:
    absolute links (Atom feeds) use it, never the request's Host header."""
    configured = frontend_config["PUBLIC_URL"].strip().rstrip("/")
    if configured:
        return configured
    return f"http://{frontend_config['HOST']}:{frontend_config['PORT']}"


def flask_settings(config, frontend_config):
    """Translate the project's config into Flask settings (cookies, CSRF, paging)."""
    site_url = public_url(config, frontend_config)
    return {
        "PUBLIC_URL": site_url,
        # Bodies over the limit are refused with 413 before anything reads them,
        # chunked ones too (Werkzeug stops reading at the limit).
        "MAX_CONTENT_LENGTH": frontend_config["MAX_BODY_BYTES"],
        # Separate keys, derived from the one secret: a session cookie and a CSRF token
        # are never signed with the key of the users' tokens (or of each other).
        "SECRET_KEY": derived_key(config, "sessions"),
        "WTF_CSRF_SECRET_KEY": derived_key(config, "csrf"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": frontend_config["COOKIE_SECURE"]
        or site_url.startswith("https://"),
        # The cookie lives as long as the server-side session: renewed on every request.
        "PERMANENT_SESSION_LIFETIME": timedelta(seconds=session_lifetime_seconds(config)),
        "WTF_CSRF_TIME_LIMIT": None,
        "PAGE_SIZE": frontend_config["PAGE_SIZE"],
        "SITE_NAME": frontend_config["SITE_NAME"],
    }


def add_security_headers(response):
    """Defence in depth: even if sanitising missed something, inline script cannot run."""
    if request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
