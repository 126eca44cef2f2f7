"""The three services on a real RabbitMQ and real databases (SQLite, and
PostgreSQL when reachable): the main flows over RPC, the schema's uniqueness
rules under concurrent writers, and the user-deleted cascade arriving by event."""

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from nameko.testing.utils import get_container

from common.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationError,
)
from services.blog import BlogService
from services.storage import StorageService
from services.users import UsersService
from tests.integration.conftest import PASSWORD, register


@pytest.fixture
def runner(runner_factory, service_config):
    runner = runner_factory(service_config, StorageService, UsersService, BlogService)
    runner.start()
    return runner


def test_storage_health_reports_both_schemas(runner, rpc):
    health = rpc.storage.health()
    assert health["users"]["ok"] and health["blog"]["ok"]
    assert health["users"]["schema_version"] == health["users"]["schema_head"]


def test_register_login_and_tokens(runner, rpc):
    alice = register(rpc, "alice")
    assert rpc.users.verify_token(token=alice["token"])["username"] == "alice"
    assert rpc.users.login(email="ALICE@example.com", password=PASSWORD)["id"] == alice["id"]
    with pytest.raises(Unauthenticated):
        rpc.users.login(email="alice@example.com", password="wrong password")
    with pytest.raises(Conflict) as caught:
        rpc.users.register(username="alice", email="other@example.com", password=PASSWORD)
    assert caught.value.errors == {"username": ["has already been taken"]}
    with pytest.raises(ValidationError) as caught:
        rpc.users.register(username="b", email="bad", password="x")
    assert set(caught.value.errors) == {"username", "email", "password"}


def test_password_change_and_ban_revoke_tokens(runner, rpc):
    alice = register(rpc, "alice")
    updated = rpc.users.update_user(
        user_id=alice["id"], changes={"password": "another password"}, current_password=PASSWORD
    )
    with pytest.raises(Unauthenticated, match="revoked"):
        rpc.users.verify_token(token=alice["token"])
    assert rpc.users.verify_token(token=updated["token"])["id"] == alice["id"]
    rpc.users.ban_user(username="alice")
    with pytest.raises(Unauthenticated, match="banned"):
        rpc.users.verify_token(token=updated["token"])
    with pytest.raises(PermissionDenied):
        rpc.users.login(email="alice@example.com", password="another password")
    rpc.users.unban_user(username="alice")
    assert rpc.users.login(email="alice@example.com", password="another password")["token"]


def test_update_to_a_taken_email_is_a_conflict_and_changes_nothing(runner, rpc):
    alice = register(rpc, "alice")
    register(rpc, "bob")
    with pytest.raises(Conflict) as caught:
        rpc.users.update_user(
            user_id=alice["id"],
            changes={"email": "bob@example.com", "bio": "x"},
            current_password=PASSWORD,
        )
    assert caught.value.errors == {"email": ["has already been taken"]}
    assert rpc.users.get_user(user_id=alice["id"])["bio"] is None


def test_write_follow_favorite_comment_and_feed(runner, rpc):
    alice, bob = register(rpc, "alice"), register(rpc, "bob")
    first = rpc.blog.create_article(
        author_id=alice["id"],
        title="Hello World",
        description="intro",
        body="# Hi",
        tag_list=["intro", "rpc"],
    )
    second = rpc.blog.create_article(
        author_id=alice["id"],
        title="Hello World",
        description="again",
        body="more",
        tag_list=["rpc"],
    )
    assert (first["slug"], second["slug"]) == ("hello-world", "hello-world-2")

    assert rpc.blog.feed(user_id=bob["id"])["articles_count"] == 0
    profile = rpc.users.follow_user(follower_id=bob["id"], username="alice")
    assert profile["following"] is True
    feed = rpc.blog.feed(user_id=bob["id"], limit=1)
    assert feed["articles_count"] == 2 and feed["articles"][0]["slug"] == "hello-world-2"
    assert feed["articles"][0]["author"]["following"] is True

    favorited = rpc.blog.favorite_article(slug="hello-world", user_id=bob["id"])
    rpc.blog.favorite_article(slug="hello-world", user_id=bob["id"])
    assert favorited["favorited"] and favorited["favorites_count"] == 1
    assert rpc.blog.get_article(slug="hello-world")["favorites_count"] == 1
    by_bob = rpc.blog.list_articles(favorited="bob")
    assert [a["slug"] for a in by_bob["articles"]] == ["hello-world"]
    assert rpc.blog.list_tags() == ["rpc", "intro"]

    comment = rpc.blog.add_comment(slug="hello-world", author_id=bob["id"], body="Nice!")
    assert [c["body"] for c in rpc.blog.list_comments(slug="hello-world")] == ["Nice!"]
    with pytest.raises(PermissionDenied):
        rpc.blog.delete_comment(slug="hello-world", comment_id=comment["id"], user_id=alice["id"])
    with pytest.raises(PermissionDenied):
        rpc.blog.update_article(slug="hello-world", user_id=bob["id"], changes={"body": "x"})
    rpc.blog.delete_comment(slug="hello-world", comment_id=comment["id"], user_id=bob["id"])
    assert rpc.blog.list_comments(slug="hello-world") == []

    rpc.blog.delete_article(slug="hello-world", user_id=alice["id"])
    with pytest.raises(NotFound):
        rpc.blog.get_article(slug="hello-world")
    assert rpc.blog.list_tags() == ["rpc"]


