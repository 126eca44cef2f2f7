"""The server side of RPC, used by every service: the ``rpc`` entrypoint and its
transient replies, the request key, the request log, and the timed proxy between
services."""

from common import wire

wire.register()
