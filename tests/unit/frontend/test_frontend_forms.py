"""Frontend forms over a fake RPC: sign up/in/out, editor with preview, comments, buttons."""

import pytest

from frontend import markdown_render
from frontend.forms import parse_tags
from services.articles.rules import BODY_MAX
from tests.unit.frontend.pages import (
    PASSWORD,
    csrf_token,
    errors_beside,
    make_user,
    page_text,
    sign_in_as,
    submit,
    write_article,
)


def test_signing_up_signs_the_new_user_in(client, fake_rpc):
    response = submit(
        client, "/register", username="ann", email="ann@example.com", password=PASSWORD
    )

    assert response.status_code == 302
    assert 'href="/profile/ann"' in page_text(client.get("/"))


def test_sign_up_errors_are_shown_beside_each_field_and_input_is_kept(client):
    response = submit(client, "/register", username="a", email="nope", password="x")

    assert response.status_code == 422
    assert errors_beside(response, "username") == ["must be 3 to 40 characters"]
    assert errors_beside(response, "email") == ["is not a valid email address"]
    assert errors_beside(response, "password") == ["must be 8 to 128 characters"]
    assert 'value="nope"' in page_text(response)


def test_a_taken_username_is_reported_beside_the_username(client, fake_rpc):
    make_user(fake_rpc, "ann")

    response = submit(
        client, "/register", username="ann", email="other@example.com", password=PASSWORD
    )

    assert response.status_code == 422
    assert errors_beside(response, "username") == ["has already been taken"]
    assert errors_beside(response, "email") == []


def test_a_wrong_password_is_reported_beside_the_password(client, fake_rpc):
    make_user(fake_rpc, "ann")

    response = submit(client, "/login", email="ann@example.com", password="wrong-password")

    assert response.status_code == 401
    assert errors_beside(response, "password") == ["Wrong email or password."]
    assert "Sign in" in page_text(client.get("/"))


def test_empty_login_fields_are_required(client):
    response = submit(client, "/login", email="", password="")

    assert errors_beside(response, "email") == ["Enter your email."]


def test_signing_in_returns_to_the_page_asked_for(client, fake_rpc):
    make_user(fake_rpc, "ann")

    response = client.post(
        "/login?next=/settings",
        data={"csrf_token": csrf_token(client), "email": "ann@example.com", "password": PASSWORD},
    )

    assert response.headers["Location"] == "/settings"


def test_signing_in_never_redirects_off_the_site(client, fake_rpc):
    make_user(fake_rpc, "ann")

    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}",
            data={
                "csrf_token": csrf_token(client),
                "email": "ann@example.com",
                "password": PASSWORD,
            },
        )
        assert response.headers["Location"] == "/"


def test_sign_in_starts_a_session_that_already_has_its_csrf_token(client, fake_rpc):
    """Otherwise pages opened at once after sign-in (tabs, redirects) each mint a
    token, and the cookie written last invalidates the forms of the others."""
    sign_in_as(client, fake_rpc, "ann")
    with client.session_transaction() as session:
        assert "token" in session and "csrf_token" in session


