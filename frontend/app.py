"""Builds the frontend Flask application.

``create_app(config=None, rpc=None)`` reads ``config.yaml`` when no config is
given and opens one pooled ``RpcClient`` for the whole process when no RPC
client is given; tests pass an in-memory fake instead.
"""

from datetime import timedelta

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from common.config import load_config, public_url, section, session_lifetime_seconds
from common.secret_keys import derived_key
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
from frontend.body_limit import ChunkedBodyLimit
from rpc_client.client import RpcClient
from rpc_client.read_cache import read_cache_for
from web.error_handlers import register_error_handlers
from web.proxies import require_https_when_public, trust_proxies
from web.security_headers import add_security_headers

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
    register_error_handlers(app, error_pages.ERROR_HANDLERS)
    template_filters.register(app)
    context.register_template_globals(app)
    static_assets.register(app)
    # Defence in depth: even if sanitising missed something, inline script cannot run.
    add_security_headers(app, SECURITY_HEADERS, no_store_endpoints=NO_STORE_ENDPOINTS)
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
    trust_proxies(app, config)
    require_https_when_public(app, app.config["PUBLIC_URL"])
    return app


NO_STORE_ENDPOINTS = {"auth.login", "auth.register", "settings.edit"}
"""Pages with personal data or credentials in their forms: never kept by a cache."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def flask_settings(config, frontend_config):
    """Translate the project's config into Flask settings (cookies, CSRF, paging)."""
    site_url = public_url(config)
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
