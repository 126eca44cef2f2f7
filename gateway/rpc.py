"""The view side of the app's ``RpcClient``: every call carries the current request id.

The request id travels in the RPC message headers (``context``), so a
service's log lines can be matched with the gateway's access log line.
"""
from flask import current_app, g


def call(service_name, method_name, **kwargs):
    """Call ``service_name.method_name`` through the app's client, tagged with the request id."""
    return _call(current_app.extensions["rpc"], service_name, method_name, kwargs)


def call_for_health(service_name, method_name, **kwargs):
    """Like ``call`` but through the short-timeout client reserved for /healthz."""
    return _call(current_app.extensions["health_rpc"], service_name, method_name, kwargs)


def _call(client, service_name, method_name, kwargs):
    context = {"request_id": g.request_id}
    return client.call(service_name, method_name, context=context, **kwargs)