def test_signing_out_forgets_the_user(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    submit(client, "/logout")

    assert "Sign in" in page_text(client.get("/"))


def test_publishing_an_article_shows_it(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    response = submit(
        client,
        "/editor",
        title="My Post",
        description="d",
        body="Hi",
        tags="python, web  python",
        action="publish",
    )

    assert response.headers["Location"] == "/article/my-post"
    assert fake_rpc.blog.get_article(slug="my-post")["tag_list"] == ["python", "web"]


def test_preview_renders_the_body_without_saving(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    response = submit(
        client,
        "/editor",
        title="Draft",
        description="d",
        body="**bold**",
        tags="",
        action="preview",
    )

    assert response.status_code == 200
    assert "<strong>bold</strong>" in page_text(response)
    assert 'value="Draft"' in page_text(response)
    assert fake_rpc.blog.list_articles()["articles_count"] == 0


def test_a_preview_over_the_article_limits_is_refused_beside_its_fields_unrendered(
    client, fake_rpc, monkeypatch
):
    """The body that exhausted a frontend (480 kB, under the form-field cap): the blog
    service's article limits apply to a preview as to a publish, before any render."""
    monkeypatch.setattr(markdown_render, "sanitised_html", lambda text: pytest.fail("rendered"))
    sign_in_as(client, fake_rpc, "ann")

    response = submit(
        client,
        "/editor",
        title="T" * 300,
        description="d",
        body="a\n\n" * 160000,
        tags="",
        action="preview",
    )

    assert response.status_code == 422
    assert errors_beside(response, "body") == [f"must be at most {BODY_MAX} characters"]
    assert errors_beside(response, "title") == ["must be at most 255 characters"]
    assert 'id="preview"' not in page_text(response)
    assert fake_rpc.last_call("blog", "check_article")
    assert fake_rpc.blog.list_articles()["articles_count"] == 0


def test_a_preview_of_an_empty_form_renders_nothing_and_refuses_nothing(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    response = submit(
        client, "/editor", title="", description="", body="", tags="", action="preview"
    )

    assert response.status_code == 200
    assert 'id="preview"' in page_text(response)


def test_editor_errors_are_shown_beside_the_fields(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    response = submit(client, "/editor", title="", description="d", body="b", action="publish")

    assert response.status_code == 422
    assert errors_beside(response, "title") == ["can&#39;t be blank"]


def test_sending_the_same_new_article_form_twice_saves_it_once(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    fields = dict(
        title="Once", description="d", body="b", action="publish", idempotency_key="key-1"
    )

    submit(client, "/editor", **fields)
    submit(client, "/editor", **fields)

    assert fake_rpc.blog.list_articles()["articles_count"] == 1


def test_editing_an_article_starts_from_its_content_and_saves_changes(client, fake_rpc):
    author = sign_in_as(client, fake_rpc, "ann")
    write_article(fake_rpc, author, "Hello", body="old body", tags=["a", "b"])

    form = page_text(client.get("/editor/hello"))
    response = submit(
        client,
        "/editor/hello",
        title="Hello",
        description="new",
        body="new body",
        tags="c",
        action="publish",
    )

    assert "old body" in form and 'value="a b"' in form
    assert response.headers["Location"] == "/article/hello"
    article = fake_rpc.blog.get_article(slug="hello")
    assert (article["body"], article["tag_list"]) == ("new body", ["c"])


def test_only_the_author_may_open_the_editor_of_an_article(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello")
    sign_in_as(client, fake_rpc, "bob")

    assert client.get("/editor/hello").status_code == 403


def test_the_editor_asks_anonymous_visitors_to_sign_in(client):
    assert client.get("/editor").headers["Location"] == "/login?next=/editor"


def test_comments_can_be_added_and_deleted_by_their_author(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello")
    sign_in_as(client, fake_rpc, "bob")

    submit(client, "/article/hello/comments", body="Great *post*")
    page = page_text(client.get("/article/hello"))
    comment_id = fake_rpc.blog.list_comments(slug="hello")[0]["id"]
    submit(client, f"/article/hello/comments/{comment_id}/delete")

    assert "<em>post</em>" in page
    assert f'action="/article/hello/comments/{comment_id}/delete"' in page
    assert fake_rpc.blog.list_comments(slug="hello") == []


def test_an_empty_comment_is_refused_beside_the_comment_box(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello")
    sign_in_as(client, fake_rpc, "bob")

    response = submit(client, "/article/hello/comments", body="  ")

    assert response.status_code == 422
    assert errors_beside(response, "body") == ["can&#39;t be blank"]


def test_deleting_someone_elses_comment_is_forbidden(client, fake_rpc):
    ann = make_user(fake_rpc, "ann")
    write_article(fake_rpc, ann, "Hello")
    comment = fake_rpc.blog.add_comment(slug="hello", author_id=ann["id"], body="mine")
    sign_in_as(client, fake_rpc, "bob")

    response = submit(client, f"/article/hello/comments/{comment['id']}/delete")

    assert response.status_code == 403
    assert len(fake_rpc.blog.list_comments(slug="hello")) == 1


def test_favorite_and_follow_buttons_change_state_and_return(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello")
    bob = sign_in_as(client, fake_rpc, "bob")

    favorite = submit(client, "/article/hello/favorite", next="/tag/x")
    follow = submit(client, "/profile/ann/follow")

    assert favorite.headers["Location"] == "/tag/x"
    assert follow.headers["Location"] == "/profile/ann"
    assert fake_rpc.blog.get_article(slug="hello", viewer_id=bob["id"])["favorited"]
    assert "Unfollow ann" in page_text(client.get("/article/hello"))
    submit(client, "/article/hello/unfavorite")
    submit(client, "/profile/ann/unfollow")
    assert fake_rpc.blog.get_article(slug="hello")["favorites_count"] == 0
    assert "Follow ann" in page_text(client.get("/article/hello"))


def test_deleting_an_article_goes_home(client, fake_rpc):
    write_article(fake_rpc, sign_in_as(client, fake_rpc, "ann"), "Hello")

    response = submit(client, "/article/hello/delete")

    assert response.headers["Location"] == "/"
    assert client.get("/article/hello").status_code == 404


def test_tags_are_split_on_commas_and_spaces_without_repeats():
    assert parse_tags(" python,web  flask,python ") == ["python", "web", "flask"]
    assert parse_tags(None) == []
