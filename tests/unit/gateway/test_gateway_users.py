"""The gateway's users and profiles routes over a fake RPC client."""

import pytest

from tests.support.http_helpers import errors_of, sign_up

USER_KEYS = {"email", "token", "username", "bio", "image"}
PROFILE_KEYS = {"username", "bio", "image", "following"}


def test_register_answers_201_with_the_user_and_its_token(client, fake_rpc):
    response = client.post(
        "/api/users",
        json={"user": {"username": "ann", "email": "ann@example.com", "password": "secret-pass"}},
    )

    assert response.status_code == 201
    user = response.get_json()["user"]
    assert set(user) == USER_KEYS
    assert user["username"] == "ann" and user["token"] == fake_rpc.token_of(1)
    assert user["bio"] is None and user["image"] is None


def test_register_a_taken_username_is_422_with_a_field_message(client):
    sign_up(client, "ann")

    response = client.post(
        "/api/users",
        json={"user": {"username": "ann", "email": "other@example.com", "password": "secret-pass"}},
    )

    assert response.status_code == 422
    assert errors_of(response) == ["username has already been taken"]


@pytest.mark.parametrize(
    "document, message",
    [
        ({"user": {"email": "a@example.com", "password": "x"}}, "username is required"),
        (
            {"user": {"username": 5, "email": "a@example.com", "password": "x"}},
            "username must be a string",
        ),
        ({"user": "ann"}, "user must be a JSON object"),
        ([1, 2], "user must be a JSON object"),
        ({}, "user must be a JSON object"),
    ],
)
def test_register_rejects_missing_or_mistyped_fields_with_422(client, fake_rpc, document, message):
    response = client.post("/api/users", json=document)

    assert response.status_code == 422
    assert errors_of(response) == [message]
    assert fake_rpc.calls == []


def test_login_returns_the_user_with_a_token(client, fake_rpc):
    sign_up(client, "ann")

    response = client.post(
        "/api/users/login", json={"user": {"email": "ann@example.com", "password": "secret-pass"}}
    )

    assert response.status_code == 200
    assert response.get_json()["user"]["token"] == fake_rpc.token_of(1)


def test_login_with_a_wrong_password_is_401(client):
    sign_up(client, "ann")

    response = client.post(
        "/api/users/login", json={"user": {"email": "ann@example.com", "password": "wrong"}}
    )

    assert response.status_code == 401
    assert errors_of(response) == ["email or password is invalid"]


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "bearer"])
def test_current_user_accepts_token_and_bearer_schemes(client, fake_rpc, scheme):
    sign_up(client, "ann")

    response = client.get(
        "/api/user", headers={"Authorization": f"{scheme} {fake_rpc.token_of(1)}"}
    )

    assert response.status_code == 200
    user = response.get_json()["user"]
    assert set(user) == USER_KEYS
    assert user["token"] == fake_rpc.token_of(1)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Token"},
        {"Authorization": "Token nope"},
    ],
)
def test_current_user_without_valid_credentials_is_401(client, headers):
    response = client.get("/api/user", headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert len(errors_of(response)) == 1


def test_update_user_sends_only_given_fields_and_returns_the_fresh_token(client, fake_rpc):
    auth = sign_up(client, "ann")

    response = client.put(
        "/api/user",
        headers=auth,
        json={"user": {"bio": "hello", "image": None, "token": "ignored", "unknown": 1}},
    )

    assert response.status_code == 200
    assert response.get_json()["user"]["bio"] == "hello"
    _, _, kwargs, _ = fake_rpc.last_call("users", "update_user")
    assert kwargs == {
        "user_id": 1,
        "changes": {"bio": "hello", "image": None},
        "current_password": None,
        "client_address": "127.0.0.1",
    }


def test_update_user_without_any_field_is_422(client):
    auth = sign_up(client, "ann")

    response = client.put("/api/user", headers=auth, json={"user": {}})

    assert response.status_code == 422
    assert "user needs at least one of email" in errors_of(response)[0]


def test_update_user_needs_authentication_before_anything_else(client):
    response = client.put("/api/user", data="not json")

    assert response.status_code == 401


def test_profile_is_public_and_following_is_relative_to_the_viewer(client):
    sign_up(client, "ann")
    bob = sign_up(client, "bob")

    anonymous = client.get("/api/profiles/ann")
    followed = client.post("/api/profiles/ann/follow", headers=bob)
    as_bob = client.get("/api/profiles/ann", headers=bob)
    unfollowed = client.delete("/api/profiles/ann/follow", headers=bob)

    assert anonymous.status_code == 200
    assert set(anonymous.get_json()["profile"]) == PROFILE_KEYS
    assert anonymous.get_json()["profile"]["following"] is False
    assert followed.get_json()["profile"]["following"] is True
    assert as_bob.get_json()["profile"]["following"] is True
    assert unfollowed.get_json()["profile"]["following"] is False


def test_unknown_profile_is_404(client):
    response = client.get("/api/profiles/nobody")

    assert response.status_code == 404
    assert errors_of(response) == ["user 'nobody' not found"]


def test_following_needs_authentication(client):
    sign_up(client, "ann")

    assert client.post("/api/profiles/ann/follow").status_code == 401
    assert client.delete("/api/profiles/ann/follow").status_code == 401


def test_following_yourself_is_422(client):
    ann = sign_up(client, "ann")

    response = client.post("/api/profiles/ann/follow", headers=ann)

    assert response.status_code == 422
    assert errors_of(response) == ["username is your own: you cannot follow yourself"]


def test_a_bad_token_on_an_optional_route_is_401_not_anonymous(client):
    sign_up(client, "ann")

    response = client.get("/api/profiles/ann", headers={"Authorization": "Token stale"})

    assert response.status_code == 401
