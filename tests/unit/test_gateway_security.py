"""Issue 12 on the gateway's HTTP layer (over the fake services): rate limits answer 429
with Retry-After, the client address reaches the users service, security headers."""
from gateway_helpers import errors_of, sign_up
from services.errors import TooManyRequests

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
