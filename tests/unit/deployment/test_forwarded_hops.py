"""Both web apps trust exactly the last PROXY_HOPS entries of X-Forwarded-For and -Proto.

The headers as the project's nginx passes them on (deploy/proxy/locations.conf): what came
in, with its own hop appended. What a client wrote in front is never taken.
"""

import pytest

from frontend.app import create_app as create_frontend
from gateway.app import create_app as create_gateway
from tests.support.http_helpers import SEEN_BY_THE_APP, show_what_the_app_sees

APPS = {
    "gateway": lambda hops: create_gateway(
        {"AMQP_URI": "memory://", "PROXY_HOPS": hops}, rpc=object()
    ),
    "frontend": lambda hops: create_frontend(
        {"SECRET_KEY": "unit-test-secret", "PROXY_HOPS": hops}, rpc=object()
    ),
}
PEER = "10.0.0.5"  # the TCP peer of the app: the nginx proxy


def seen_by(app_name, hops, headers):
    """``(address, scheme)`` the app takes for a request from PEER with these headers."""
    app = show_what_the_app_sees(APPS[app_name](hops))
    answer = app.test_client().get(
        SEEN_BY_THE_APP, headers=headers, environ_base={"REMOTE_ADDR": PEER}
    )
    return answer.json["address"], answer.json["scheme"]


@pytest.mark.parametrize("app_name", APPS)
@pytest.mark.parametrize(
    "hops, headers, expected",
    [
        # No proxy trusted: the peer, whatever the headers say.
        (0, {"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"}, (PEER, "http")),
        # nginx at the edge: its own hop, never the address a client wrote before it.
        (1, {"X-Forwarded-For": "203.0.113.7"}, ("203.0.113.7", "http")),
        (
            1,
            {"X-Forwarded-For": "198.51.100.9, 203.0.113.7", "X-Forwarded-Proto": "https, http"},
            ("203.0.113.7", "http"),
        ),
        # An outer TLS load balancer, then nginx: the balancer's hop (the client), its scheme.
        (
            2,
            {"X-Forwarded-For": "203.0.113.7, 10.0.0.2", "X-Forwarded-Proto": "https, http"},
            ("203.0.113.7", "https"),
        ),
        (
            2,
            {
                "X-Forwarded-For": "198.51.100.9, 203.0.113.7, 10.0.0.2",
                "X-Forwarded-Proto": "http, https, http",
            },
            ("203.0.113.7", "https"),
        ),
        # Fewer hops than trusted (a request that did not pass the balancer): the peer.
        (2, {"X-Forwarded-For": "10.0.0.2", "X-Forwarded-Proto": "http"}, (PEER, "http")),
    ],
)
def test_the_apps_trust_exactly_the_configured_hops(app_name, hops, headers, expected):
    assert seen_by(app_name, hops, headers) == expected
