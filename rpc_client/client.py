"""The one RPC client used by the gateway, the frontend and scripts.

A standalone nameko proxy costs a broker connection, a queue declaration and a
reply queue, so each thread keeps one open proxy and reuses it for every call
(the processes run threaded WSGI servers; a proxy is never shared between
threads). Every call is bounded by the configured timeout, and its request
expires from the service's queue after that timeout (``ExpiringClusterRpcProxy``).
Failures that mean
"the system cannot answer now" (timeout, broker unreachable, service not
running) become ``ServiceUnavailable``; the shared error classes of
``common.errors`` arrive typed and pass through unchanged.

Usage (the gateway, the frontend and scripts all call services this way)::

    rpc = RpcClient(config)
    user = rpc.users.login(email="a@example.com", password="...")
    rpc.with_context({"request_id": "abc"}).blog.list_tags()   # context in the headers
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy

from common import errors  # noqa: F401  registers the typed exceptions
from common.broker import BROKEN_CONNECTION_ERRORS, REQUEST_OPTIONS
from common.config import rpc_timeout
from common.errors import BrokerUnreachable, ServiceUnavailable
from rpc_client.read_cache import CACHED_READS, WRITES, ReadCache, cache_key

log = logging.getLogger(__name__)

MINIMUM_CALL_SECONDS = 0.05
"""Below this much time left before a deadline, a call is not even sent."""


class RpcClient:
    """Thread-local pool of standalone cluster proxies with a call timeout."""

    def __init__(
        self,
        config: Mapping[str, Any],
        timeout: float | None = None,
        read_cache: ReadCache | None = None,
    ) -> None:
        self.config = config
        self.timeout: float = timeout if timeout is not None else rpc_timeout(config)
        self.read_cache = read_cache
        self._local = threading.local()
        self._all_proxies: list[ExpiringClusterRpcProxy] = []
        self._lock = threading.Lock()

    def __getattr__(self, service_name: str) -> "_ServiceHandle":
        if service_name.startswith("_"):
            raise AttributeError(service_name)
        return _ServiceHandle(self, service_name)

    def with_context(
        self, context: Mapping[str, Any], deadline: float | None = None
    ) -> "_ContextHandle":
        """This client's services, every call carrying ``context`` (e.g. a request id) and
        bounded by ``deadline`` (see ``call``)."""
        return _ContextHandle(self, context, deadline)

    def call(
        self,
        service_name: str,
        method_name: str,
        *args: Any,
        context: Mapping[str, Any] | None = None,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``service_name.method_name``; ``context`` travels in the message headers.

        ``deadline`` (a ``time.monotonic()`` value) bounds the call further: a caller making
        several calls for one request (the gateway: the token check, then the work) gives
        them one budget, so the request as a whole waits at most the timeout. With a
        ``read_cache``, the answers of its cached reads may come from it, and a write
        clears it (``rpc_client.read_cache``).
        """

        def call() -> Any:
            return self._call(service_name, method_name, args, kwargs, context, deadline)

        operation = (service_name, method_name)
        if self.read_cache is None:
            return call()
        if operation in CACHED_READS:
            return self.read_cache.read(cache_key(service_name, method_name, args, kwargs), call)
        try:
            return call()
        finally:
            if operation in WRITES:
                self.read_cache.clear()

    def _call(
        self,
        service_name: str,
        method_name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        context: Mapping[str, Any] | None,
        deadline: float | None,
    ) -> Any:
        timeout = self.timeout
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
            if timeout < MINIMUM_CALL_SECONDS:
                raise ServiceUnavailable(
                    f"no time left to call the {service_name} service within {self.timeout} seconds"
                )
        proxy, cluster = self._proxy()
        proxy.set_timeout(timeout)
        proxy._worker_ctx.data.clear()
        proxy._worker_ctx.data.update(context or {})
        try:
            method = getattr(getattr(cluster, service_name), method_name)
            return method(*args, **kwargs)
        except RpcTimeout as exc:
            self._discard(proxy)
            raise ServiceUnavailable(
                f"the {service_name} service did not answer within {self.timeout} seconds"
            ) from exc
        except UnknownService as exc:
            raise ServiceUnavailable(f"the {service_name} service is not running") from exc
        except BROKEN_CONNECTION_ERRORS as exc:
            self._discard(proxy)
            log.warning("RPC connection failed: %r", exc)
            raise BrokerUnreachable("the message broker is unreachable") from exc

    def close(self) -> None:
        """Stop every proxy this client opened (at process exit)."""
        with self._lock:
            proxies, self._all_proxies = self._all_proxies, []
        for proxy in proxies:
            _stop_quietly(proxy)
        self._local = threading.local()

    def _proxy(self) -> tuple["ExpiringClusterRpcProxy", Any]:
        pair = getattr(self._local, "pair", None)
        if pair is None:
            proxy = ExpiringClusterRpcProxy(self.config, timeout=self.timeout)
            try:
                cluster = proxy.start()
            except BROKEN_CONNECTION_ERRORS as exc:
                log.warning("cannot connect to the message broker: %r", exc)
                raise BrokerUnreachable("the message broker is unreachable") from exc
            pair = self._local.pair = (proxy, cluster)
            with self._lock:
                self._all_proxies.append(proxy)
        return pair

    def _discard(self, proxy: "ExpiringClusterRpcProxy") -> None:
        """Forget a proxy whose connection may be broken; the next call opens a new one."""
        self._local.pair = None
        with self._lock:
            if proxy in self._all_proxies:
                self._all_proxies.remove(proxy)
        _stop_quietly(proxy)


