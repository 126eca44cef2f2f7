"""The gateway's HTTP plumbing: error mapping, limits, CORS, request ids, logs, health, OpenAPI."""

import json
import logging
import re

import amqp
import pytest
import yaml

from common.errors import BrokerUnreachable, ServiceUnavailable
from gateway.app import create_app
from gateway.openapi import DOCUMENT_PATH
from rpc_client.probes import SERVICE_PROBES
from tests.support.http_helpers import errors_of, sign_up
from tests.unit.gateway.conftest import UNIT_CONFIG

HTTP_METHODS_SERVED = {"GET", "POST", "PUT", "DELETE"}


def test_unparsable_json_is_400_with_a_json_error(client):
    sign_up(client, "ann")

    response = client.post("/api/users/login", data='{"user": ', content_type="application/json")

    assert response.status_code == 400
    assert errors_of(response) == ["request body is not valid JSON"]


def test_a_body_over_the_configured_limit_is_413(client, fake_rpc):
    oversize = json.dumps({"user": {"username": "a" * 5000, "email": "e", "password": "p"}})

    response = client.post("/api/users", data=oversize, content_type="application/json")

    assert response.status_code == 413
    assert errors_of(response) == ["request body is larger than 4096 bytes"]
    assert fake_rpc.calls == []


@pytest.mark.parametrize("path", ["/api/nothing-here", "/", "/api/articles/a/b/c"])
def test_an_unknown_path_is_a_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert errors_of(response) == [f"no such resource: GET {path}"]


def test_a_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/tags")

    assert response.status_code == 405
    assert errors_of(response) == ["method DELETE is not allowed on /api/tags"]
    assert "GET" in response.headers["Allow"]


def test_an_unavailable_service_is_503(client, fake_rpc):
    fake_rpc.fail_next("blog", "list_tags", ServiceUnavailable("the blog service is not running"))

    response = client.get("/api/tags")

    assert response.status_code == 503
    assert errors_of(response) == ["the blog service is not running"]


def test_an_unexpected_error_is_500_with_a_logged_reference_and_no_traceback(
    client, fake_rpc, caplog
):
    fake_rpc.fail_next("blog", "list_tags", KeyError("secret internals"))

    with caplog.at_level(logging.ERROR, logger="gateway.error_responses"):
        response = client.get("/api/tags", headers={"X-Request-Id": "req-500"})

    assert response.status_code == 500
    [message] = errors_of(response)
    reference = re.fullmatch(r"internal error, reference ([0-9a-f]{12})", message).group(1)
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    [record] = caplog.records
    assert reference in record.getMessage() and "req-500" in record.getMessage()
    assert record.exc_info is not None