def test_following_yourself_is_a_validation_error(runner, rpc):
    """On PostgreSQL the driver reports the self-follow check constraint as a
    ProgrammingError, which must still reach the caller as a field error."""
    alice = register(rpc, "alice")
    with pytest.raises(ValidationError) as caught:
        rpc.users.follow_user(follower_id=alice["id"], username="alice")
    assert caught.value.errors == {"username": ["is your own: you cannot follow yourself"]}
    assert rpc.users.get_profile(username="alice", viewer_id=alice["id"])["following"] is False


def test_deleting_a_comment_id_beyond_the_id_column_is_not_found(runner, rpc):
    """On PostgreSQL an id larger than an INTEGER column fails the query instead of
    matching nothing; the caller must still get a NotFound."""
    alice = register(rpc, "alice")
    rpc.blog.create_article(author_id=alice["id"], title="Ids", description="d", body="b")
    with pytest.raises(NotFound, match="comment 2147483648 not found"):
        rpc.blog.delete_comment(slug="ids", comment_id=2**31, user_id=alice["id"])


def test_text_with_a_nul_character_is_a_validation_error(runner, rpc):
    """PostgreSQL cannot store NUL and failed such queries with a 500 (found by the
    gateway's schema fuzzing); SQLite stored it. Both engines refuse it now."""
    alice = register(rpc, "alice")
    nul_text = "must not contain NUL characters"
    with pytest.raises(ValidationError, match=nul_text):
        rpc.users.login(email="alice\x00@example.com", password=PASSWORD)
    with pytest.raises(ValidationError, match=nul_text):
        rpc.blog.create_article(author_id=alice["id"], title="T", description="d", body="a\x00b")
    with pytest.raises(ValidationError, match=nul_text):
        rpc.users.get_profile(username="alice\x00")
    assert rpc.blog.list_articles()["articles_count"] == 0


def test_list_filters_and_paging(runner, rpc):
    alice, bob = register(rpc, "alice"), register(rpc, "bob")
    for number in range(5):
        rpc.blog.create_article(
            author_id=alice["id"],
            title=f"A{number}",
            description="d",
            body="b",
            tag_list=["even" if number % 2 == 0 else "odd"],
        )
    rpc.blog.create_article(author_id=bob["id"], title="B", description="d", body="b")
    page = rpc.blog.list_articles(limit=2, offset=1)
    assert page["articles_count"] == 6
    assert [a["title"] for a in page["articles"]] == ["A4", "A3"]
    assert rpc.blog.list_articles(tag="even")["articles_count"] == 3
    assert rpc.blog.list_articles(author="bob")["articles_count"] == 1
    assert rpc.blog.list_articles(author="nobody")["articles_count"] == 0


def test_concurrent_registrations_of_one_username_make_one_account(runner, rpc, service_config):
    outcomes = []

    def attempt(number):
        with ClusterRpcProxy(service_config, timeout=20) as own:
            try:
                own.users.register(
                    username="same", email=f"same{number}@example.com", password=PASSWORD
                )
                outcomes.append("created")
            except Conflict:
                outcomes.append("conflict")

    pool = eventlet.GreenPool()
    for number in range(6):
        pool.spawn(attempt, number)
    pool.waitall()
    assert sorted(outcomes) == ["conflict"] * 5 + ["created"]
    assert rpc.users.list_users(query="same")["users_count"] == 1


def test_deleting_a_user_removes_their_content_by_event(runner, rpc, service_config):
    alice, bob = register(rpc, "alice"), register(rpc, "bob")
    rpc.blog.create_article(
        author_id=alice["id"], title="Mine", description="d", body="b", tag_list=["solo"]
    )
    theirs = rpc.blog.create_article(author_id=bob["id"], title="Theirs", description="d", body="b")
    rpc.blog.add_comment(slug=theirs["slug"], author_id=alice["id"], body="hi")
    rpc.blog.favorite_article(slug=theirs["slug"], user_id=alice["id"])
    rpc.users.follow_user(follower_id=bob["id"], username="alice")

    blog_container = get_container(runner, BlogService)
    with entrypoint_waiter(blog_container, "handle_user_deleted"):
        rpc.users.delete_user(username="alice")

    assert rpc.blog.list_articles()["articles_count"] == 1
    remaining = rpc.blog.get_article(slug=theirs["slug"])
    assert remaining["favorites_count"] == 0
    assert rpc.blog.list_comments(slug=theirs["slug"]) == []
    assert rpc.blog.list_tags() == []
    assert rpc.users.following_ids(user_id=bob["id"]) == []
    with pytest.raises(NotFound):
        rpc.users.get_profile(username="alice")

    # the same event delivered again changes nothing
    with entrypoint_waiter(blog_container, "handle_user_deleted"):
        event_dispatcher(service_config)(
            "users", "user_deleted", {"id": alice["id"], "username": "alice"}
        )
    assert rpc.blog.list_articles()["articles_count"] == 1
