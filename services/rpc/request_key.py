"""A key naming the RPC request a worker serves, the same on every delivery.

Delivery is at least once: a request whose worker (or the broker connection)
dies before the reply is acknowledged goes back to its queue and runs again,
possibly after the first run committed. The caller gives each request a
unique correlation id that travels in the message itself, so a redelivered
request carries the same one. ``rpc`` below records it for the worker, and
``RequestKey`` hands it to the service as ``"rpc:<correlation id>"``: the blog
service stores it with every article and comment a caller sent no
``Idempotency-Key`` for (unique per author in the schema), so a request that
runs twice writes once, with or without a client's key.
"""
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc

CONTEXT_KEY = "rpc_correlation_id"
PREFIX = "rpc:"


class KeyedRpc(Rpc):
    """nameko's ``rpc`` entrypoint that also passes the request's correlation id
    to the worker (``RequestKey`` takes it out again so nested calls do not carry it)."""

    def unpack_message_headers(self, message):
        data = super().unpack_message_headers(message)
        data[CONTEXT_KEY] = message.properties.get("correlation_id")
        return data


rpc = KeyedRpc.decorator


class RequestKey(DependencyProvider):
    """Injects the key of the request being served: ``rpc:<correlation id>``.

    A worker started otherwise (an event, a plain ``rpc`` entrypoint, a test)
    gets its own call id, unique to the worker: still the same for every
    storage call that worker makes, so a storage redelivery writes once."""

    def get_dependency(self, worker_ctx):
        correlation_id = worker_ctx.data.pop(CONTEXT_KEY, None)
        return PREFIX + (correlation_id or worker_ctx.call_id)
