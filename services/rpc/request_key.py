"""A key naming the RPC request a worker serves, the same on every delivery.

Delivery is at least once: a request whose worker (or the broker connection)
dies before the reply is acknowledged goes back to its queue and runs again,
possibly after the first run committed. The caller gives each request a
unique correlation id that travels in the message itself, so a redelivered
request carries the same one. The project's ``rpc`` entrypoint
(``services.rpc.entrypoint``) records it for the worker, and ``RequestKey``
hands it to the service as ``"rpc:<correlation id>"``: the blog service stores
it with every article and comment a caller sent no ``Idempotency-Key`` for
(unique per author in the schema), so a request that runs twice writes once,
with or without a client's key.
"""

from nameko.extensions import DependencyProvider

from services.rpc.entrypoint import CORRELATION_ID_KEY

PREFIX = "rpc:"


class RequestKey(DependencyProvider):
    """Injects the key of the request being served: ``rpc:<correlation id>``.

    A worker started otherwise (an event, a test) gets its own call id, unique to
    the worker: still the same for every storage call that worker makes, so a
    storage redelivery writes once. The id is taken out of the worker's context
    so that nested calls do not carry it."""

    def get_dependency(self, worker_ctx):
        correlation_id = worker_ctx.data.pop(CORRELATION_ID_KEY, None)
        return PREFIX + (correlation_id or worker_ctx.call_id)