@pytest.mark.parametrize("path", ["/api/articles", "/api/articles/"])
def test_cors_preflight_allows_the_api_headers(client, path):
    """RealWorld clients post to ``/api/articles/``: the preflight must pass there too."""
    response = client.options(
        path,
        headers={
            "Origin": "http://localhost:4200",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:4200"
    allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_cors_headers_on_answers_and_errors_expose_the_request_id(client):
    ok = client.get("/api/tags", headers={"Origin": "http://localhost:4200"})
    error = client.get("/api/user", headers={"Origin": "http://localhost:4200"})

    for response in (ok, error):
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:4200"
        assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]


def test_cors_origins_can_be_restricted(fake_rpc):
    config = {**UNIT_CONFIG, "GATEWAY": {"CORS_ORIGINS": "http://a.example, http://b.example"}}
    client = create_app(config, rpc=fake_rpc).test_client()

    allowed = client.get("/api/tags", headers={"Origin": "http://b.example"})
    refused = client.get("/api/tags", headers={"Origin": "http://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "http://b.example"
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_the_client_request_id_is_echoed_and_travels_into_every_rpc_call(client, fake_rpc):
    auth = sign_up(client, "ann")
    fake_rpc.calls.clear()

    response = client.get("/api/user", headers={**auth, "X-Request-Id": "abc-123"})

    assert response.headers["X-Request-Id"] == "abc-123"
    assert [call[3] for call in fake_rpc.calls] == [{"request_id": "abc-123"}]


@pytest.mark.parametrize("sent", [None, "has spaces", "x" * 200])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_generated_one(client, fake_rpc, sent):
    headers = {} if sent is None else {"X-Request-Id": sent}

    response = client.get("/api/tags", headers=headers)

    request_id = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert fake_rpc.calls[-1][3] == {"request_id": request_id}


class RecordingHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_each_request_writes_one_json_access_line(client):
    handler = RecordingHandler()
    logging.getLogger("gateway.access").addHandler(handler)
    try:
        client.get("/api/articles/nope", headers={"X-Request-Id": "log-1"})
    finally:
        logging.getLogger("gateway.access").removeHandler(handler)

    [line] = handler.lines
    entry = json.loads(line)
    assert entry["request_id"] == "log-1"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/articles/nope", 404)
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0


OPERATOR_TOKEN = "operators-only-0123456789"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


@pytest.fixture
def operated(fake_rpc):
    """The gateway with an operators' token for /healthz's details."""
    config = {
        **UNIT_CONFIG,
        "GATEWAY": {**UNIT_CONFIG["GATEWAY"], "HEALTH_DETAILS_TOKEN": OPERATOR_TOKEN},
    }
    return create_app(config, rpc=fake_rpc).test_client()


def test_healthz_reports_the_broker_and_every_service_to_operators(operated):
    response = operated.get("/healthz", headers=OPERATOR)

    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"rabbitmq", "users", "blog", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["storage"]["databases"]["blog"]["ok"] is True


FAILING_DATABASE = {
    "users": {"ok": True, "schema_version": "0003", "schema_head": "0003"},
    "blog": {
        "ok": False,
        "error": "OperationalError: password authentication failed for user blog_app at 10.0.0.7",
    },
}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Token {OPERATOR_TOKEN}"}]
)
def test_the_public_gets_the_verdict_only(operated, fake_rpc, headers):
    fake_rpc.storage._implementation.health = lambda: FAILING_DATABASE

    response = operated.get("/healthz", headers=headers)

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_without_an_operators_token_nobody_gets_the_details(client, fake_rpc):
    fake_rpc.storage._implementation.health = lambda: FAILING_DATABASE

    response = client.get("/healthz", headers={"Authorization": "Bearer "})

    assert response.get_json() == {"status": "unavailable"}


def test_healthz_is_503_and_names_the_service_that_does_not_answer(operated, fake_rpc):
    fake_rpc.fail_next(
        "blog",
        "list_tags",
        ServiceUnavailable("the blog service did not answer within 2.0 seconds"),
    )

    response = operated.get("/healthz", headers=OPERATOR)

    checks = response.get_json()["checks"]
    assert response.status_code == 503
    assert checks["blog"] == {
        "ok": False,
        "error": "the blog service did not answer within 2.0 seconds",
    }
    assert checks["users"]["ok"] is True and checks["rabbitmq"]["ok"] is True


def test_healthz_reports_a_failing_database(operated, fake_rpc):
    fake_rpc.storage._implementation.health = lambda: FAILING_DATABASE

    response = operated.get("/healthz", headers=OPERATOR)

    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"]["ok"] is False


def test_healthz_reports_an_unreachable_broker_from_the_pooled_client(operated, fake_rpc):
    for service_name, (method_name, _, _) in SERVICE_PROBES.items():
        fake_rpc.fail_next(
            service_name, method_name, BrokerUnreachable("the message broker is unreachable")
        )

    response = operated.get("/healthz", headers=OPERATOR)

    assert response.status_code == 503
    assert response.get_json()["checks"]["rabbitmq"] == {
        "ok": False,
        "error": "the message broker is unreachable",
    }


def test_healthz_opens_no_broker_connection_of_its_own(fake_rpc, monkeypatch):
    """The probes go through the app's client (here the fake); with a real client the
    connection is its pool's (tests/integration/test_health_connections.py)."""
    opened = []
    monkeypatch.setattr(amqp.Connection, "connect", lambda *args, **kwargs: opened.append(1))
    client = create_app(
        {**UNIT_CONFIG, "AMQP_URI": "pyamqp://guest:guest@127.0.0.1:9//"}, rpc=fake_rpc
    ).test_client()
    for _ in range(10):
        assert client.get("/healthz").status_code == 200
    assert opened == []


def test_every_answer_says_https_only_when_the_public_url_is_https(fake_rpc):
    secure = create_app(
        {**UNIT_CONFIG, "FRONTEND": {"PUBLIC_URL": "https://blog.example"}}, rpc=fake_rpc
    ).test_client()
    plain = create_app(UNIT_CONFIG, rpc=fake_rpc).test_client()
    for path in ("/api/tags", "/healthz", "/api/openapi.json", "/api/no-such-thing"):
        assert secure.get(path).headers["Strict-Transport-Security"] == "max-age=31536000"
        assert "Strict-Transport-Security" not in plain.get(path).headers


def served_operations(app):
    operations = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        operations |= {(path, method) for method in rule.methods & HTTP_METHODS_SERVED}
    return operations


def documented_operations(document):
    return {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }


def read_document():
    with open(DOCUMENT_PATH) as document_file:
        return yaml.safe_load(document_file)


def test_the_openapi_document_lists_exactly_the_served_routes(app):
    document = read_document()

    assert documented_operations(document) == served_operations(app)
    assert len(served_operations(app)) == 19 + 2  # RealWorld's operations, the document, /healthz


CALLS_NO_SERVICE = {("/api/openapi.json", "GET")}
BODY_FOR_ANY_OPERATION = {
    "user": {"username": "ann", "email": "ann@example.com", "password": "secret-pass"},
    "article": {"title": "T", "description": "D", "body": "B", "tagList": []},
    "comment": {"body": "C"},
}
"""Passes the gateway's own checks of every operation's body, so each gets to call a service."""
SERVICE_UNAVAILABLE = {"$ref": "#/components/responses/ServiceUnavailable"}
HEALTH_RESPONSE = {"$ref": "#/components/responses/HealthResponse"}


def answers_with_the_services_down(app, client, fake_rpc):
    """``{(path, method): (whether it called a service, response)}`` for every route."""
    fake_rpc.down = True
    answers = {}
    for path, method in served_operations(app):
        fake_rpc.calls.clear()
        url = path.replace("{username}", "ann").replace("{slug}", "a-slug")
        response = client.open(
            url.replace("{comment_id}", "1"),
            method=method,
            json=BODY_FOR_ANY_OPERATION,
            headers={"Authorization": "Token x"},
        )
        answers[(path, method)] = (bool(fake_rpc.calls), response)
    return answers


def test_every_operation_that_calls_a_service_documents_its_503(app, client, fake_rpc):
    """With the services down, every route but the document itself calls one and answers 503,
    and the document says so: the shared ServiceUnavailable error, or /healthz's own checks."""
    document = read_document()
    answers = answers_with_the_services_down(app, client, fake_rpc)
    calling = {operation for operation, (called, _) in answers.items() if called}

    def documented_503(path, method):
        return document["paths"][path][method.lower()]["responses"].get("503")

    assert calling == served_operations(app) - CALLS_NO_SERVICE
    assert {
        operation: response.status_code
        for operation, (_, response) in answers.items()
        if operation in calling and response.status_code != 503
    } == {}
    assert {
        (path, method): documented_503(path, method)
        for path, method in calling
        if documented_503(path, method) != SERVICE_UNAVAILABLE and path != "/healthz"
    } == {}
    assert documented_503("/healthz", "GET") == HEALTH_RESPONSE
    assert documented_503("/api/openapi.json", "GET") is None
    for operation in calling - {("/healthz", "GET")}:
        assert errors_of(answers[operation][1]), operation
    assert answers[("/healthz", "GET")][1].get_json()["status"] == "unavailable"


def test_the_shared_503_of_the_api_has_the_error_body():
    response = read_document()["components"]["responses"]["ServiceUnavailable"]

    assert response["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/GenericErrorModel"}}
    }


def test_the_openapi_document_is_served_as_json(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.get_json()["paths"]["/api/tags"]["get"]["operationId"] == "GetTags"


def test_create_app_reads_config_yaml_by_default(fake_rpc):
    app = create_app(rpc=fake_rpc)

    assert app.config["MAX_CONTENT_LENGTH"] == 1048576


def test_a_request_line_over_the_limit_is_a_json_414(client):
    """Schema fuzzing at scale generated a 4435-byte query string: gunicorn refused it with
    its own HTML page, a status and body outside the document."""
    response = client.get("/api/articles?tag=" + "x" * 5000)
    assert response.status_code == 414
    assert response.get_json() == {"errors": {"body": ["request line is longer than 4094 bytes"]}}
    assert client.get("/api/articles?tag=" + "x" * 3000).status_code == 200
