"""The client address behind reverse proxies, for the gateway and the frontend."""
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask, config: Mapping[str, Any]) -> None:
    """Behind ``PROXY_HOPS`` reverse proxies (nginx, a load balancer), the client address
    (what rate limits count per) is taken from X-Forwarded-For, as set by those proxies
    only; with 0 (the default) the header is ignored, so clients cannot forge it."""
    hops = int(config.get("PROXY_HOPS") or 0)
    if hops > 0:
        # Wrapping the WSGI callable is Flask's documented way to add a middleware.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops
        )
