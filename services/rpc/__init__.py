"""RPC plumbing shared by every process: the pooled client of the gateway, the
frontend and the admin tools, the timed proxy between services, the request
log of each service, and the health probes."""

from services.rpc import serialization

serialization.register()
