"""Hot reads of the web apps, cached in each process and invalidated by the services' events.

The gateway and the frontend answer most requests with a handful of reads (an
article list, an article, its comments, the tags, the signed-in user). Each
process keeps the answers of those reads (``CACHED_READS``) in memory and
forgets all of them whenever anything changes:

* at once, in the process that made a change: every write call through the
  client (``WRITES``) clears the cache when it returns, so a client always
  reads its own writes;
* within milliseconds, in every other process: each write of the blog and
  users services dispatches an event before it answers, and every process
  listens to those events on a queue of its own (a broadcast) and clears its
  cache on each one;
* in any case after ``ttl`` seconds, the stated bound on how old a cached answer
  can be: every read and every store first drops the answers past their time.
  While the listener is not connected to the broker (so events could
  be missed), nothing is cached at all, and the cache is cleared on reconnect.

What the answers occupy is bounded in bytes (``READ_CACHE_MAX_BYTES``), not in
count: the oldest answers make room, so pages of the largest articles the rules
allow cannot grow a process past the bound.

A read that was already under way when a change cleared the cache is not
stored (a generation number guards this), so a slow read cannot put an older
answer back. Cached answers are kept as JSON text and decoded on each hit, so
a caller that changes what it got cannot change what the next caller gets.
"""

import json
import logging
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from kombu import Connection, Queue, binding
from kombu.mixins import ConsumerMixin
from nameko.standalone.events import get_event_exchange

from common import contract
from common.config import setting

log = logging.getLogger(__name__)

CACHED_READS = contract.cached_reads()
"""Reads whose answers depend only on the data of the blog and users services."""

WRITES = contract.cache_clearing_calls()
"""Calls that change what a cached read answers; each dispatches an event too."""

DEFAULT_MAX_BYTES = int(setting({}, "READ_CACHE_MAX_BYTES"))


