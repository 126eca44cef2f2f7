"""X-Forwarded-* headers, honoured only from the reverse proxy.

Behind the proxy (deploy/proxy), every request the gateway and the frontend
see comes from the proxy's address; the client's address, scheme and host
arrive in ``X-Forwarded-For``, ``-Proto`` and ``-Host``. Anyone can send those
headers, so they are applied only when the peer is one of ``TRUSTED_PROXIES``
(comma-separated addresses, networks such as ``10.0.0.0/8``, or host names,
which are looked up again every few seconds: ``proxy`` in compose,
``tasks.proxy`` on a swarm). From any other peer they are removed before the
app sees them. Empty (the default outside containers): no peer is trusted.
"""
import ipaddress
import os
import socket
import time

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")
LOOKUP_SECONDS = 5.0


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from a trusted proxy, stripped headers otherwise."""

    def __init__(self, app, trusted, resolve=socket.getaddrinfo, clock=time.monotonic):
        self.app = app
        self.trusted_app = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1)
        self.networks, self.names = parse_trusted(trusted)
        self.resolve = resolve
        self.clock = clock
        self.resolved = set()
        self.resolved_at = None

    @classmethod
    def from_env(cls, app, environ=os.environ):
        return cls(app, environ.get("TRUSTED_PROXIES", ""))

    def __call__(self, environ, start_response):
        if self.is_trusted(environ.get("REMOTE_ADDR", "")):
            return self.trusted_app(environ, start_response)
        for header in FORWARDED_HEADERS:
            environ.pop(header, None)
        return self.app(environ, start_response)

    def is_trusted(self, remote_addr):
        try:
            address = ipaddress.ip_address(remote_addr)
        except ValueError:
            return False
        if any(address in network for network in self.networks):
            return True
        return bool(self.names) and address in self.name_addresses()

    def name_addresses(self):
        now = self.clock()
        if self.resolved_at is None or now - self.resolved_at >= LOOKUP_SECONDS:
            addresses = set()
            for name in self.names:
                try:
                    for info in self.resolve(name, None):
                        addresses.add(ipaddress.ip_address(info[4][0]))
                except OSError:
                    continue  # not resolvable now (the proxy restarting): trust nobody by name
            self.resolved, self.resolved_at = addresses, now
        return self.resolved


def parse_trusted(trusted):
    """``(networks, names)`` from a comma-separated list."""
    networks, names = [], []
    for item in (part.strip() for part in trusted.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.append(item)
    return networks, names
