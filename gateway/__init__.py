"""The JSON gateway: the RealWorld (Conduit) HTTP API under /api, translated into RPC calls."""
