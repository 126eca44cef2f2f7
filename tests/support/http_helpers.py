"""HTTP helpers shared by the tests that speak to the gateway: the unit tests (a
Flask test client over the fake services) and the end-to-end tests (``requests``
against real processes)."""

import uuid

from flask import jsonify, request


def unique(prefix):
    """``prefix`` and 8 random hex digits: a name no other test run has used."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def new_user(username, password="secret-pass"):
    """The body of ``POST /api/users`` for ``username`` (email ``<username>@example.com``)."""
    return {
        "user": {"username": username, "email": f"{username}@example.com", "password": password}
    }


def errors_of(response):
    """The messages of a RealWorld error answer (``{"errors": {"body": [...]}}``), from a
    Flask test response or a ``requests`` response."""
    body = response.get_json() if hasattr(response, "get_json") else response.json()
    return body["errors"]["body"]


def sign_up(client, username):
    """Register ``username`` through a Flask test client and return the Authorization
    header of its token."""
    response = client.post("/api/users", json=new_user(username))
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Token {response.get_json()['user']['token']}"}


SEEN_BY_THE_APP = "/seen-by-the-app"


def show_what_the_app_sees(app):
    """Add ``GET SEEN_BY_THE_APP`` to a Flask app: the client address and scheme it takes
    for the request (``{"address": ..., "scheme": ...}``), after its proxy handling."""
    app.add_url_rule(
        SEEN_BY_THE_APP,
        "seen_by_the_app",
        lambda: jsonify(address=request.remote_addr, scheme=request.scheme),
    )
    return app
