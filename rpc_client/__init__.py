"""The client side of RPC, used by the gateway, the frontend and the admin tools: the
pooled client, the web tier's read cache of answers, and the health probes."""

from common import wire

wire.register()
