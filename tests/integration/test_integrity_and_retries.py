"""What lost events leave behind is found and repaired, and retried writes with
an idempotency key create nothing twice; on SQLite and on PostgreSQL."""

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, insert

from services.blog import BlogService
from services.database.models import Tag
from services.storage import StorageService
from services.users import UsersService
from tests.integration.conftest import register


@pytest.fixture
def start_services(runner_factory, service_config):
    """``start_services(*classes)``: run them on this test's vhost and databases."""

    def start(*services):
        runner = runner_factory(service_config, *services)
        runner.start()
        return runner

    return start


def test_check_finds_and_repairs_what_a_lost_user_deleted_event_left(
    start_services, rpc, database_uris
):
    start_services(StorageService, UsersService, BlogService)
    alice, bob = register(rpc, "alice"), register(rpc, "bob")
    kept = rpc.blog.create_article(
        author_id=alice["id"], title="Kept", description="d", body="b", tag_list=["shared"]
    )
    rpc.blog.create_article(
        author_id=bob["id"], title="Gone", description="d", body="b", tag_list=["shared", "bobs"]
    )
    rpc.blog.add_comment(slug=kept["slug"], author_id=bob["id"], body="by bob")
    rpc.blog.add_comment(slug=kept["slug"], author_id=alice["id"], body="by alice")
    rpc.blog.favorite_article(slug=kept["slug"], user_id=bob["id"])
    assert rpc.storage.check_integrity()["ok"]

    # Deleted in storage directly: no user_deleted event, as if it had been lost.
    rpc.storage.users_delete("bob")
    engine = create_engine(database_uris["blog"])
    with engine.begin() as connection:
        connection.execute(insert(Tag).values(name="lonely"))
    engine.dispose()

    report = rpc.storage.check_integrity()
    assert report == {
        "ok": False,
        "repaired": False,
        "missing_user_ids": [bob["id"]],
        "orphans": {"articles": 1, "comments": 1, "favorites": 1},
        "unused_tags": ["lonely"],
    }
    assert rpc.storage.check_integrity(repair=True)["repaired"]
    assert rpc.storage.check_integrity() == {
        "ok": True,
        "repaired": False,
        "missing_user_ids": [],
        "orphans": {"articles": 0, "comments": 0, "favorites": 0},
        "unused_tags": [],
    }
    assert rpc.blog.list_tags() == ["shared"]
    article = rpc.blog.get_article(slug=kept["slug"])
    assert article["favorites_count"] == 0
    assert [c["body"] for c in rpc.blog.list_comments(slug=kept["slug"])] == ["by alice"]
    assert rpc.blog.list_articles()["articles_count"] == 1


def test_retried_create_article_and_add_comment_create_one_each(start_services, rpc):
    start_services(StorageService, UsersService, BlogService)
    alice = register(rpc, "alice")
    article = dict(
        author_id=alice["id"],
        title="Once",
        description="d",
        body="b",
        tag_list=["t"],
        idempotency_key="article-1",
    )
    first, retry = rpc.blog.create_article(**article), rpc.blog.create_article(**article)
    assert retry["slug"] == first["slug"] == "once"
    comment = dict(slug="once", author_id=alice["id"], body="hi", idempotency_key="comment-1")
    assert rpc.blog.add_comment(**comment)["id"] == rpc.blog.add_comment(**comment)["id"]

    other = rpc.blog.create_article(**{**article, "idempotency_key": "article-2"})
    assert other["slug"] == "once-2"
    assert rpc.blog.list_articles()["articles_count"] == 2
    assert len(rpc.blog.list_comments(slug="once")) == 1


def test_blank_idempotency_keys_are_no_keys(start_services, rpc):
    """An empty ``Idempotency-Key`` header once made the second create fail on the
    unique (author, key) constraint: a 500 found by the gateway's schema fuzzing."""
    start_services(StorageService, UsersService, BlogService)
    alice = register(rpc, "alice")
    article = dict(author_id=alice["id"], title="Blank", description="d", body="b")
    slugs = [
        rpc.blog.create_article(**article, idempotency_key=key)["slug"] for key in ("", "", " ")
    ]
    assert slugs == ["blank", "blank-2", "blank-3"]
    comment = dict(slug="blank", author_id=alice["id"], body="hi")
    ids = {rpc.blog.add_comment(**comment, idempotency_key=key)["id"] for key in ("", "", " ")}
    assert len(ids) == 3


def test_concurrent_retries_with_one_key_create_one_article(start_services, rpc, service_config):
    start_services(StorageService)
    author = rpc.storage.users_create("alice", "alice@example.com", "hash")

    def attempt(_):
        with ClusterRpcProxy(service_config, timeout=30) as client:
            return client.storage.blog_create_article(
                author["id"], "same", "Same", "d", "b", ["t"], "retried-key"
            )["slug"]

    slugs = list(eventlet.GreenPool(6).imap(attempt, range(6)))
    assert slugs == ["same"] * 6
    assert rpc.storage.blog_list_articles()["articles_count"] == 1
