"""How the gateway's views call services: ``rpc().blog.list_tags()``, the way the
frontend and scripts do, through the app's ``RpcClient``; every call carries the
current request id.

The request id travels in the RPC message headers (``context``), so a
service's log lines can be matched with the gateway's access log line, and
every call of one request shares one deadline, ``RPC_TIMEOUT`` after its first.
"""
import time

from flask import current_app, g


def rpc():
    """The app's client, its calls tagged with the request id and sharing the request's
    deadline."""
    client = current_app.extensions["rpc"]
    return client.with_context(_context(), deadline=_request_deadline(client))


def health_rpc():
    """Like ``rpc()`` but through the short-timeout client reserved for /healthz; each probe
    has its own timeout, so one service that does not answer cannot starve the others."""
    return current_app.extensions["health_rpc"].with_context(_context())


def _context():
    return {"request_id": g.request_id}


def _request_deadline(client):
    """All the calls of one request share one ``RPC_TIMEOUT``: the token check and the
    work together, so no request waits past it (one call each could double it)."""
    if "rpc_deadline" not in g:
        g.rpc_deadline = time.monotonic() + client.timeout
    return g.rpc_deadline
