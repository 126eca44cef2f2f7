"""RabbitMQ restarted under a write load: every process reconnects by itself.

The test runs a RabbitMQ node of its own (tests/support/rabbit_node.py: own node name,
ports, data and config in a temporary folder; the shared broker is never
touched) and a stack on it (SQLite: the engine plays no part here). While the
node is down the gateway answers 503 and the frontend its friendly "we will be
right back" page; after the node is back the services, gateway and frontend
answer again within 30 s with no process restarted, and no write answered 201
is lost or stored twice (requests are transient: one queued during the restart is
lost and its caller got a 503, never an acknowledged write; see docs/RELIABILITY.md).
"""

import json
import time

import pytest
import requests

from tests.support.rabbit_node import RabbitNode, server_script
from tests.support.stack import Stack
from tests.support.write_load import WriteLoad, sign_up, titles_in_blog_database

RPC_TIMEOUT = 6
RECONNECT_DEADLINE_SECONDS = 30
ANSWER_SLACK_SECONDS = 3


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    if server_script() is None:
        pytest.skip("rabbitmq-server is not installed: no node of the test's own can run")
    node = RabbitNode(tmp_path_factory.mktemp("rabbit-node"))
    try:
        yield node.start()
    finally:
        node.stop()


@pytest.fixture(scope="module")
def broker_stack(broker, tmp_path_factory):
    stack = Stack(
        tmp_path_factory.mktemp("broker-restart"),
        rpc_timeout=RPC_TIMEOUT,
        amqp_uri=broker.amqp_uri,
        extra_env={"BACKUP_INTERVAL_SECONDS": "0"},
    )
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def status_of(url, **kwargs):
    try:
        return requests.get(url, timeout=RPC_TIMEOUT + ANSWER_SLACK_SECONDS, **kwargs).status_code
    except requests.RequestException:
        return 0


def seconds_until_all_answer(stack, started):
    """Wait until the gateway (its health check covers the broker and every service), an
    API read and a frontend page answer 200; seconds since ``started``."""
    probes = [
        stack.gateway_url + "/healthz",
        stack.gateway_url + "/api/tags",
        stack.frontend_url + "/",
    ]
    deadline = started + RECONNECT_DEADLINE_SECONDS
    while True:
        statuses = [status_of(url) for url in probes]
        if statuses == [200, 200, 200]:
            return time.monotonic() - started
        assert time.monotonic() < deadline, (
            f"not answering {RECONNECT_DEADLINE_SECONDS} s after the broker came back: "
            f"{dict(zip(probes, statuses, strict=True))}"
        )
        time.sleep(0.5)


def test_rabbitmq_restarted_under_a_write_load(broker, broker_stack):
    stack = broker_stack
    user, headers = sign_up(stack.gateway_url, "brokerrestart")
    pids = {name: process.pid for name, process in stack.processes.items()}
    load = WriteLoad(stack.gateway_url, headers, threads=4).start()
    deadline = time.monotonic() + 30
    while load.acknowledged_count() < 10:
        assert time.monotonic() < deadline, "no writes before the restart"
        time.sleep(0.2)

    broker.stop()
    stopped_at = time.monotonic()
    gateway_down = requests.get(stack.gateway_url + "/api/tags", timeout=30)
    frontend_down = requests.get(stack.frontend_url + "/", timeout=30)
    broker.start()
    back_at = time.monotonic()
    acknowledged_at_return = load.acknowledged_count()
    reconnect_seconds = seconds_until_all_answer(stack, back_at)
    deadline = time.monotonic() + RECONNECT_DEADLINE_SECONDS
    while load.acknowledged_count() < acknowledged_at_return + 10:
        assert time.monotonic() < deadline, "writes did not resume"
        time.sleep(0.2)
    figures = load.stop()

    stored = titles_in_blog_database(stack.workdir / "blog.db", f"Load {load.run_id} ")
    lost = [answer.title for answer in figures.acknowledged if stored[answer.title] == 0]
    twice = sorted(title for title, count in stored.items() if count > 1)
    restarted = [
        name
        for name, process in stack.processes.items()
        if process.pid != pids[name] or process.poll() is not None
    ]
    print(
        "\n[rabbitmq restart] "
        + json.dumps(
            {
                "load": figures.summary(),
                "stored": sum(stored.values()),
                "lost": len(lost),
                "twice": len(twice),
                "broker_down_seconds": round(back_at - stopped_at, 1),
                "all_answer_after_seconds": round(reconnect_seconds, 1),
                "first_write_after_return_seconds": figures.first_acknowledged_after(back_at),
                "gateway_while_down": gateway_down.status_code,
                "frontend_while_down": frontend_down.status_code,
            }
        )
    )
    assert gateway_down.status_code == 503
    assert gateway_down.json()["errors"]["body"]
    assert frontend_down.status_code == 503 and "We will be right back" in frontend_down.text
    assert restarted == []
    assert lost == [] and twice == []
    assert figures.unexpected() == []
    assert figures.slower_than(RPC_TIMEOUT + ANSWER_SLACK_SECONDS) == []
