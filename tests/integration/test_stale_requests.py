"""A request whose caller gave up is never run later.

When a service is stopped, requests to it wait in its (durable) queue. The
caller is told ``ServiceUnavailable`` after ``RPC_TIMEOUT``; the request must
then expire from the queue, or the service would perform a write the caller
was told had failed as soon as it came back.
"""

import pytest
from nameko.rpc import rpc

from common.errors import ServiceUnavailable
from rpc_client.client import RpcClient
from services.rpc.timed_proxy import TimedRpcProxy

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


def add_note_directly(client, text):
    """The gateway's and frontend's path: the shared client calls ``notes``."""
    return client.notes.add(text)


def add_note_through_a_service(client, text):
    """A service's path: ``caller`` calls ``notes`` through ``TimedRpcProxy``."""
    return client.caller.add_note(text)


@pytest.mark.parametrize(
    "add_note, client_timeout",
    [
        (add_note_directly, TIMEOUT),  # the client gives up
        (add_note_through_a_service, 10),  # the client waits longer: the service gives up
    ],
)
def test_a_request_whose_caller_gave_up_is_not_run_later(
    runner_factory, config, add_note, client_timeout
):
    stop_notes_service(runner_factory, config)
    runner_factory(config, CallerService).start()
    client = RpcClient({**config, "RPC_TIMEOUT": client_timeout})
    with pytest.raises(ServiceUnavailable, match="the notes service did not answer within 1 sec"):
        add_note(client, "while the service was down")

    runner_factory(config, NotesService).start()

    assert add_note(client, "after it came back") == 1
    assert calls == ["after it came back"]
    client.close()
