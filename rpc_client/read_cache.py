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
  can be. While the listener is not connected to the broker (so events could
  be missed), nothing is cached at all, and the cache is cleared on reconnect.

A read that was already under way when a change cleared the cache is not
stored (a generation number guards this), so a slow read cannot put an older
answer back. Cached answers are kept as JSON text and decoded on each hit, so
a caller that changes what it got cannot change what the next caller gets.
"""
import json
import logging
import threading
import time
import uuid

from kombu import Connection, Queue, binding
from kombu.mixins import ConsumerMixin
from nameko.standalone.events import get_event_exchange

from common.config import setting
from common.events import DISPATCHED_EVENTS

log = logging.getLogger(__name__)

CACHED_READS = frozenset({
    ("blog", "get_article"),
    ("blog", "list_articles"),
    ("blog", "feed"),
    ("blog", "list_comments"),
    ("blog", "list_tags"),
    ("users", "get_profile"),
    ("users", "verify_token"),
})
"""Reads whose answers depend only on the data of the blog and users services."""

WRITES = frozenset({
    ("blog", "create_article"),
    ("blog", "update_article"),
    ("blog", "delete_article"),
    ("blog", "favorite_article"),
    ("blog", "unfavorite_article"),
    ("blog", "add_comment"),
    ("blog", "delete_comment"),
    ("users", "register"),
    ("users", "update_user"),
    ("users", "follow_user"),
    ("users", "unfollow_user"),
    ("users", "ban_user"),
    ("users", "unban_user"),
    ("users", "delete_user"),
    ("users", "end_session"),
    ("users", "end_all_sessions"),
})
"""Calls that change what a cached read answers; each dispatches an event too."""

MAX_ENTRIES = 10000


class ReadCache:
    """Answers of ``CACHED_READS`` by call, for at most ``ttl`` seconds."""

    def __init__(self, ttl, max_entries=MAX_ENTRIES, clock=time.monotonic):
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries = {}
        self._generation = 0
        self._lock = threading.Lock()
        self.listening = False

    def read(self, key, call):
        """The cached answer for ``key``, or ``call()``'s, kept for the next caller."""
        if not self.listening:
            return call()
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                return json.loads(entry[1])
            generation = self._generation
        value = call()
        text = json.dumps(value)
        with self._lock:
            if generation == self._generation and self.listening:
                if len(self._entries) >= self.max_entries:
                    self._entries.pop(next(iter(self._entries)))
                self._entries[key] = (now + self.ttl, text)
        return value

    def clear(self):
        """Forget every answer, including those of reads still under way."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def set_listening(self, listening):
        """Cache only while the invalidation events can arrive; start empty either way."""
        self.listening = listening
        self.clear()


def cache_key(service_name, method_name, args, kwargs):
    return (service_name, method_name, json.dumps([args, kwargs], sort_keys=True))


class InvalidationListener(ConsumerMixin):
    """Clears a ``ReadCache`` on every event of the blog and users services.

    Runs in a daemon thread with its own broker connection and an exclusive,
    auto-deleted queue (``read-cache-<hex>``, which the web tier's broker accounts may
    declare) bound to every event the two services dispatch, so every process gets
    every event; kombu reconnects it after a broker outage.
    """

    def __init__(self, config, cache):
        self.connection = Connection(config["AMQP_URI"], ssl=config.get("AMQP_SSL"),
                                     heartbeat=30)
        self.cache = cache
        self.queue = Queue(
            f"read-cache-{uuid.uuid4().hex}",
            bindings=[
                binding(get_event_exchange(exchange.split(".")[0], config), routing_key=event)
                for exchange, events in DISPATCHED_EVENTS.items() for event in events
            ],
            exclusive=True, auto_delete=True, durable=False,
        )

    def start(self):
        threading.Thread(target=self.run, name="read-cache-invalidation", daemon=True).start()
        return self

    def get_consumers(self, Consumer, channel):
        return [Consumer(queues=[self.queue], callbacks=[self.on_event], no_ack=True,
                         accept=["json"])]

    def on_connection_revived(self):
        self.cache.set_listening(False)

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self.cache.set_listening(True)

    def on_connection_error(self, exc, interval):
        self.cache.set_listening(False)
        log.warning("read cache off until the broker answers again: %r", exc)

    def on_consume_end(self, connection, channel):
        self.cache.set_listening(False)

    def on_event(self, body, message):
        self.cache.clear()


def read_cache_for(config):
    """A listening ``ReadCache`` as ``READ_CACHE_SECONDS`` configures it, or ``None`` for 0."""
    ttl = float(setting(config, "READ_CACHE_SECONDS"))
    if ttl <= 0:
        return None
    cache = ReadCache(ttl)
    InvalidationListener(config, cache).start()
    return cache
