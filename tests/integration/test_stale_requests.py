"""A request whose caller gave up is never run later.

When a service is stopped, requests to it wait in its (durable) queue. The
caller is told ``ServiceUnavailable`` after ``RPC_TIMEOUT``; the request must
then expire from the queue, or the service would perform a write the caller
was told had failed as soon as it came back.
"""
import pytest
from nameko.rpc import rpc

from services.errors import ServiceUnavailable
from services.rpc_client import RpcClient
from services.rpc_timeout import TimedRpcProxy

TIMEOUT = 1
calls = []


class NotesService:
    """Stands in for a service that writes: it records every call it runs."""

    name = "notes"

    @rpc
    def add(self, text):
        calls.append(text)
        return len(calls)


class CallerService:
    """Calls ``notes`` as the blog service calls storage and users."""

    name = "caller"
    notes = TimedRpcProxy("notes")

    @rpc
    def add_note(self, text):
        return self.notes.add(text)


@pytest.fixture
def config(rabbit_config):
    calls.clear()
    return {**rabbit_config, "RPC_TIMEOUT": TIMEOUT}


def stop_notes_service(runner_factory, config):
    """Run ``notes`` once so that its queue exists, then stop it: requests now wait."""
    runner = runner_factory(config, NotesService)
    runner.start()
    runner.stop()


def test_request_from_a_client_that_gave_up_is_not_run_later(runner_factory, config):
    stop_notes_service(runner_factory, config)
    client = RpcClient(config)
    with pytest.raises(ServiceUnavailable, match="did not answer within 1 seconds"):
        client.notes.add("while the service was down")

    runner_factory(config, NotesService).start()

    assert client.notes.add("after it came back") == 1
    assert calls == ["after it came back"]
    client.close()


def test_request_from_a_service_that_gave_up_is_not_run_later(runner_factory, config):
    stop_notes_service(runner_factory, config)
    runner_factory(config, CallerService).start()
    client = RpcClient({**config, "RPC_TIMEOUT": 10})
    with pytest.raises(ServiceUnavailable, match="the notes service did not answer within 1"):
        client.caller.add_note("while the service was down")

    runner_factory(config, NotesService).start()

    assert client.caller.add_note("after it came back") == 1
    assert calls == ["after it came back"]
    client.close()
