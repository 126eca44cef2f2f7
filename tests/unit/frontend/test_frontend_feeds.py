"""The Atom feeds: valid Atom 1.0 for the site and for each author."""

import xml.etree.ElementTree as ElementTree

from tests.unit.frontend.pages import make_user, write_article

ATOM = "{http://www.w3.org/2005/Atom}"
REQUIRED_FEED_ELEMENTS = ("id", "title", "updated")
REQUIRED_ENTRY_ELEMENTS = ("id", "title", "updated", "author", "link", "content")


def parse_feed(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ElementTree.fromstring(response.data)


def entry_titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def test_the_site_feed_is_valid_atom_with_the_newest_articles(client, fake_rpc):
    author = make_user(fake_rpc, "ann")
    write_article(fake_rpc, author, "First", tags=["python"])
    write_article(fake_rpc, author, "Second")

    feed = parse_feed(client.get("/feed.atom"))

    assert feed.tag == f"{ATOM}feed"
    for name in REQUIRED_FEED_ELEMENTS:
        assert feed.find(f"{ATOM}{name}").text
    assert entry_titles(feed) == ["Second", "First"]
    for entry in feed.iter(f"{ATOM}entry"):
        for name in REQUIRED_ENTRY_ELEMENTS:
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/article/")
        assert entry.findtext(f"{ATOM}updated").endswith("Z")


def test_feed_content_is_sanitised_html_escaped_inside_the_xml(client, fake_rpc):
    write_article(
        fake_rpc, make_user(fake_rpc, "ann"), "Hi & bye", body="**bold** <script>alert(1)</script>"
    )

    feed = parse_feed(client.get("/feed.atom"))
    content = feed.find(f"{ATOM}entry/{ATOM}content")

    assert content.get("type") == "html"
    assert "<strong>bold</strong>" in content.text
    assert "<script" not in content.text
    assert entry_titles(feed) == ["Hi & bye"]


def test_an_empty_feed_is_still_valid(client):
    feed = parse_feed(client.get("/feed.atom"))

    assert feed.findtext(f"{ATOM}updated")
    assert entry_titles(feed) == []


def test_an_author_feed_has_only_that_authors_articles(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "By Ann")
    write_article(fake_rpc, make_user(fake_rpc, "bob"), "By Bob")

    feed = parse_feed(client.get("/profile/ann/feed.atom"))

    assert entry_titles(feed) == ["By Ann"]
    assert "ann" in feed.findtext(f"{ATOM}title")


def test_the_feed_of_an_unknown_author_is_404(client):
    assert client.get("/profile/nobody/feed.atom").status_code == 404


def test_pages_advertise_the_feeds(client, fake_rpc):
    make_user(fake_rpc, "ann")

    assert 'type="application/atom+xml"' in client.get("/").get_data(as_text=True)
    assert "/profile/ann/feed.atom" in client.get("/profile/ann").get_data(as_text=True)