class ExpiringClusterRpcProxy(ClusterRpcProxy):
    """A standalone cluster proxy whose requests expire from the queue when the
    caller stops waiting.

    A request to a service that is stopped waits in its queue; without an
    expiration the service would run it when it comes back, long after the
    caller was told 503, so a "failed" write would happen after all.
    """

    def __init__(self, config: Mapping[str, Any], timeout: float) -> None:
        super().__init__(config, timeout=timeout)
        self._proxy = _ExpiringClusterProxy(self._worker_ctx, self._reply_listener, timeout)

    def set_timeout(self, timeout: float) -> None:
        """Seconds the next call waits for its reply, and its request's time to live."""
        self._reply_listener.queue_consumer.timeout = timeout
        self._proxy.expiration = timeout


class _ExpiringClusterProxy(ClusterProxy):
    def __init__(self, worker_ctx: Any, reply_listener: Any, expiration: float) -> None:
        super().__init__(worker_ctx, reply_listener)
        self.expiration = expiration

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return ServiceProxy(
            self._worker_ctx,
            name,
            self._reply_listener,
            expiration=self.expiration,
            **REQUEST_OPTIONS,
        )


class _ContextHandle:
    def __init__(
        self, client: RpcClient, context: Mapping[str, Any], deadline: float | None
    ) -> None:
        self._client = client
        self._context = context
        self._deadline = deadline

    def __getattr__(self, service_name: str) -> "_ServiceHandle":
        if service_name.startswith("_"):
            raise AttributeError(service_name)
        return _ServiceHandle(self._client, service_name, self._context, self._deadline)


class _ServiceHandle:
    def __init__(
        self,
        client: RpcClient,
        service_name: str,
        context: Mapping[str, Any] | None = None,
        deadline: float | None = None,
    ) -> None:
        self._client = client
        self._service_name = service_name
        self._context = context
        self._deadline = deadline

    def __getattr__(self, method_name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self._client.call(
                self._service_name,
                method_name,
                *args,
                context=self._context,
                deadline=self._deadline,
                **kwargs,
            )

        return call


def _stop_quietly(proxy: ExpiringClusterRpcProxy) -> None:
    try:
        proxy.stop()
    except Exception:  # noqa: BLE001 - the connection is already gone
        log.debug("ignoring error while stopping a broken proxy", exc_info=True)
