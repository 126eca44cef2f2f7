"""Page quality over a fake RPC: titles and descriptions, Open Graph, hashed and cached
static files, gzip, heading outline, form hints and the error summary."""

import gzip
import re

import pytest

from frontend.markdown_render import render_markdown
from tests.unit.frontend.pages import make_user, page_text, sign_in_as, submit, write_article

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def title_of(response):
    return re.search(r"<title>([^<]*)</title>", page_text(response)).group(1)


def description_of(response):
    return re.search(r'<meta name="description" content="([^"]*)">', page_text(response)).group(1)


def asset_links(response):
    return re.findall(r'(?:href|src)="(/assets/[^"]+)"', page_text(response))


def test_every_page_has_its_own_title_and_description(client, fake_rpc):
    ann = make_user(fake_rpc, "ann")
    write_article(fake_rpc, ann, "Hello", tags=["python"])
    paths = [
        "/",
        "/?page=2",
        "/tag/python",
        "/article/hello",
        "/profile/ann",
        "/profile/ann/favorites",
        "/login",
        "/register",
        "/no-such-page",
    ]
    pages = {path: client.get(path) for path in paths}
    sign_in_as(client, fake_rpc, "bob")
    for path in ["/your-feed", "/editor", "/settings"]:
        pages[path] = client.get(path)

    titles = {path: title_of(response) for path, response in pages.items()}
    descriptions = {path: description_of(response) for path, response in pages.items()}

    assert len(set(titles.values())) == len(titles), titles
    assert len(set(descriptions.values())) == len(descriptions), descriptions
    assert all(len(text) >= 10 for text in descriptions.values()), descriptions


def test_an_article_page_has_open_graph_tags(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello", tags=["python"])

    page = page_text(client.get("/article/hello"))

    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Hello">' in page
    assert '<meta property="og:description" content="About Hello">' in page
    assert '<meta property="og:url" content="http://localhost/article/hello">' in page
    assert '<meta property="article:tag" content="python">' in page


def test_static_files_have_content_hashed_names_cached_for_a_year(client):
    links = asset_links(client.get("/login"))
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", link) for link in links} >= {
        "/assets/style.css",
        "/assets/site.js",
        "/assets/favicon.svg",
    }

    for link in links:
        response = client.get(link)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stylesheet = next(link for link in links if link.startswith("/assets/style."))
    assert client.get(stylesheet).get_data() == client.get("/static/style.css").get_data()


def test_an_unknown_or_old_hash_is_not_found(client):
    assert client.get("/assets/style.000000000000.css").status_code == 404


def test_a_cached_asset_is_revalidated_by_its_etag(client):
    link = asset_links(client.get("/login"))[0]
    etag = client.get(link).headers["ETag"]

    assert client.get(link, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("path", ["/login", "/static/style.css"])
def test_text_is_gzipped_for_browsers_that_accept_it(client, path):
    plain = client.get(path)
    compressed = client.get(path, headers=GZIP)

    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert without_csrf_token(gzip.decompress(compressed.get_data())) == without_csrf_token(
        plain.get_data()
    )


def without_csrf_token(page):
    """A form's CSRF token is signed with the time, so two requests a second apart differ."""
    return re.sub(rb"<input[^>]*csrf_token[^>]*>", b"", page)


def test_a_byte_range_of_a_static_file_is_sent_as_it_is(client):
    response = client.get("/static/style.css", headers={**GZIP, "Range": "bytes=0-99"})

    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert len(response.get_data()) == 100


def test_a_hashed_stylesheet_is_gzipped(client):
    link = next(link for link in asset_links(client.get("/login")) if ".css" in link)

    response = client.get(link, headers=GZIP)

    assert response.headers["Content-Encoding"] == "gzip"
    assert b"--brand" in gzip.decompress(response.get_data())


def test_body_headings_start_under_the_title_and_skip_no_level():
    html = render_markdown("# One\n\n#### Deep\n\n## Two\n\n### Three")

    assert re.findall(r"<(h\d)>", str(html)) == ["h2", "h3", "h3", "h4"]


def test_a_hint_describes_its_field(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    page = page_text(client.get("/editor"))

    assert re.search(
        r'<input[^>]*aria-describedby="tags-hint"[^>]*id="tags"|'
        r'<input[^>]*id="tags"[^>]*aria-describedby="tags-hint"',
        page,
    )
    assert '<p class="hint" id="tags-hint">' in page


def test_a_rejected_form_starts_with_a_focused_error_summary_linking_to_fields(client):
    page = page_text(submit(client, "/login", email="", password=""))

    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary and "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    assert '<a href="#email">Email: Enter your email.</a>' in summary.group(1)
    assert '<a href="#password">Password: Enter your password.</a>' in summary.group(1)
    assert 'aria-describedby="email-errors"' in page


def test_symbols_in_links_and_buttons_are_hidden_from_screen_readers(client, fake_rpc):
    ann = make_user(fake_rpc, "ann")
    write_article(fake_rpc, ann, "Hello")
    sign_in_as(client, fake_rpc, "bob")

    page = page_text(client.get("/article/hello"))
    page = page[page.index("<body") :]

    for symbol in "✎⚙✓♥+":
        for match in re.finditer(re.escape(symbol), page):
            before = page[max(0, match.start() - 40) : match.start()]
            assert before.endswith('aria-hidden="true">'), before


def test_after_following_the_page_comes_back_to_the_button(client, fake_rpc):
    make_user(fake_rpc, "ann")
    sign_in_as(client, fake_rpc, "bob")
    page = page_text(client.get("/profile/ann"))
    next_value = re.search(r'name="next" value="([^"]+)"', page).group(1)

    response = submit(client, "/profile/ann/follow", next=next_value)

    assert next_value == "/profile/ann#follow-profile"
    assert response.headers["Location"] == "/profile/ann#follow-profile"
    assert 'id="follow-profile"' in page
