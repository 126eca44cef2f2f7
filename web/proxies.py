"""The client address behind reverse proxies, for the gateway and the frontend."""
from werkzeug.middleware.proxy_fix import ProxyFix

from common.config import setting


def trust_proxies(app, config):
    """Behind ``PROXY_HOPS`` reverse proxies (nginx, a load balancer), the client address
    (what rate limits count per) is taken from X-Forwarded-For, as set by those proxies
    only; with 0 (the default) the header is ignored, so clients cannot forge it."""
    hops = int(setting(config, "PROXY_HOPS"))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
