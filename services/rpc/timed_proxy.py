"""RPC between services, bounded by the configured timeout.

nameko 2.14's ``RpcProxy`` waits forever for a reply; a hung downstream
service would hold the caller's worker (and its caller) indefinitely. This
proxy waits at most ``RPC_TIMEOUT`` seconds and then raises
``ServiceUnavailable``, which the gateway and frontend show as 503, and the
request expires from the downstream queue at the same moment, so a service
that was down does not run it later for a caller who has given up. A service
that has never run on this broker (no queue yet, nameko's ``UnknownService``)
is ``ServiceUnavailable`` too, as it is for the standalone ``RpcClient``, and so
is a request that cannot be sent because the broker is unreachable.
"""

import logging

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from common.broker import BROKEN_CONNECTION_ERRORS, REQUEST_OPTIONS
from common.config import rpc_timeout
from common.errors import ServiceUnavailable

log = logging.getLogger(__name__)


class TimedRpcProxy(RpcProxy):
    """``RpcProxy`` whose calls raise ``ServiceUnavailable`` after ``RPC_TIMEOUT`` seconds."""

    def setup(self):
        super().setup()
        self.options["expiration"] = self.timeout
        self.options.update(REQUEST_OPTIONS)

    @property
    def timeout(self):
        return rpc_timeout(self.container.config)

    def get_dependency(self, worker_ctx):
        proxy = super().get_dependency(worker_ctx)
        return TimedServiceProxy(proxy, self.target_service, self.timeout)


class TimedServiceProxy:
    def __init__(self, proxy, service_name, timeout):
        self._proxy = proxy
        self._service_name = service_name
        self._timeout = timeout

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)

        def call(*args, **kwargs):
            try:
                reply = method.call_async(*args, **kwargs)
            except UnknownService as exc:
                raise ServiceUnavailable(
                    f"the {self._service_name} service is not running"
                ) from exc
            except BROKEN_CONNECTION_ERRORS as exc:
                log.warning("RPC to %s not sent: %r", self._service_name, exc)
                raise ServiceUnavailable("the message broker is unreachable") from exc
            with eventlet.Timeout(self._timeout, False):
                return reply.result()
            raise ServiceUnavailable(
                f"the {self._service_name} service did not answer within {self._timeout} seconds"
            )

        return call
