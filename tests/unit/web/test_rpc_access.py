"""``web.rpc_access.rpc()``: the calls of one request carry its request id and share one
deadline, ``timeout`` after the first call; the next request starts afresh."""

import time

from flask import Flask, g

from web.rpc_access import request_id, rpc


class RecordingClient:
    """Records what ``with_context`` is given, the way ``RpcClient`` receives it."""

    timeout = 10

    def __init__(self):
        self.contexts = []

    def with_context(self, context, deadline=None):
        self.contexts.append((context, deadline))
        return self


def app_with(client):
    app = Flask(__name__)
    app.extensions["rpc"] = client
    return app


def test_the_calls_of_one_request_share_its_id_and_one_deadline():
    client = RecordingClient()
    app = app_with(client)
    with app.test_request_context():
        before = time.monotonic()
        rpc(), rpc()
        after = time.monotonic()
        first_request = request_id()
    with app.test_request_context():
        rpc()

    (first, first_deadline), (second, second_deadline), (third, third_deadline) = client.contexts
    assert first == second == {"request_id": first_request}
    assert first_deadline == second_deadline
    assert before + client.timeout <= first_deadline <= after + client.timeout
    assert third["request_id"] != first_request and third_deadline >= first_deadline


def test_an_id_the_app_gave_the_request_is_the_one_sent():
    client = RecordingClient()
    with app_with(client).test_request_context():
        g.request_id = "from-the-access-log"
        rpc()

    assert client.contexts[0][0] == {"request_id": "from-the-access-log"}
