"""Request helpers of the gateway's unit tests (tests/unit/test_gateway_*.py); their
``app``, ``client`` and ``fake_rpc`` fixtures are in conftest.py."""

UNIT_CONFIG = {"AMQP_URI": "memory://", "GATEWAY": {"MAX_BODY_BYTES": 4096, "CORS_ORIGINS": "*"}}


def sign_up(client, username):
    """Register ``username`` and return the Authorization header of its token."""
    response = client.post("/api/users", json={"user": {
        "username": username, "email": f"{username}@example.com", "password": "secret-pass"}})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Token {response.get_json()['user']['token']}"}


def errors_of(response):
    return response.get_json()["errors"]["body"]
