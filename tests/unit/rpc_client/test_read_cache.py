"""The web apps' read cache: what it keeps, for how long, and what clears it."""

import json
import tracemalloc

import pytest
from nameko.testing.services import worker_factory

from common.config import load_config
from rpc_client.client import RpcClient
from rpc_client.read_cache import (
    DEFAULT_MAX_BYTES,
    InvalidationListener,
    ReadCache,
    cache_key,
    read_cache_for,
    size_in_memory,
)
from services import storage as storage_module
from services.articles import rules
from services.blog import BlogService
from services.storage import StorageService
from services.users import UsersService


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Source:
    """Counts calls and answers a fresh object each time."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"answer": self.calls}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(clock):
    cache = ReadCache(ttl=5, clock=clock)
    cache.set_listening(True)
    return cache


def test_an_answer_is_reused_until_the_ttl_passes(cache, clock):
    source = Source()
    assert cache.read("k", source) == {"answer": 1}
    clock.now += 4.9
    assert cache.read("k", source) == {"answer": 1}
    clock.now += 0.2
    assert cache.read("k", source) == {"answer": 2}
    assert source.calls == 2


def test_clear_forgets_every_answer(cache):
    source = Source()
    cache.read("k", source)
    cache.clear()
    assert cache.read("k", source) == {"answer": 2}


def test_nothing_is_cached_while_events_cannot_arrive(cache):
    source = Source()
    cache.set_listening(False)
    cache.read("k", source)
    cache.read("k", source)
    assert source.calls == 2


def test_a_read_under_way_when_the_cache_is_cleared_is_not_kept(cache):
    """The read started before a write and may hold the old answer."""

    def read_overtaken_by_a_write():
        cache.clear()
        return {"answer": "old"}

    assert cache.read("k", read_overtaken_by_a_write) == {"answer": "old"}
    assert cache.read("k", Source()) == {"answer": 1}


def test_callers_get_copies(cache):
    first = cache.read("k", Source())
    first["answer"] = "changed by a caller"
    assert cache.read("k", Source()) == {"answer": 1}


def test_the_oldest_answers_make_room_within_the_byte_bound(clock):
    source = Source()
    one_answer = size_in_memory(("a",), json.dumps({"answer": 1}))
    cache = ReadCache(ttl=5, max_bytes=2 * one_answer, clock=clock)
    cache.set_listening(True)
    for key in ("a", "b", "c"):
        cache.read((key,), source)
    cache.read(("c",), source)
    cache.read(("a",), source)
    assert source.calls == 4
    assert cache.size <= 2 * one_answer


def test_an_answer_larger_than_the_bound_is_not_kept(clock):
    cache = ReadCache(ttl=5, max_bytes=1000, clock=clock)
    cache.set_listening(True)
    calls = []
    big = lambda: calls.append(1) or {"body": "x" * 2000}  # noqa: E731
    cache.read("big", big)
    cache.read("big", big)
    assert len(calls) == 2 and cache.size == 0


def test_answers_past_their_time_are_dropped_without_a_write_or_the_bound(cache, clock):
    cache.read("old", lambda: {"body": "x" * 100_000})
    clock.now += 5
    cache.read("new", Source())
    assert cache.size == size_in_memory("new", json.dumps({"answer": 1}))


def maximal_article(number, with_body):
    """An article at every limit of the blog's rules (storage's record of it)."""
    article = {
        "slug": f"{'s' * (rules.SLUG_MAX - 6)}-{number:05d}",
        "title": "T" * rules.TITLE_MAX,
        "description": "D" * rules.DESCRIPTION_MAX,
        "tag_list": [f"{i}{'t' * (rules.TAG_MAX - 1)}" for i in range(rules.TAGS_PER_ARTICLE)],
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
        "favorited": False,
        "favorites_count": 2**31 - 1,
        "author": {
            "id": 1,
            "username": "u" * 20,
            "bio": "b" * 1000,
            "image": "https://example.com/" + "i" * 200,
            "following": False,
        },
    }
    if with_body:
        article["body"] = "b" * rules.BODY_MAX
    return article


def maximal_reads(count):
    """``(key, call)`` of ``count`` different cached reads, each answering the largest the
    rules allow: pages of 100 articles, articles with the longest body, 100 comments at the
    longest."""

    def page():
        return {
            "articles": [maximal_article(i, False) for i in range(100)],
            "articles_count": 2**31 - 1,
        }

    def comments():
        return [
            {"id": i, "body": "c" * rules.COMMENT_MAX, "author": {"username": "u"}}
            for i in range(100)
        ]

    for number in range(count):
        kind = number % 3
        if kind == 0:
            yield cache_key("blog", "list_articles", (), {"limit": 100, "offset": number}), page
        elif kind == 1:
            yield (
                cache_key("blog", "get_article", (), {"slug": f"a-{number}"}),
                lambda number=number: maximal_article(number, True),
            )
        else:
            yield cache_key("blog", "list_comments", (), {"slug": f"a-{number}"}), comments


def test_pages_of_maximal_articles_stay_under_the_byte_bound(clock):
    """Memory the cache holds, as Python allocates it, stays under the bound however many
    of the largest answers pass through it."""
    bound = 4 * 1024 * 1024
    cache = ReadCache(ttl=60, max_bytes=bound, clock=clock)
    cache.set_listening(True)
    answers_total = largest = 0
    tracemalloc.start()
    try:
        held_before = tracemalloc.get_traced_memory()[0]
        for key, call in maximal_reads(60):
            answers_total += len(json.dumps(cache.read(key, call)))
            assert cache.size <= bound
            largest = max(largest, tracemalloc.get_traced_memory()[0] - held_before)
    finally:
        tracemalloc.stop()
    assert answers_total > 5 * bound
    assert cache.size > bound // 2
    # the cache's own index (a dict entry and a tuple per answer) comes on top of the bound
    assert largest < bound * 1.05


def test_the_byte_bound_is_a_setting(monkeypatch):
    monkeypatch.setattr(InvalidationListener, "start", lambda listener: listener)
    assert load_config()["READ_CACHE_MAX_BYTES"] == DEFAULT_MAX_BYTES == 64 * 1024 * 1024
    config = {"AMQP_URI": "pyamqp://127.0.0.1:9//", "READ_CACHE_MAX_BYTES": "1000"}
    assert read_cache_for(config).max_bytes == 1000


def test_keys_tell_calls_apart():
    assert cache_key("blog", "list_articles", (), {"tag": "a", "limit": 1}) == cache_key(
        "blog", "list_articles", (), {"limit": 1, "tag": "a"}
    )
    assert cache_key("blog", "list_articles", (), {"tag": "a"}) != cache_key(
        "blog", "list_articles", (), {"tag": "b"}
    )


class FakeCalls(RpcClient):
    def __init__(self, read_cache):
        super().__init__({"RPC_TIMEOUT": 1}, read_cache=read_cache)
        self.sent = []

    def _call(self, service_name, method_name, args, kwargs, context, deadline):
        self.sent.append(method_name)
        return {"method": method_name, "n": len(self.sent)}


def test_the_client_reads_through_the_cache_and_a_write_clears_it(cache):
    client = FakeCalls(cache)
    client.call("blog", "list_tags")
    client.call("blog", "list_tags")
    client.call("users", "login", email="a@example.com", password="x")
    client.call("blog", "list_tags")
    client.call("blog", "add_comment", slug="s", author_id=1, body="b")
    client.call("blog", "list_tags")
    assert client.sent == ["list_tags", "login", "add_comment", "list_tags"]


@pytest.mark.parametrize(
    "service_class, method, args, storage_call, event",
    [
        (BlogService, "favorite_article", ("a-slug", 2), "blog_favorite", "article_favorited"),
        (
            BlogService,
            "unfavorite_article",
            ("a-slug", 2),
            "blog_unfavorite",
            "article_unfavorited",
        ),
        (UsersService, "follow_user", (2, "alice"), "users_follow", "user_followed"),
        (UsersService, "unfollow_user", (2, "alice"), "users_unfollow", "user_unfollowed"),
    ],
)
def test_writes_without_an_earlier_event_now_dispatch_one(
    service_class, method, args, storage_call, event
):
    """Other processes' caches learn of every write from its event."""
    service = worker_factory(service_class)
    getattr(service.storage, storage_call).return_value = {"id": 1, "slug": "a-slug"}
    getattr(service, method)(*args)
    assert service.dispatch.call_args.args[0] == event


def test_deleting_a_comment_dispatches_comment_deleted():
    service = worker_factory(BlogService)
    service.storage.blog_delete_comment.return_value = {"deleted": True}
    service.delete_comment("a-slug", 5, 2)
    service.dispatch.assert_called_once_with(
        "comment_deleted", {"slug": "a-slug", "comment_id": 5, "author_id": 2}
    )


def test_a_restore_dispatches_restore_completed(monkeypatch):
    """A restore replaces every row: the web tier's caches must hear of it."""
    service = worker_factory(StorageService)
    monkeypatch.setattr(
        storage_module.operations,
        "restore_backup",
        lambda *args, **kwargs: {"id": "b1", "restored": {}},
    )
    service.restore("b1", confirm=True)
    service.dispatch.assert_called_once_with("restore_completed", {"id": "b1"})
