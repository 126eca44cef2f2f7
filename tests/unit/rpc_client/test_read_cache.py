"""The web apps' read cache: what it keeps, for how long, and what clears it."""
import pytest
from nameko.testing.services import worker_factory

from rpc_client.client import RpcClient
from rpc_client.read_cache import ReadCache, cache_key
from services import storage as storage_module
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


def test_the_oldest_answer_makes_room(clock):
    cache = ReadCache(ttl=5, max_entries=2, clock=clock)
    cache.set_listening(True)
    source = Source()
    for key in ("a", "b", "c"):
        cache.read(key, source)
    cache.read("c", source)
    cache.read("a", source)
    assert source.calls == 4


def test_keys_tell_calls_apart():
    assert cache_key("blog", "list_articles", (), {"tag": "a", "limit": 1}) == \
        cache_key("blog", "list_articles", (), {"limit": 1, "tag": "a"})
    assert cache_key("blog", "list_articles", (), {"tag": "a"}) != \
        cache_key("blog", "list_articles", (), {"tag": "b"})


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


@pytest.mark.parametrize("service_class, method, args, storage_call, event", [
    (BlogService, "favorite_article", ("a-slug", 2), "blog_favorite", "article_favorited"),
    (BlogService, "unfavorite_article", ("a-slug", 2), "blog_unfavorite",
     "article_unfavorited"),
    (UsersService, "follow_user", (2, "alice"), "users_follow", "user_followed"),
    (UsersService, "unfollow_user", (2, "alice"), "users_unfollow", "user_unfollowed"),
])
def test_writes_without_an_earlier_event_now_dispatch_one(
        service_class, method, args, storage_call, event):
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
        "comment_deleted", {"slug": "a-slug", "comment_id": 5, "author_id": 2})


def test_a_restore_dispatches_restore_completed(monkeypatch):
    """A restore replaces every row: the web tier's caches must hear of it."""
    service = worker_factory(StorageService)
    monkeypatch.setattr(storage_module.operations, "restore_backup",
                        lambda *args, **kwargs: {"id": "b1", "restored": {}})
    service.restore("b1", confirm=True)
    service.dispatch.assert_called_once_with("restore_completed", {"id": "b1"})
