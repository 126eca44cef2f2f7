"""Builds the gateway's Flask app: blueprints, CORS, request ids, error mapping.

The app holds the process's one ``RpcClient`` (``app.extensions["rpc"]``);
views reach it through ``web.rpc_access.rpc()`` so every call carries the request
id. Tests pass a fake client as ``rpc``.
"""

from flask import Flask
from flask_cors import CORS

from common.config import load_config, public_url, section
from gateway import (
    access_log,
    articles,
    comments,
    error_responses,
    health,
    openapi,
    payload,
    profiles,
    tags,
    users,
)
from rpc_client.client import RpcClient
from rpc_client.read_cache import read_cache_for
from web.error_handlers import register_error_handlers
from web.proxies import require_https_when_public, trust_proxies
from web.security_headers import add_security_headers

BLUEPRINTS = (
    users.blueprint,
    profiles.blueprint,
    articles.blueprint,
    comments.blueprint,
    tags.blueprint,
    health.blueprint,
    openapi.blueprint,
)

CORS_ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"]


def create_app(config=None, rpc=None):
    """Return the gateway app; ``config`` defaults to ``config.yaml``, ``rpc`` to a new ``RpcClient``."""
    config = config if config is not None else load_config()
    settings = section(config, "GATEWAY")
    app = Flask(__name__, static_folder=None)
    # Every route also answers with a trailing slash (RealWorld clients post to
    # /api/articles/); matching it directly, since a redirect would drop a POST body
    # and fail the CORS preflight.
    app.url_map.strict_slashes = False
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.extensions["rpc"] = (
        rpc if rpc is not None else RpcClient(config, read_cache=read_cache_for(config))
    )
    app.extensions["health_rpc"] = _health_client(config, settings, rpc)
    app.config["HEALTH_DETAILS_TOKEN"] = str(settings["HEALTH_DETAILS_TOKEN"] or "").strip()
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    CORS(
        app,
        resources={r"/api/*": {"origins": _cors_origins(settings["CORS_ORIGINS"])}},
        allow_headers=CORS_ALLOWED_HEADERS,
        expose_headers=[access_log.REQUEST_ID_HEADER],
    )
    access_log.init_app(app)
    app.before_request(payload.refuse_long_request_lines)
    register_error_handlers(app, error_responses.ERROR_HANDLERS)
    add_security_headers(app, SECURITY_HEADERS, no_store_endpoints=TOKEN_ENDPOINTS)
    trust_proxies(app, config)
    require_https_when_public(app, public_url(config))
    return app


TOKEN_ENDPOINTS = {
    "users.register",
    "users.login",
    "users.get_current_user",
    "users.update_current_user",
}
"""Answers that carry a user's token: never kept by a cache."""

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}


def _health_client(config, settings, rpc):
    """/healthz must answer quickly even when a service is down, so it gets a shorter timeout."""
    if rpc is not None:
        return rpc
    return RpcClient(config, timeout=float(settings["HEALTH_TIMEOUT"]))


def _cors_origins(setting):
    """``*`` or a comma-separated list of origins."""
    origins = [origin.strip() for origin in str(setting).split(",") if origin.strip()]
    return "*" if origins in ([], ["*"]) else origins
