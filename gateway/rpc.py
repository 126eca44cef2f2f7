"""How the gateway's views call services: ``rpc().blog.list_tags()``, the way the
frontend and scripts do, through the app's ``RpcClient``; every call carries the
current request id.

The request id travels in the RPC message headers (``context``), so a
service's log lines can be matched with the gateway's access log line.
"""
from flask import current_app, g


def rpc():
    """The app's client, its calls tagged with the request id."""
    return current_app.extensions["rpc"].with_context(_context())


def health_rpc():
    """Like ``rpc()`` but through the short-timeout client reserved for /healthz."""
    return current_app.extensions["health_rpc"].with_context(_context())


def _context():
    return {"request_id": g.request_id}
