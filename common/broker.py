"""What both sides of RPC agree on about the broker: how a request is published, and which
errors mean the broker connection is gone."""

import socket

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.constants import NON_PERSISTENT

REQUEST_OPTIONS = {"delivery_mode": NON_PERSISTENT}
"""Publisher options of every RPC request (standalone clients and service proxies): transient,
see ``services/rpc/transport.py``."""

BROKEN_CONNECTION_ERRORS = (
    OSError,
    socket.error,
    ConnectionError,
    AmqpConnectionError,
    OperationalError,
)
"""What a publish or a reply raises when the broker connection is lost (a RabbitMQ restart)."""
