"""What a service does with a message it cannot handle: log it and drop it, never die.

nameko 2.14 answers an RPC request by publishing to its ``reply_to`` in the
content type it came in. A request without ``reply_to`` raises ``KeyError``
when its answer is sent, and so does one without a content type (kombu hands
its body over undecoded, nameko fails on it and then on answering): in the
worker, or in the consuming thread for an unknown method, where either stops
the service container. The request was never acknowledged, so the broker gives
it to the next instance, which dies on it too, until someone purges the queue.
kombu itself logs and acknowledges a body it cannot decode (not JSON, not
UTF-8, a content type not accepted), but only after reading a body of any
size, and leaves no way to dead-letter it.

The consumer below screens each message before anything decodes it, and the
project's ``rpc`` entrypoint (``services.rpc.transport``) refuses requests
without a reply address before they run. A refused message is logged (the
exchange, routing key, correlation id, content type, size, reason; never the body) and
rejected without requeue. The broker then drops it, or dead-letters it if an
operator set a dead-letter policy on the queue (``rabbitmqctl set_policy``):
the services declare no dead-letter exchange themselves, because a request is
worth something only while its caller waits (it expires after
``RPC_TIMEOUT``), adding the argument to the existing durable queues would
make RabbitMQ refuse their declaration (``PRECONDITION_FAILED``) until they
were deleted, and a dead-letter queue nobody reads only fills up.

A request that decodes and has a reply address but names no method, lacks
``args``/``kwargs`` or does not fit the method's signature is answered by
nameko itself with ``MethodNotFound``, ``MalformedRequest`` or
``IncorrectSignature`` and acknowledged: its caller waits and learns why.
"""

import logging
from functools import partial

from nameko.events import EventHandler
from nameko.messaging import QueueConsumer

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 4 * 1024 * 1024
"""Largest message body a service decodes. The largest request a client sends
is an article: a body of at most 100 000 characters (``services.articles.rules``),
at most 600 kB as JSON even if every character is escaped, and the web tier
refuses HTTP bodies over 1 MiB (gateway) and 2 MiB (frontend)."""


def refuse(message, reason):
    """Reject ``message`` without requeue, then log it (without its body)."""
    if message.channel.connection:
        message.reject(requeue=False)
    properties, delivery = message.properties, message.delivery_info
    log.warning(
        "refused a message (exchange %r, routing key %r, correlation id %r, content type %r, "
        "%d bytes): %s; dropped",
        delivery.get("exchange"),
        delivery.get("routing_key"),
        properties.get("correlation_id"),
        message.content_type,
        len(message.body or b""),
        reason,
    )


def screen(consumer, message):
    """Why ``message`` cannot be decoded for ``consumer``, or None if it can."""
    if len(message.body or b"") > MAX_MESSAGE_BYTES:
        return f"body over {MAX_MESSAGE_BYTES} bytes"
    if consumer.accept is not None and message.content_type not in consumer.accept:
        return f"content type {message.content_type!r} is not accepted"
    return None


class GuardedQueueConsumer(QueueConsumer):
    """nameko's ``QueueConsumer`` that refuses oversized and undecodable messages.

    A shared extension of its own type: a service's RPC queue and event queues share
    one connection through it, and its reply queue keeps nameko's own consumer."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for consumer in consumers:
            consumer.on_message = partial(self.receive, consumer)
        return consumers

    @staticmethod
    def receive(consumer, message):
        reason = screen(consumer, message)
        if reason is None:
            try:
                body = message.decode()
            except Exception as exc:
                reason = f"undecodable body ({exc})"
        if reason is not None:
            refuse(message, reason)
            return
        consumer.receive(body, message)


class GuardedEventHandler(EventHandler):
    """nameko's event handler on the guarded consumer."""

    queue_consumer = GuardedQueueConsumer()


event_handler = GuardedEventHandler.decorator