class ByteBoundedCache:
    """Values by key, the oldest dropped first once their sizes add up past ``max_bytes``.

    "Oldest" is the order of storing, or of use for callers that ``get(key, refresh=True)``.
    A value larger than the whole bound is never kept. Not thread-safe: callers hold
    their own lock.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Any, tuple[Any, int]] = OrderedDict()  # key -> (value, size)

    def get(self, key: Any, default: Any = None, refresh: bool = False) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return default
        if refresh:
            self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: Any, value: Any, size: int) -> None:
        self.pop(key)
        if size > self.max_bytes:
            return
        self._entries[key] = (value, size)
        self.size += size
        while self.size > self.max_bytes:
            self.pop(next(iter(self._entries)))

    def pop(self, key: Any) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= entry[1]

    def oldest(self) -> tuple[Any, Any] | None:
        """``(key, value)`` of the oldest entry, or ``None`` when empty."""
        for key, (value, _) in self._entries.items():
            return key, value
        return None

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0


def size_in_memory(*objects: Any) -> int:
    """Bytes that ``objects`` (strings, or tuples of strings) occupy: what a cache holds."""
    return sum(
        size_in_memory(*item) if isinstance(item, tuple) else sys.getsizeof(item)
        for item in objects
    )


class ReadCache:
    """Answers of ``CACHED_READS`` by call, each for at most ``ttl`` seconds, all of them
    in at most ``max_bytes`` (the JSON text of the answers and their keys)."""

    def __init__(
        self,
        ttl: float,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries = ByteBoundedCache(max_bytes)  # key -> (expires, JSON text)
        self._generation = 0
        self._lock = threading.Lock()
        self.listening = False

    @property
    def size(self) -> int:
        """Bytes the kept answers and their keys occupy."""
        return self._entries.size

    @property
    def max_bytes(self) -> int:
        return self._entries.max_bytes

    def read(self, key: tuple[str, str, str], call: Callable[[], Any]) -> Any:
        """The cached answer for ``key``, or ``call()``'s, kept for the next caller."""
        if not self.listening:
            return call()
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return json.loads(entry[1])
            generation = self._generation
        value = call()
        text = json.dumps(value)
        with self._lock:
            if generation == self._generation and self.listening:
                self._drop_expired(self._clock())
                self._entries.put(key, (now + self.ttl, text), size_in_memory(key, text))
        return value

    def _drop_expired(self, now: float) -> None:
        """Drop the oldest entries while they are past their time (entries are stored about in
        the order they expire; a read that took longer may leave one that ``read`` skips)."""
        while (oldest := self._entries.oldest()) is not None and oldest[1][0] <= now:
            self._entries.pop(oldest[0])

    def clear(self) -> None:
        """Forget every answer, including those of reads still under way."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def set_listening(self, listening: bool) -> None:
        """Cache only while the invalidation events can arrive; start empty either way."""
        self.listening = listening
        self.clear()


def cache_key(
    service_name: str, method_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[str, str, str]:
    return (service_name, method_name, json.dumps([args, kwargs], sort_keys=True))


class InvalidationListener(ConsumerMixin):
    """Clears a ``ReadCache`` on every event that changes what a cached read answers
    (``contract.read_clearing_events()``).

    Runs in a daemon thread with its own broker connection and an exclusive,
    auto-deleted queue (``read-cache-<hex>``, which the web tier's broker accounts may
    declare) bound to every such event, so every process gets every event; kombu
    reconnects it after a broker outage. The event exchanges belong to the services
    that dispatch on them: the listener declares them passively (it only checks that
    they exist, which needs no configure right, so the web tier cannot delete them),
    and until every one exists it retries about once a second, caching nothing.
    """

    def __init__(self, config: Mapping[str, Any], cache: ReadCache) -> None:
        self.connection = Connection(config["AMQP_URI"], ssl=config.get("AMQP_SSL"), heartbeat=30)
        self.cache = cache
        self.queue = Queue(
            f"read-cache-{uuid.uuid4().hex}",
            bindings=[
                binding(_existing_exchange(event.source, config), routing_key=event.name)
                for event in contract.read_clearing_events()
            ],
            exclusive=True,
            auto_delete=True,
            durable=False,
        )

    def start(self) -> "InvalidationListener":
        threading.Thread(target=self.run, name="read-cache-invalidation", daemon=True).start()
        return self

    def get_consumers(self, Consumer: Any, channel: Any) -> list[Any]:
        return [
            Consumer(queues=[self.queue], callbacks=[self.on_event], no_ack=True, accept=["json"])
        ]

    def on_connection_revived(self) -> None:
        self.cache.set_listening(False)

    def on_consume_ready(
        self, connection: Any, channel: Any, consumers: Any, **kwargs: Any
    ) -> None:
        self.cache.set_listening(True)

    def on_connection_error(self, exc: Exception, interval: float) -> None:
        self.cache.set_listening(False)
        log.warning("read cache off until the broker answers again: %r", exc)

    def on_consume_end(self, connection: Any, channel: Any) -> None:
        self.cache.set_listening(False)

    def on_event(self, body: Any, message: Any) -> None:
        self.cache.clear()


def _existing_exchange(service_name: str, config: Mapping[str, Any]) -> Any:
    """The event exchange of ``service_name``, declared passively."""
    exchange = get_event_exchange(service_name, config)
    exchange.passive = True
    return exchange


def read_cache_for(config: Mapping[str, Any]) -> ReadCache | None:
    """A listening ``ReadCache`` as ``READ_CACHE_SECONDS`` and ``READ_CACHE_MAX_BYTES``
    configure it, or ``None`` for 0 seconds."""
    ttl = float(setting(config, "READ_CACHE_SECONDS"))
    if ttl <= 0:
        return None
    cache = ReadCache(ttl, int(setting(config, "READ_CACHE_MAX_BYTES")))
    InvalidationListener(config, cache).start()
    return cache
