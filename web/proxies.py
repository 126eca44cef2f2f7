"""Behind reverse proxies and TLS, for the gateway and the frontend: the client address,
and HSTS when the site is served over https."""

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from common.config import setting

STRICT_TRANSPORT_SECURITY = "max-age=31536000"
"""One year of https only for this host, as browsers remember it after one https answer."""


def trust_proxies(app: Flask, config: Mapping[str, Any]) -> None:
    """Behind ``PROXY_HOPS`` reverse proxies (nginx, a load balancer), the client address
    (what rate limits count per) and scheme are the ``PROXY_HOPS``-th entries from the right
    of X-Forwarded-For and -Proto: the ones those proxies appended, never what a client
    wrote in front. With 0 (the default) the headers are ignored."""
    hops = int(setting(config, "PROXY_HOPS"))
    if hops > 0:
        # Wrapping the WSGI callable is Flask's documented way to add a middleware.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops
        )


def require_https_when_public(app: Flask, site_url: str) -> None:
    """When the site's public URL is https, every answer of ``app`` (pages, API answers,
    static files, error pages) carries ``Strict-Transport-Security``: a browser that saw
    it once never again sends a request, or a cookie, over plain http to this host."""
    if not site_url.startswith("https://"):
        return

    def add_hsts(response: Response) -> Response:
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        return response

    app.after_request(add_hsts)
