"""Issue 12: authorization on every write path of the gateway. Without a token, or with a
forged one, every write is a 401; with a token, a write acts as its holder only; someone
else's article or comment is a 403 and stays as it was. A new write route fails
``test_the_table_covers_every_write_route`` until it is added here."""

import pytest

from tests.support.http_helpers import sign_up

ARTICLE = {"article": {"title": "Hello", "description": "d", "body": "b"}}
# (method, path, body, identity argument of the RPC call, owner-only)
WRITES = [
    ("PUT", "/api/user", {"user": {"bio": "x"}}, ("users", "update_user", "user_id"), False),
    ("POST", "/api/profiles/ann/follow", None, ("users", "follow_user", "follower_id"), False),
    ("DELETE", "/api/profiles/ann/follow", None, ("users", "unfollow_user", "follower_id"), False),
    ("POST", "/api/articles", ARTICLE, ("blog", "create_article", "author_id"), False),
    (
        "PUT",
        "/api/articles/hello",
        {"article": {"body": "changed"}},
        ("blog", "update_article", "user_id"),
        True,
    ),
    ("DELETE", "/api/articles/hello", None, ("blog", "delete_article", "user_id"), True),
    ("POST", "/api/articles/hello/favorite", None, ("blog", "favorite_article", "user_id"), False),
    (
        "DELETE",
        "/api/articles/hello/favorite",
        None,
        ("blog", "unfavorite_article", "user_id"),
        False,
    ),
    (
        "POST",
        "/api/articles/hello/comments",
        {"comment": {"body": "hi"}},
        ("blog", "add_comment", "author_id"),
        False,
    ),
    ("DELETE", "/api/articles/hello/comments/1", None, ("blog", "delete_comment", "user_id"), True),
]
ANONYMOUS_WRITES = {("POST", "/api/users"), ("POST", "/api/users/login")}


@pytest.fixture
def world(client, fake_rpc):
    """ann wrote 'hello' with one comment; bob is someone else."""
    ann = sign_up(client, "ann")
    assert client.post("/api/articles", headers=ann, json=ARTICLE).status_code == 201
    assert (
        client.post(
            "/api/articles/hello/comments", headers=ann, json={"comment": {"body": "first"}}
        ).status_code
        == 200
    )
    bob = sign_up(client, "bob")
    return {"ann": ann, "bob": bob}


def test_the_table_covers_every_write_route(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
    }
    covered = {
        (
            method,
            path.replace("/ann/", "/<username>/")
            .replace("/hello", "/<slug>")
            .replace("/comments/1", "/comments/<int:comment_id>"),
        )
        for method, path, *_ in WRITES
    }
    assert routes == covered | ANONYMOUS_WRITES


@pytest.mark.parametrize("method, path, body, identity, owner_only", WRITES)
@pytest.mark.parametrize("header", [None, "Token forged.token.value", "Bearer ", "Basic abc"])
def test_a_write_without_valid_credentials_is_401_and_calls_nothing(
    client, fake_rpc, world, method, path, body, identity, owner_only, header
):
    calls_before = len(fake_rpc.calls)
    headers = {"Authorization": header} if header else {}
    response = client.open(path, method=method, headers=headers, json=body)
    assert response.status_code == 401
    service, rpc_method, _ = identity
    assert all(call[:2] != (service, rpc_method) for call in fake_rpc.calls[calls_before:])


@pytest.mark.parametrize("method, path, body, identity, owner_only", WRITES)
def test_a_write_acts_as_the_token_holder_only(
    client, fake_rpc, world, method, path, body, identity, owner_only
):
    response = client.open(path, method=method, headers=world["bob"], json=body)
    service, rpc_method, argument = identity
    bob_id = fake_rpc.users.verify_token(token=world["bob"]["Authorization"].split()[1])["id"]
    assert fake_rpc.last_call(service, rpc_method).kwargs[argument] == bob_id
    if owner_only:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 201, 204, 422), response.get_json()


@pytest.mark.parametrize("method, path, body", [(m, p, b) for m, p, b, _, owner in WRITES if owner])
def test_someone_elses_article_and_comment_stay_as_they_were(client, world, method, path, body):
    client.open(path, method=method, headers=world["bob"], json=body)
    article = client.get("/api/articles/hello").get_json()["article"]
    assert article["body"] == "b"
    comments = client.get("/api/articles/hello/comments").get_json()["comments"]
    assert [comment["body"] for comment in comments] == ["first"]
