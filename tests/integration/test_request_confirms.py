"""RPC requests are confirmed by the broker only until their route (``service.method``)
is known to be deliverable (``services.rpc.transport``): a service that has never started
is reported at once, and the requests that follow a delivered one cost no confirm. (A
method the broker refuses the caller's account stays refused at once:
tests/integration/test_broker_permissions.py.)"""
import time

import pytest
from nameko.amqp.publish import Publisher
from nameko.rpc import rpc

from services.errors import ServiceUnavailable
from services.rpc.client import RpcClient


class EchoService:
    name = "echo"

    @rpc
    def echo(self, value):
        return value

    @rpc
    def shout(self, value):
        return value.upper()


@pytest.fixture
def request_confirms(monkeypatch):
    """``[(routing key, confirmed)]`` of every RPC request published in this process."""
    published = []
    publish = Publisher.publish

    def recording_publish(self, payload, **kwargs):
        if "reply_to" in kwargs:  # a request, not a reply
            confirmed = kwargs.get("use_confirms", self.use_confirms)
            published.append((kwargs["routing_key"], confirmed))
        return publish(self, payload, **kwargs)

    monkeypatch.setattr(Publisher, "publish", recording_publish)
    return published


@pytest.fixture
def client(rabbit_config):
    client = RpcClient(rabbit_config, timeout=5)
    yield client
    client.close()


def test_only_the_first_request_of_a_route_waits_for_a_confirm(
        container_factory, rabbit_config, client, request_confirms):
    container_factory(EchoService, rabbit_config).start()

    assert [client.echo.echo(value=number) for number in range(3)] == [0, 1, 2]
    assert client.echo.shout(value="hi") == "HI"

    assert request_confirms == [
        ("echo.echo", True), ("echo.echo", False), ("echo.echo", False), ("echo.shout", True)]


def test_a_service_that_never_started_is_unavailable_at_once_every_time(
        client, request_confirms):
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="the nowhere service is not running"):
            client.nowhere.anything()
        assert time.monotonic() - started < 2  # not the 5 s timeout

    assert request_confirms == [("nowhere.anything", True), ("nowhere.anything", True)]
