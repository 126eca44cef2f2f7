"""Property-based tests of the gateway against its own OpenAPI document (schemathesis).

For every operation that ``/api/openapi.json`` describes, schemathesis generates
requests (valid ones and invalid ones) and each response must be no 5xx, carry a
documented status code and content type, and match the documented schema.

Generated path parameters rarely name anything that exists, so each case also
draws whether ``{username}``, ``{slug}`` and ``{comment_id}`` name real resources
seeded over RPC (``Residents``), and whether the request carries the caller's
valid token (most of the time, so the authenticated code paths get fuzzed), a
token that does not verify, or none.
"""

import os
import uuid
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from gateway.openapi import load_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
"""Left out, because they do not apply here: ``positive_data_acceptance`` (the document
describes shapes; the services reject well-shaped values, such as a blank title or a
taken username, with a documented 422) and ``negative_data_rejection`` (this test
replaces the generated Authorization header and path parameters after generation, so
a case generated as invalid may well be sent as a valid one)."""

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "25"))
"""Enough to reach every documented status of an operation; the file stays well under 90 s.
``make fuzz`` raises it (``FUZZ_EXAMPLES=250``: several thousand requests on SQLite)."""

SENT = Counter()
"""Requests sent per (engine, status class), printed at the end of the module."""

GENERATED = "generated"
"""A drawn choice: keep the value schemathesis generated."""


@pytest.fixture(scope="module")
def gateway_schema(stack):
    yield schemathesis.openapi.from_url(stack.gateway_url + "/api/openapi.json")
    print(
        f"\n[schema fuzzing] {EXAMPLES_PER_OPERATION} examples per operation: "
        f"{sum(SENT.values())} requests, {dict(sorted(SENT.items()))}"
    )
    SENT.clear()


class Residents:
    """Real users, an article and a comment, made over RPC, that generated requests can name.

    ``caller`` signs the requests. ``neighbour`` owns an article and a comment
    that survive the run (the caller may not change or delete them); articles
    and comments the caller may delete are made fresh for each case that needs one.
    """

    def __init__(self, rpc):
        self.rpc = rpc
        self.caller = self.new_user("caller")
        self.neighbour = self.new_user("neighbour")
        self.neighbours_article = self.rpc.call(
            "blog",
            "create_article",
            author_id=self.neighbour["id"],
            title="Neighbour's article",
            description="Seeded",
            body="Seeded body",
            tag_list=["seeded", "fuzz"],
        )
        self.neighbours_comment = self.new_comment(self.neighbours_article["slug"], self.neighbour)
        self.rpc.call(
            "blog",
            "favorite_article",
            slug=self.neighbours_article["slug"],
            user_id=self.caller["id"],
        )

    def new_user(self, prefix):
        name = f"{prefix}{uuid.uuid4().hex[:8]}"
        return self.rpc.call(
            "users", "register", username=name, email=f"{name}@example.com", password="pass-word-1"
        )

    def new_article(self):
        return self.rpc.call(
            "blog",
            "create_article",
            author_id=self.caller["id"],
            title="Caller's article",
            description="Fresh",
            body="Fresh body",
            tag_list=["fuzz"],
        )

    def new_comment(self, slug, author=None):
        author = author or self.caller
        return self.rpc.call(
            "blog", "add_comment", slug=slug, author_id=author["id"], body="A comment"
        )


@pytest.fixture(scope="module")
def residents(stack):
    return Residents(stack.rpc)


def name_residents(case, data, residents):
    """Replace generated path parameters, on a drawn choice, with real resources."""
    parameters = case.path_parameters or {}
    if "username" in parameters:
        parameters["username"] = data.draw(
            st.sampled_from(
                [
                    parameters["username"],
                    residents.neighbour["username"],
                    residents.caller["username"],
                ]
            )
        )
    if "slug" in parameters:
        owner = data.draw(st.sampled_from([GENERATED, "neighbour", "caller"]))
        if owner == "neighbour":
            parameters["slug"] = residents.neighbours_article["slug"]
        elif owner == "caller":
            parameters["slug"] = residents.new_article()["slug"]
        if "comment_id" in parameters and owner != GENERATED:
            comment_owner = data.draw(st.sampled_from([GENERATED, "neighbour", "caller"]))
            if comment_owner == "neighbour":
                parameters["comment_id"] = residents.neighbours_comment["id"]
            elif comment_owner == "caller":
                parameters["comment_id"] = residents.new_comment(parameters["slug"])["id"]


def authorization(case, data, residents):
    """The ``Authorization`` header to send, on a drawn choice: mostly the caller's
    token, sometimes a token that does not verify, sometimes none at all."""
    case.headers = {
        name: value
        for name, value in (case.headers or {}).items()
        if name.lower() != "authorization"
    }
    credentials = data.draw(st.sampled_from(["caller", "caller", "forged", "none"]))
    if credentials == "none":
        return {}
    if credentials == "forged":
        return {"Authorization": "Token not-a-token"}
    return {"Authorization": f"Token {caller_token(case, residents)}"}


def caller_token(case, residents):
    """The caller's token for ``case``.

    Updating the current user may change its password, which revokes its
    tokens: each such case acts as a user of its own so the others keep theirs.
    """
    if case.operation.method.upper() == "PUT" and case.operation.path == "/api/user":
        return residents.new_user("updated")["token"]
    return residents.caller["token"]


def operation_ids():
    """Every operation of the gateway's document (the one it serves), one test each."""
    return [
        operation["operationId"]
        for path_item in load_document()["paths"].values()
        for operation in path_item.values()
    ]


def generated_cases(operation):
    """Requests the document allows, and requests it does not: each gets a documented answer."""
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


# One pytest test per operation, running Hypothesis over schemathesis's strategy for it:
# schemathesis's own pytest integration (``schemathesis.pytest.from_fixture``, needed for
# a document served by the stack fixture) fails on pytest 9.2 ("'Function' object has
# no attribute '_nodeid'").
@pytest.mark.parametrize("operation_id", operation_ids())
def test_operation_conforms_to_the_document(operation_id, gateway_schema, residents, stack):
    operation = gateway_schema.find_operation_by_id(operation_id)

    @given(case=generated_cases(operation), data=st.data())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    def request_conforms(case, data):
        name_residents(case, data, residents)
        response = case.call_and_validate(
            base_url=stack.gateway_url,
            headers=authorization(case, data, residents),
            checks=CHECKS,
            timeout=30,
        )
        SENT[f"{response.status_code // 100}xx"] += 1  # counts the requests that passed

    request_conforms()
