"""How a web app's views call services: ``rpc().blog.list_tags()``, through the app's one
``RpcClient`` (``app.extensions["rpc"]``, or the fake a test passed to ``create_app``).

Every call of a request carries the request id in the RPC message headers
(``context``), so a service's log lines can be matched with the request, and the
calls of one request share one deadline, ``RPC_TIMEOUT`` after the first: no request
waits past it, however many calls it makes.
"""

import time
import uuid
from typing import Any

from flask import current_app, g


def rpc() -> Any:
    """The app's client, its calls tagged with the request id and sharing the request's
    deadline (``RpcClient.with_context``)."""
    client = current_app.extensions["rpc"]
    return client.with_context(request_context(), deadline=_request_deadline(client))


def request_context() -> dict[str, str]:
    """What every RPC call of this request carries in its headers."""
    return {"request_id": request_id()}


def request_id() -> str:
    """This request's id: the one the app gave it (the gateway's access log takes the
    client's ``X-Request-Id``), else one made on first use."""
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex
    return g.request_id


def _request_deadline(client: Any) -> float:
    if "rpc_deadline" not in g:
        g.rpc_deadline = time.monotonic() + client.timeout
    return g.rpc_deadline
