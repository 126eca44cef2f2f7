"""The client address behind reverse proxies, for the gateway and the frontend."""
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app, config):
    """Behind ``PROXY_HOPS`` reverse proxies (nginx, a load balancer), the client address
    (what rate limits count per) and scheme are the ``PROXY_HOPS``-th entries from the right
    of X-Forwarded-For and -Proto: the ones those proxies appended, never what a client
    wrote in front. With 0 (the default) the headers are ignored."""
    hops = int(config.get("PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
