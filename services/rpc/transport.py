"""How RPC messages travel: transient, and confirmed only where a confirm tells something.

nameko publishes every RPC request and reply as a persistent message with a
publisher confirm. An RPC request is only worth anything while its caller waits
(it expires from the queue after ``RPC_TIMEOUT``), and a reply only while its
caller's reply queue exists, so writing either to disk buys nothing: if the
broker restarts, the caller gets ``ServiceUnavailable`` (503) either way, and a
write it may retry is protected by its idempotency key. Requests and replies
are therefore transient (delivery mode 1), which spares the broker a disk write
per message.

A request is confirmed only until its routing key (``service.method``) is known
to be deliverable. The confirm is how a caller learns at once that a service has
never started on this broker (with the ``mandatory`` flag: no queue, nameko's
``UnknownService``, 503 at once instead of after the timeout), and that the
broker refuses the caller's account that method (topic permissions,
``services.rpc.broker_accounts``: ACCESS_REFUSED). RPC queues are durable and
outlive their consumers, and permissions are set before the processes start,
so once one request with a routing key has been confirmed, later ones will be
delivered too: confirming each of them cost the broker a frame and the caller a
round trip per call (about a quarter of a relay service's CPU). A queue deleted
by hand after that loses the requests sent to it: their callers get the
timeout's 503.

Replies are published without a confirm: a lost reply is the caller's
timeout, the same outcome the confirm would give, and waiting for it held the
service's worker for a broker round trip.

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
from nameko.rpc import MethodProxy, Responder, RpcConsumer, ServiceProxy, get_rpc_exchange

DELIVERABLE_ROUTES = set()
"""``(amqp_uri, routing key)`` pairs of requests the broker has confirmed in this process."""


class RequestPublisher(Publisher):
    """Publishes RPC requests: transient, confirmed until their route is known deliverable."""

    delivery_mode = NON_PERSISTENT

    def publish(self, payload, **kwargs):
        route = (self.amqp_uri, kwargs["routing_key"])
        known = route in DELIVERABLE_ROUTES
        if known:
            kwargs.update(use_confirms=False, mandatory=False)
        super().publish(payload, **kwargs)
        if not known:
            DELIVERABLE_ROUTES.add(route)


class RequestMethodProxy(MethodProxy):
    publisher_cls = RequestPublisher


class RequestServiceProxy(ServiceProxy):
    """nameko's ``ServiceProxy`` whose requests go through ``RequestPublisher``."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return RequestMethodProxy(
            self.worker_ctx, self.service_name, name, self.reply_listener, **self.options
        )


class ReplyPublisher(Publisher):
    use_confirms = False
    delivery_mode = NON_PERSISTENT


class TransientResponder(Responder):
    publisher_cls = ReplyPublisher


class TransientReplyRpcConsumer(RpcConsumer):
    """nameko's ``RpcConsumer`` with transient, unconfirmed replies."""

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
