"""How RPC messages travel: transient, and confirmed only where a confirm tells something.

nameko publishes every RPC request and reply as a persistent message with a
publisher confirm. An RPC request is only worth anything while its caller waits
(it expires from the queue after ``RPC_TIMEOUT``), and a reply only while its
caller's reply queue exists, so writing either to disk buys nothing: if the
broker restarts, the caller gets ``ServiceUnavailable`` (503) either way, and a
write it may retry is protected by its idempotency key. Requests and replies
are therefore transient (delivery mode 1), which spares the broker a disk write
per message.

Requests keep their confirm: with the ``mandatory`` flag it is how a caller
learns at once that a service has never started (nameko's ``UnknownService``,
503 at once instead of after the timeout), and waiting for it is how a
publisher notices that the broker closed its pooled connection (a restart) and
publishes again on a new one. So every request waits for its confirm, not only
the first of its route: a publisher that never waits reads nothing from its
connection, misses that the broker closed it, and loses its next request, whose
caller then waits out the timeout. Replies are published without a confirm:
a lost reply is the caller's timeout, the same outcome the confirm would give,
and waiting for it held the service's worker for a broker round trip.

Events are not touched: they keep nameko's persistent, confirmed delivery,
because a ``user_deleted`` event must survive a broker restart.
"""

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, RpcConsumer, get_rpc_exchange

from services.rpc.guard import GuardedQueueConsumer, refuse


class ReplyPublisher(Publisher):
    use_confirms = False
    delivery_mode = NON_PERSISTENT


class TransientResponder(Responder):
    publisher_cls = ReplyPublisher


class TransientReplyRpcConsumer(RpcConsumer):
    """nameko's ``RpcConsumer`` with transient, unconfirmed replies, refusing what it
    cannot answer (``services.rpc.guard``)."""

    queue_consumer = GuardedQueueConsumer()

    def handle_message(self, body, message):
        if not message.properties.get("reply_to"):
            refuse(message, "no reply_to, so no caller can be answered")
            return
        super().handle_message(body, message)

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = TransientResponder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info
