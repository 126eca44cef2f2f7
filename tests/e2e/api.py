"""The gateway's API as the end-to-end tests speak to it: ``Api`` (requests as one user or
anonymously), the ``anonymous`` and ``sign_up`` fixtures (in conftest.py) and
``create_article``."""

import requests

from tests.support.http_helpers import new_user, unique


class Api:
    """Requests to the gateway's /api, as one user (or anonymously)."""

    def __init__(self, gateway_url, token=None, scheme="Token"):
        self.base = gateway_url + "/api"
        self.headers = {"Authorization": f"{scheme} {token}"} if token else {}

    def request(self, method, path, body=None, headers=None, **kwargs):
        return requests.request(
            method,
            self.base + path,
            json=body,
            timeout=30,
            headers={**self.headers, **(headers or {})},
            **kwargs,
        )

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def signed_up(stack, prefix="user"):
    """Register a fresh user; returns ``(api_as_that_user, user_json)``."""
    response = Api(stack.gateway_url).post("/users", new_user(unique(prefix), "pass-word-1"))
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    return Api(stack.gateway_url, user["token"]), user


def create_article(api, title="A title", tags=(), **headers):
    response = api.post(
        "/articles",
        {
            "article": {
                "title": title,
                "description": "About it",
                "body": "The body",
                "tagList": list(tags),
            }
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["article"]
