"""At-least-once delivery never applies a write twice, and a failed event is not lost.

A request whose worker dies before its reply is acknowledged is delivered again,
with the same message (the same correlation id): here the test publishes one
request twice, as the broker does after a crash, and the second run must find
the first one's article or comment instead of writing another. An event whose
handler fails (storage down) goes back to the queue and is handled again
until it succeeds.
"""

import json
import time
import uuid

import pytest
from kombu import Connection, Exchange, Queue
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from nameko.testing.utils import get_container

from services.blog import BlogService
from services.storage import StorageService
from services.users import UsersService
from tests.integration.conftest import migrated, sqlite_uris
from tests.support.polling import wait_until

PASSWORD = "correct horse battery"
RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)


@pytest.fixture
def database_uris(tmp_path):
    """SQLite only: what is under test is delivery, not the engine (the unique key that
    stops a second write is the same constraint on both, see test_integrity_and_retries)."""
    return migrated(sqlite_uris(tmp_path))


def deliver_twice(config, method, kwargs):
    """Publish one RPC request to ``blog.<method>`` twice with one correlation id, as a
    redelivery does, and return both replies."""
    correlation_id = str(uuid.uuid4())
    reply_queue = Queue(
        f"test-replies-{correlation_id}",
        exchange=RPC_EXCHANGE,
        routing_key=f"test-replies-{correlation_id}",
        auto_delete=True,
    )
    replies = []
    with Connection(config["AMQP_URI"]) as connection:
        with connection.Consumer(
            reply_queue,
            callbacks=[lambda body, message: (replies.append(body), message.ack())],
            accept=["json"],
        ):
            producer = connection.Producer(serializer="json")
            for _ in range(2):
                producer.publish(
                    {"args": [], "kwargs": kwargs},
                    exchange=RPC_EXCHANGE,
                    routing_key=f"blog.{method}",
                    reply_to=reply_queue.name,
                    correlation_id=correlation_id,
                    delivery_mode=2,
                )
            deadline = time.monotonic() + 30
            while len(replies) < 2 and time.monotonic() < deadline:
                connection.drain_events(timeout=deadline - time.monotonic())
    assert [reply["error"] for reply in replies] == [None, None], replies
    return [reply["result"] for reply in replies]


def test_a_redelivered_create_article_or_add_comment_writes_once(
    runner_factory, service_config, rpc
):
    runner_factory(service_config, StorageService, UsersService, BlogService).start()
    alice = rpc.users.register(username="alice", email="alice@example.com", password=PASSWORD)

    first, again = deliver_twice(
        service_config,
        "create_article",
        {
            "author_id": alice["id"],
            "title": "Once only",
            "description": "d",
            "body": "b",
            "tag_list": ["once"],
        },
    )
    assert first["slug"] == again["slug"] == "once-only"
    comment, comment_again = deliver_twice(
        service_config,
        "add_comment",
        {
            "slug": "once-only",
            "author_id": alice["id"],
            "body": "just one",
        },
    )
    assert comment["id"] == comment_again["id"]

    assert rpc.blog.list_articles()["articles_count"] == 1
    assert [c["body"] for c in rpc.blog.list_comments(slug="once-only")] == ["just one"]
    # Separate requests without a key remain separate writes.
    rpc.blog.create_article(author_id=alice["id"], title="Once only", description="d", body="b")
    assert rpc.blog.list_articles()["articles_count"] == 2


def test_a_user_deleted_event_whose_handler_failed_is_handled_again(
    runner_factory, service_config, rpc
):
    """The user is gone but their content is not (the handler failed half-way, its
    storage down): the event is redelivered until storage is back, and nothing is left."""
    config = {**service_config, "RPC_TIMEOUT": 1}
    storage_runner = runner_factory(config, StorageService)
    storage_runner.start()
    services_runner = runner_factory(config, UsersService, BlogService)
    services_runner.start()
    bob = rpc.users.register(username="bob", email="bob@example.com", password=PASSWORD)
    alice = rpc.users.register(username="alice", email="alice@example.com", password=PASSWORD)
    article = rpc.blog.create_article(
        author_id=bob["id"], title="Bob's", description="d", body="b", tag_list=["bobs"]
    )
    kept = rpc.blog.create_article(
        author_id=alice["id"], title="Alice's", description="d", body="b"
    )
    rpc.blog.add_comment(slug=kept["slug"], author_id=bob["id"], body="by bob")
    rpc.blog.favorite_article(slug=kept["slug"], user_id=bob["id"])
    rpc.blog.add_comment(slug=article["slug"], author_id=alice["id"], body="on bob's")
    rpc.storage.users_delete("bob")  # the users service's part is done...
    storage_runner.stop()  # ...and storage goes away before the blog's part

    # The handler fails at least once (storage does not answer within 1 s) before it is back.
    with entrypoint_waiter(
        get_container(services_runner, BlogService),
        "handle_user_deleted",
        callback=lambda worker_ctx, result, exc_info: exc_info is not None,
        timeout=30,
    ):
        event_dispatcher(config)("users", "user_deleted", {"id": bob["id"], "username": "bob"})
    runner_factory(config, StorageService).start()

    assert wait_until(lambda: rpc.storage.check_integrity()["ok"], seconds=30, interval=0.5), (
        json.dumps(rpc.storage.check_integrity())
    )
    assert rpc.blog.list_articles()["articles_count"] == 1
    assert rpc.blog.get_article(slug=kept["slug"])["favorites_count"] == 0
    assert rpc.blog.list_comments(slug=kept["slug"]) == []
    assert rpc.blog.list_tags() == []
