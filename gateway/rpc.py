"""The view side of the app's ``RpcClient``: every call carries the current request id.

The request id travels in the RPC message headers (``context``), so a
service's log lines can be matched with the gateway's access log line, and
every call of one request shares one deadline, ``RPC_TIMEOUT`` after its first.
"""
import time

from flask import current_app, g


def call(service_name, method_name, **kwargs):
    """Call ``service_name.method_name`` through the app's client, tagged with the request id,
    within what is left of the request's deadline."""
    client = current_app.extensions["rpc"]
    return client.call(service_name, method_name, context=_context(),
                       deadline=_request_deadline(client), **kwargs)


def call_for_health(service_name, method_name, **kwargs):
    """Like ``call`` but through the short-timeout client reserved for /healthz; each probe
    has its own timeout, so one service that does not answer cannot starve the others."""
    client = current_app.extensions["health_rpc"]
    return client.call(service_name, method_name, context=_context(), **kwargs)


def _context():
    return {"request_id": g.request_id}


def _request_deadline(client):
    """All the calls of one request share one ``RPC_TIMEOUT``: the token check and the
    work together, so no request waits past it (one call each could double it)."""
    if "rpc_deadline" not in g:
        g.rpc_deadline = time.monotonic() + client.timeout
    return g.rpc_deadline
