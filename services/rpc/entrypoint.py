"""The ``rpc`` entrypoint every service uses: nameko's, with four changes.

* It expects the project's errors (``common.errors.EXPECTED``) unless told otherwise
  (``@rpc(expected_exceptions=...)``): they are answers to the caller, not failures of
  the service.

* Replies are transient and unconfirmed (``services.rpc.transport``).
* The worker learns the correlation id of the request it serves (the same on
  every delivery of that request), for ``services.rpc.request_key``.
* A reply that cannot be sent because the broker connection is gone (RabbitMQ
  restarting) is logged instead of raised. nameko 2.14 lets that error escape
  the worker's thread, which kills the whole service container: every service
  with a request in flight when the broker went away exited. The request
  itself was never acknowledged, so the broker delivers it again if it still
  holds it (writes are keyed, so it applies once); a broker that restarted has
  dropped it (requests are transient) and its caller got a 503.
"""

import logging

from nameko.rpc import Rpc as NamekoRpc

from common.broker import BROKEN_CONNECTION_ERRORS
from common.errors import EXPECTED
from services.rpc.transport import TransientReplyRpcConsumer

log = logging.getLogger(__name__)

CORRELATION_ID_KEY = "rpc_correlation_id"


class Rpc(NamekoRpc):
    rpc_consumer = TransientReplyRpcConsumer()

    def __init__(self, expected_exceptions=EXPECTED, **kwargs):
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def unpack_message_headers(self, message):
        data = super().unpack_message_headers(message)
        data[CORRELATION_ID_KEY] = message.properties.get("correlation_id")
        return data

    def handle_result(self, message, worker_ctx, result, exc_info):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except BROKEN_CONNECTION_ERRORS as exc:
            log.warning(
                "reply of %s not sent, the broker connection is lost (%r); the request "
                "stays unacknowledged and is delivered again",
                worker_ctx.call_id,
                exc,
            )
            return result, exc_info


rpc = Rpc.decorator
