"""The headers both web apps add to what they answer, on a page and on an error: the
gateway says nosniff and keeps answers carrying a token out of caches; the frontend adds
its content security policy and referrer policy and keeps the pages of credentials out of
caches. Errors (an unknown path, a service that does not answer, a bug) carry the same
headers as pages."""

import pytest

from common.errors import ServiceUnavailable
from frontend.app import CONTENT_SECURITY_POLICY
from frontend.app import create_app as create_frontend
from gateway.app import create_app as create_gateway
from tests.unit.frontend.conftest import UNIT_CONFIG as FRONTEND_CONFIG
from tests.unit.gateway.conftest import UNIT_CONFIG as GATEWAY_CONFIG

SECURITY_HEADERS = (
    "X-Content-Type-Options",
    "Cache-Control",
    "Content-Security-Policy",
    "Referrer-Policy",
)

GATEWAY_HEADERS = {"X-Content-Type-Options": "nosniff"}
FRONTEND_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
NO_STORE = {"Cache-Control": "no-store"}
LOGIN = {"user": {"email": "ann@example.com", "password": "secret-pass"}}


def security_headers(response):
    return {name: response.headers[name] for name in SECURITY_HEADERS if name in response.headers}


def answer(app, fake_rpc, method, path, failure=None, **kwargs):
    """The answer to one request; ``failure`` is what ``blog.list_tags`` raises meanwhile."""
    if failure is not None:
        fake_rpc.fail_next("blog", "list_tags", failure)
    return app.test_client().open(path, method=method, **kwargs)


GATEWAY_CASES = [
    ("GET", "/api/tags", None, {}, 200, GATEWAY_HEADERS),
    ("POST", "/api/users/login", None, {"json": LOGIN}, 401, {**GATEWAY_HEADERS, **NO_STORE}),
    ("GET", "/api/no/such/path", None, {}, 404, GATEWAY_HEADERS),
    ("GET", "/api/tags", ServiceUnavailable("down"), {}, 503, GATEWAY_HEADERS),
    ("GET", "/api/tags", RuntimeError("a bug"), {}, 500, GATEWAY_HEADERS),
]

FRONTEND_CASES = [
    ("GET", "/", None, {}, 200, FRONTEND_HEADERS),
    ("GET", "/login", None, {}, 200, {**FRONTEND_HEADERS, **NO_STORE}),
    ("GET", "/no/such/page", None, {}, 404, FRONTEND_HEADERS),
    ("GET", "/", ServiceUnavailable("down"), {}, 503, FRONTEND_HEADERS),
    ("GET", "/", RuntimeError("a bug"), {}, 500, FRONTEND_HEADERS),
]


@pytest.mark.parametrize("method, path, failure, kwargs, status, expected", GATEWAY_CASES)
def test_the_gateway_headers(fake_rpc, method, path, failure, kwargs, status, expected):
    app = create_gateway(GATEWAY_CONFIG, rpc=fake_rpc)
    response = answer(app, fake_rpc, method, path, failure, **kwargs)
    assert response.status_code == status
    assert response.is_json
    assert security_headers(response) == expected


@pytest.mark.parametrize("method, path, failure, kwargs, status, expected", FRONTEND_CASES)
def test_the_frontend_headers(fake_rpc, method, path, failure, kwargs, status, expected):
    app = create_frontend(FRONTEND_CONFIG, rpc=fake_rpc)
    response = answer(app, fake_rpc, method, path, failure, **kwargs)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert security_headers(response) == expected
