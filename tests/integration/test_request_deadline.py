"""The calls of one gateway request share one deadline: a request waits at most
``RPC_TIMEOUT`` in all, however many calls it makes (the token check, then the work),
and its request message expires when its caller stops waiting."""

import time

import eventlet
import pytest
from nameko.rpc import rpc

from common.errors import ServiceUnavailable
from rpc_client.client import RpcClient

calls = []


class SlowService:
    name = "slow"

    @rpc
    def wait(self, seconds):
        eventlet.sleep(seconds)
        calls.append(seconds)
        return seconds


@pytest.fixture
def client(runner_factory, rabbit_config):
    calls.clear()
    runner_factory(rabbit_config, SlowService).start()
    client = RpcClient({**rabbit_config, "RPC_TIMEOUT": 3})
    yield client
    client.close()


def test_calls_of_one_request_share_its_deadline(client):
    deadline = time.monotonic() + 3
    assert client.call("slow", "wait", seconds=2, deadline=deadline) == 2
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        client.call("slow", "wait", seconds=2, deadline=deadline)
    assert time.monotonic() - started < 2, "the second call had only what was left"
    assert time.monotonic() < deadline + 1


def test_no_call_is_sent_once_the_deadline_has_passed(client):
    with pytest.raises(ServiceUnavailable, match="no time left"):
        client.call("slow", "wait", seconds=0, deadline=time.monotonic() - 1)
    assert client.call("slow", "wait", seconds=0) == 0  # the client is fine afterwards
    assert calls == [0]
