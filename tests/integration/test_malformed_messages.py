"""A message a service cannot handle is refused and dropped; the service goes on.

Each test publishes raw messages with kombu straight to a service's queue on the
test's own vhost, then shows that the service still answers a normal call and,
once it has stopped (so that anything left unacknowledged would be back in the
queue), that the queue is empty. Before ``services.rpc.guard`` each of the
refused messages below stopped the service, and the broker handed it to the
next instance.
"""

import json
import logging
import uuid

import pytest
from amqp import Message
from kombu import Connection, Exchange, Queue

from services.blog import BlogService
from services.rpc.guard import MAX_MESSAGE_BYTES
from services.storage import StorageService
from tests.integration.conftest import migrated, sqlite_uris
from tests.support.polling import wait_until

RPC_EXCHANGE = "nameko-rpc"
HEALTH = json.dumps({"args": [], "kwargs": {}}).encode()


@pytest.fixture
def database_uris(tmp_path):
    """SQLite only: what is under test is the message handling, not the engine."""
    return migrated(sqlite_uris(tmp_path))


def publish(
    config, body, routing_key, exchange=RPC_EXCHANGE, reply_to=None, content_type="application/json"
):
    """Publish ``body`` (bytes, sent as they are) with only the given properties."""
    properties = {"correlation_id": str(uuid.uuid4())}
    if content_type is not None:
        properties.update(content_type=content_type, content_encoding="utf-8")
    if reply_to is not None:
        properties["reply_to"] = reply_to
    with Connection(config["AMQP_URI"]) as connection:
        connection.default_channel.basic_publish(
            Message(body, **properties), exchange=exchange, routing_key=routing_key
        )


def call_with_raw_reply(config, body, routing_key):
    """Publish ``body`` to ``routing_key`` with a reply address and return the reply."""
    name = f"test-replies-{uuid.uuid4()}"
    reply_queue = Queue(
        name,
        exchange=Exchange(RPC_EXCHANGE, type="topic", durable=True),
        routing_key=name,
        auto_delete=True,
    )
    replies = []
    with Connection(config["AMQP_URI"]) as connection:
        with connection.Consumer(
            reply_queue,
            accept=["json"],
            callbacks=[lambda reply, message: (replies.append(reply), message.ack())],
        ):
            publish(config, body, routing_key, reply_to=name)
            connection.drain_events(timeout=20)
    return replies[0]


def refusals(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "services.rpc.guard"]


def messages_left(config, queue):
    with Connection(config["AMQP_URI"]) as connection:
        return connection.default_channel.queue_declare(queue, passive=True).message_count


REFUSED = {
    "no reply_to": (dict(body=HEALTH), "no reply_to"),
    "no reply_to, unknown method": (
        dict(body=HEALTH, routing_key="storage.no_such_method"),
        "no reply_to",
    ),
    "no reply_to, wrong argument types": (dict(body=b'{"args": "x", "kwargs": []}'), "no reply_to"),
    "no content type": (
        dict(body=HEALTH, content_type=None, reply_to="nobody"),
        "content type None is not accepted",
    ),
    "pickle": (
        dict(
            body=b"\x80\x04K\x01.", content_type="application/x-python-serialize", reply_to="nobody"
        ),
        "is not accepted",
    ),
    "not JSON": (dict(body=b"{not json", reply_to="nobody"), "undecodable body"),
    "not UTF-8": (dict(body=b"\xff\xfe\x00", reply_to="nobody"), "undecodable body"),
    "oversized": (
        dict(
            body=json.dumps({"args": ["a" * MAX_MESSAGE_BYTES], "kwargs": {}}).encode(),
            reply_to="nobody",
        ),
        f"body over {MAX_MESSAGE_BYTES} bytes",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_message_the_service_cannot_handle_is_refused_and_dropped(
    case, runner_factory, service_config, rpc, caplog
):
    """With one worker the broker delivers the normal call only once the bad message
    is acknowledged or rejected: its answer shows the bad one settled, the service alive."""
    runner = runner_factory({**service_config, "max_workers": 1}, StorageService)
    runner.start()
    message, reason = REFUSED[case]

    with caplog.at_level(logging.WARNING, logger="services.rpc.guard"):
        publish(service_config, **{"routing_key": "storage.health", **message})
        assert rpc.storage.health()["users"]["ok"]
        runner.stop()

    assert messages_left(service_config, "rpc-storage") == 0
    assert len(refusals(caplog)) == 1 and reason in refusals(caplog)[0], refusals(caplog)


ANSWERED = {
    "unknown method": ("storage.no_such_method", HEALTH, "MethodNotFound"),
    "no args or kwargs": ("storage.health", b'{"kwargs": {}}', "MalformedRequest"),
    "wrong argument types": (
        "storage.health",
        b'{"args": "x", "kwargs": []}',
        "IncorrectSignature",
    ),
    "wrong arguments": (
        "storage.users_get",
        b'{"args": [1, 2, 3, 4], "kwargs": {}}',
        "IncorrectSignature",
    ),
    "not an object": ("storage.health", b"[1, 2]", "TypeError"),
}


@pytest.mark.parametrize("case", ANSWERED)
def test_a_request_with_a_reply_address_gets_a_clear_error(
    case, runner_factory, service_config, rpc
):
    runner = runner_factory(service_config, StorageService)
    runner.start()
    routing_key, body, error = ANSWERED[case]

    reply = call_with_raw_reply(service_config, body, routing_key)

    assert reply["result"] is None
    assert reply["error"]["exc_type"] == error
    assert rpc.storage.health()["users"]["ok"]
    runner.stop()
    assert messages_left(service_config, "rpc-storage") == 0


def test_an_undecodable_event_is_refused_and_the_handler_goes_on(
    runner_factory, service_config, rpc, caplog
):
    runner = runner_factory(service_config, StorageService, BlogService)
    runner.start()
    queue = "evt-users-user_deleted--blog.handle_user_deleted"

    with caplog.at_level(logging.WARNING, logger="services.rpc.guard"):
        publish(service_config, b"{not json", "user_deleted", exchange="users.events")
        assert wait_until(lambda: refusals(caplog)), "no refusal logged"
        assert rpc.blog.list_tags() == []
        runner.stop()

    assert messages_left(service_config, queue) == 0
    assert "undecodable body" in refusals(caplog)[0]
