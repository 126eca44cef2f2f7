"""Issue 12 on the gateway's HTTP layer (over the fake services): rate limits answer 429
with Retry-After, the client address reaches the users service, security headers."""

from common.errors import TooManyRequests
from tests.support.http_helpers import errors_of, sign_up

USER = {"user": {"email": "ann@example.com", "password": "secret-pass"}}


def test_too_many_logins_is_429_with_retry_after(client, fake_rpc):
    fake_rpc.fail_next("users", "login", TooManyRequests("too many attempts", 120))
    response = client.post("/api/users/login", json=USER)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "120"
    assert errors_of(response) == ["too many attempts"]


def test_too_many_registrations_is_429_with_retry_after(client, fake_rpc):
    fake_rpc.fail_next("users", "register", TooManyRequests("too many attempts", 30))
    response = client.post("/api/users", json={"user": {**USER["user"], "username": "ann"}})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"


def test_login_and_registration_pass_the_client_address(client, fake_rpc):
    sign_up(client, "ann")
    assert fake_rpc.last_call("users", "register").kwargs["client_address"] == "127.0.0.1"
    client.post("/api/users/login", json=USER)
    assert fake_rpc.last_call("users", "login").kwargs["client_address"] == "127.0.0.1"


def test_every_answer_says_nosniff(client, fake_rpc):
    headers = sign_up(client, "ann")
    for response in (
        client.get("/api/tags"),
        client.get("/api/no/such/path"),
        client.get("/api/user", headers=headers),
        client.get("/api/openapi.json"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_answers_carrying_a_token_are_never_cached(client, fake_rpc):
    registered = client.post("/api/users", json={"user": {**USER["user"], "username": "ann"}})
    headers = {"Authorization": f"Token {registered.get_json()['user']['token']}"}
    for response in (
        registered,
        client.post("/api/users/login", json=USER),
        client.get("/api/user", headers=headers),
        client.put("/api/user", headers=headers, json={"user": {"bio": "hi"}}),
    ):
        assert response.get_json()["user"]["token"]
        assert response.headers["Cache-Control"] == "no-store"


def test_an_offset_past_what_a_database_holds_is_422(client):
    for offset in (2**63, 2**31):
        response = client.get(f"/api/articles?offset={offset}")
        assert response.status_code == 422, offset
        assert "offset must be a whole number from 0 to 2147483647" in errors_of(response)


def test_json_nested_100k_deep_is_400(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # the unit config's 4 KiB would say 413
    body = "[" * 100_000 + "]" * 100_000
    response = app.test_client().post(
        "/api/users/login", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert errors_of(response) == ["request body is nested too deeply"]


def test_control_characters_in_text_are_refused(client, fake_rpc):
    headers = sign_up(client, "ann")
    article = {"title": "bad\x01\x0b\x1b", "description": "d", "body": "b"}
    response = client.post("/api/articles", headers=headers, json={"article": article})
    assert response.status_code == 422
    assert "title must not contain control characters" in errors_of(response)
    fine = {"title": "Tabs\tand\nnew lines\r\n are fine", "description": "d", "body": "b"}
    assert client.post("/api/articles", headers=headers, json={"article": fine}).status_code == 201
    response = client.put("/api/user", headers=headers, json={"user": {"bio": "bell\x07"}})
    assert response.status_code == 422


def test_the_client_address_is_forwarded_only_behind_configured_proxies(fake_rpc):
    from gateway.app import create_app

    forged = {"X-Forwarded-For": "198.51.100.9"}
    for hops, expected in ((0, "127.0.0.1"), (1, "198.51.100.9")):
        app = create_app({"AMQP_URI": "memory://", "PROXY_HOPS": hops}, rpc=fake_rpc)
        app.test_client().post("/api/users/login", json=USER, headers=forged)
        assert fake_rpc.last_call("users", "login").kwargs["client_address"] == expected


# -- issue 20: a browser session is no API token; credentials need the current password ---


def test_a_browser_session_token_opens_no_api(client, fake_rpc):
    token = sign_up(client, "ann")["Authorization"].split()[1]
    session = fake_rpc.users.start_session(token=token)["token"]
    headers = {"Authorization": f"Token {session}"}

    assert client.get("/api/user", headers=headers).status_code == 401
    changed = client.put(
        "/api/user",
        headers=headers,
        json={"user": {"email": "mallory@example.com", "password": "x" * 12}},
    )
    assert changed.status_code == 401
    assert fake_rpc.users.get_user(user_id=1)["email"] == "ann@example.com"
    assert not any(call.method == "update_user" for call in fake_rpc.calls)


def test_a_new_email_or_password_needs_current_password_on_the_api(client, fake_rpc):
    headers = sign_up(client, "ann")
    for change in ({"email": "new@example.com"}, {"password": "a brand new password"}):
        missing = client.put("/api/user", headers=headers, json={"user": change})
        wrong = client.put(
            "/api/user", headers=headers, json={"user": {**change, "currentPassword": "not it"}}
        )
        assert missing.status_code == wrong.status_code == 422
        assert errors_of(missing) == ["currentPassword is needed to change the email or password"]
        assert errors_of(wrong) == ["currentPassword is wrong"]
    assert fake_rpc.users.get_user(user_id=1)["email"] == "ann@example.com"

    changed = client.put(
        "/api/user",
        headers=headers,
        json={"user": {"email": "new@example.com", "currentPassword": "secret-pass"}},
    )
    assert changed.status_code == 200
    assert changed.get_json()["user"]["email"] == "new@example.com"


def test_a_realworld_settings_save_with_the_unchanged_email_needs_no_password(client, fake_rpc):
    """RealWorld clients send the whole settings form: email as it is, password empty."""
    headers = sign_up(client, "ann")
    saved = client.put(
        "/api/user",
        headers=headers,
        json={
            "user": {
                "email": "ann@example.com",
                "username": "ann",
                "password": "",
                "bio": "Hello",
                "image": "",
            }
        },
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["user"]["bio"] == "Hello"
