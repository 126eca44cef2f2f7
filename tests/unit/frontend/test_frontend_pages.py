"""Frontend pages rendered over a fake RPC: feeds, tags, pagination, articles, profiles."""

import re

from tests.unit.frontend.pages import (
    errors_beside,
    make_user,
    page_text,
    sign_in_as,
    submit,
    write_article,
)


def titles_on(response):
    return re.findall(r"<h2>([^<]+)</h2>", page_text(response))


def test_home_lists_newest_articles_and_links_popular_tags(client, fake_rpc):
    author = make_user(fake_rpc, "ann")
    write_article(fake_rpc, author, "First", tags=["python"])
    write_article(fake_rpc, author, "Second", tags=["python", "web"])

    response = client.get("/")

    assert response.status_code == 200
    assert titles_on(response) == ["Second", "First"]
    assert 'href="/tag/python"' in page_text(response)
    assert "Popular tags" in page_text(response)


def test_a_tag_page_shows_only_articles_with_that_tag(client, fake_rpc):
    author = make_user(fake_rpc, "ann")
    write_article(fake_rpc, author, "About Python", tags=["python"])
    write_article(fake_rpc, author, "About Gardens", tags=["garden"])

    response = client.get("/tag/python")

    assert titles_on(response) == ["About Python"]
    assert '<span aria-hidden="true">#</span> python</a>' in page_text(response)  # the tag's tab


def test_lists_are_paginated_with_links_to_other_pages(client, fake_rpc):
    author = make_user(fake_rpc, "ann")
    for number in range(1, 8):
        write_article(fake_rpc, author, f"Article {number}")

    first, last = client.get("/"), client.get("/?page=3")

    assert titles_on(first) == ["Article 7", "Article 6", "Article 5"]
    assert 'href="/?page=2"' in page_text(first)
    assert titles_on(last) == ["Article 1"]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>3<' in page_text(last)


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Only one")

    assert titles_on(client.get("/?page=abc")) == ["Only one"]


def test_your_feed_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/your-feed")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/your-feed"


def test_your_feed_shows_articles_of_followed_authors_only(client, fake_rpc):
    followed, other = make_user(fake_rpc, "ann"), make_user(fake_rpc, "bob")
    write_article(fake_rpc, followed, "From Ann")
    write_article(fake_rpc, other, "From Bob")
    reader = sign_in_as(client, fake_rpc, "cat")
    fake_rpc.users.follow_user(follower_id=reader["id"], username="ann")

    response = client.get("/your-feed")

    assert titles_on(response) == ["From Ann"]


def test_the_header_shows_the_signed_in_user(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    page = page_text(client.get("/"))

    assert 'href="/profile/ann"' in page
    assert "New article" in page
    assert "Sign in" not in page


def test_the_user_is_looked_up_once_per_request(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "bob"), "Hello")
    sign_in_as(client, fake_rpc, "ann")
    fake_rpc.calls.clear()

    client.get("/article/hello")

    assert [call.method for call in fake_rpc.calls].count("verify_session") == 1


def test_every_rpc_call_of_a_page_carries_the_request_id_of_that_page(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "bob"), "Hello")
    sign_in_as(client, fake_rpc, "ann")
    pages = []
    for _ in range(2):
        fake_rpc.calls.clear()
        client.get("/article/hello")
        pages.append({call.context["request_id"] for call in fake_rpc.calls})

    assert len(fake_rpc.calls) > 1
    assert all(len(ids) == 1 for ids in pages) and pages[0] != pages[1]


def test_the_article_page_renders_markdown_author_card_and_comments(client, fake_rpc):
    author = make_user(fake_rpc, "ann")
    article = write_article(fake_rpc, author, "Hello", body="# Big\n\n**bold** text")
    fake_rpc.blog.add_comment(slug=article["slug"], author_id=author["id"], body="Nice _one_")

    page = page_text(client.get("/article/hello"))

    assert "<h2>Big</h2>" in page  # under the title's <h1>: body headings start at <h2>
    assert "<strong>bold</strong>" in page
    assert "<em>one</em>" in page
    assert 'class="author-card"' in page


def test_only_the_author_sees_edit_and_delete(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello")

    sign_in_as(client, fake_rpc, "bob")
    as_reader = page_text(client.get("/article/hello"))

    assert "Edit article" not in as_reader
    assert "Follow ann" in as_reader


def test_the_author_sees_edit_and_delete(client, fake_rpc):
    author = sign_in_as(client, fake_rpc, "ann")
    write_article(fake_rpc, author, "Hello")

    page = page_text(client.get("/article/hello"))

    assert 'href="/editor/hello"' in page
    assert 'action="/article/hello/delete"' in page


def test_profile_tabs_show_written_and_favorited_articles(client, fake_rpc):
    ann, bob = make_user(fake_rpc, "ann"), make_user(fake_rpc, "bob")
    write_article(fake_rpc, ann, "By Ann")
    write_article(fake_rpc, bob, "By Bob")
    fake_rpc.blog.favorite_article(slug="by-bob", user_id=ann["id"])

    assert titles_on(client.get("/profile/ann")) == ["By Ann"]
    assert titles_on(client.get("/profile/ann/favorites")) == ["By Bob"]


def test_an_unknown_profile_is_a_404_page(client):
    response = client.get("/profile/nobody")

    assert response.status_code == 404
    assert "user &#39;nobody&#39; not found" in page_text(response)


def test_settings_are_prefilled_and_only_changes_are_sent(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    form = page_text(client.get("/settings"))
    assert 'value="ann@example.com"' in form

    response = submit(
        client,
        "/settings",
        image="",
        username="ann",
        bio="Hi there",
        email="ann@example.com",
        password="",
    )

    assert response.status_code == 302
    update = fake_rpc.last_call("users", "update_user").kwargs
    assert update["changes"] == {"bio": "Hi there"}
    assert "Your settings are saved." in page_text(client.get("/settings"))


def test_settings_errors_are_shown_beside_the_field(client, fake_rpc):
    make_user(fake_rpc, "bob")
    sign_in_as(client, fake_rpc, "ann")

    # As with the real users service: an invalid field is reported first, and a taken
    # username only once the rest of the changes are valid.
    bad_image = submit(
        client,
        "/settings",
        image="ftp://x",
        username="bob",
        bio="",
        email="ann@example.com",
        password="",
    )
    taken_username = submit(
        client,
        "/settings",
        image="https://example.com/ann.png",
        username="bob",
        bio="",
        email="ann@example.com",
        password="",
    )

    assert bad_image.status_code == 422
    assert errors_beside(bad_image, "image") == ["must be an http or https URL"]
    assert errors_beside(bad_image, "username") == []
    assert taken_username.status_code == 422
    assert errors_beside(taken_username, "username") == ["has already been taken"]
    assert errors_beside(taken_username, "image") == []
    saved = fake_rpc.users.get_user(user_id=2)
    assert saved["username"] == "ann" and saved["image"] is None
