"""Issue 12: authorization on every write path of the frontend. Every POST needs the CSRF
token; signed out, every write sends the browser to sign in and calls nothing; signed in,
a write acts as the session's user only; someone else's article or comment is a 403 and
stays as it was. A new POST route fails ``test_the_table_covers_every_post_route`` until
it is added here."""

import pytest

from tests.unit.frontend.pages import csrf_token, make_user, sign_in_as, write_article

FORM = {"title": "Hello", "description": "d", "body": "b", "tags": ""}
# (path, form, identity argument of the RPC call or None, owner-only)
WRITES = [
    ("/editor", FORM, ("blog", "create_article", "author_id"), False),
    (
        "/editor/hello",
        {**FORM, "body": "changed"},
        ("blog", "get_article_for_editing", "user_id"),
        True,
    ),
    ("/article/hello/comments", {"body": "hi"}, ("blog", "add_comment", "author_id"), False),
    ("/article/hello/comments/1/delete", {}, ("blog", "delete_comment", "user_id"), True),
    ("/article/hello/favorite", {}, ("blog", "favorite_article", "user_id"), False),
    ("/article/hello/unfavorite", {}, ("blog", "unfavorite_article", "user_id"), False),
    ("/article/hello/delete", {}, ("blog", "delete_article", "user_id"), True),
    ("/profile/ann/follow", {}, ("users", "follow_user", "follower_id"), False),
    ("/profile/ann/unfollow", {}, ("users", "unfollow_user", "follower_id"), False),
    (
        "/settings",
        {"image": "", "username": "bob", "bio": "x", "email": "bob@example.com", "password": ""},
        ("users", "update_user", "user_id"),
        False,
    ),
    ("/settings/sign-out-everywhere", {}, ("users", "end_all_sessions", None), False),
]
OPEN_WRITES = {"/register", "/login", "/logout"}


@pytest.fixture
def world(fake_rpc):
    """ann wrote 'hello' with one comment; the test signs in as someone else."""
    ann = make_user(fake_rpc, "ann")
    write_article(fake_rpc, ann, "Hello", body="b")
    fake_rpc.blog.add_comment(slug="hello", author_id=ann["id"], body="first")
    return ann


def post(client, path, form, with_csrf=True):
    data = {**form, "csrf_token": csrf_token(client)} if with_csrf else dict(form)
    return client.post(path, data=data)


def test_the_table_covers_every_post_route(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    covered = {
        path.replace("/ann/", "/<username>/")
        .replace("/hello", "/<slug>")
        .replace("/comments/1/", "/comments/<int:comment_id>/")
        for path, *_ in WRITES
    }
    assert routes == covered | OPEN_WRITES


@pytest.mark.parametrize("path", [path for path, *_ in WRITES] + sorted(OPEN_WRITES))
def test_every_post_needs_the_csrf_token(client, fake_rpc, world, path):
    sign_in_as(client, fake_rpc, "bob")
    calls_before = len(fake_rpc.calls)
    response = client.post(path, data={"email": "bob@example.com", "password": "x"})
    assert response.status_code == 400
    writes = {
        "create_article",
        "add_comment",
        "delete_comment",
        "favorite_article",
        "unfavorite_article",
        "delete_article",
        "follow_user",
        "unfollow_user",
        "update_user",
        "end_all_sessions",
        "login",
        "register",
        "end_session",
    }
    assert not [call for call in fake_rpc.calls[calls_before:] if call.method in writes]


@pytest.mark.parametrize("path, form, identity, owner_only", WRITES)
def test_signed_out_every_write_goes_to_sign_in_and_calls_nothing(
    client, fake_rpc, world, path, form, identity, owner_only
):
    calls_before = len(fake_rpc.calls)
    response = post(client, path, form)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert [call.method for call in fake_rpc.calls[calls_before:]] == []


@pytest.mark.parametrize("path, form, identity, owner_only", WRITES)
def test_a_write_acts_as_the_signed_in_user_only(
    client, fake_rpc, world, path, form, identity, owner_only
):
    bob = sign_in_as(client, fake_rpc, "bob")
    response = post(client, path, form)
    service, method, argument = identity
    call = fake_rpc.last_call(service, method)
    if argument is None:
        assert call.kwargs["token"].startswith("sess.")
        assert client.get("/settings").status_code == 302  # this session ended too
    else:
        assert call.kwargs[argument] == bob["id"]
    if owner_only:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("path, form", [(p, f) for p, f, _, owner in WRITES if owner])
def test_someone_elses_article_and_comment_stay_as_they_were(client, fake_rpc, world, path, form):
    sign_in_as(client, fake_rpc, "bob")
    post(client, path, form)
    assert fake_rpc.blog.get_article(slug="hello")["body"] == "b"
    assert [comment["body"] for comment in fake_rpc.blog.list_comments(slug="hello")] == ["first"]
