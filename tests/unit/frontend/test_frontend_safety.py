"""Frontend safety over a fake RPC: CSRF, sanitised Markdown, cookies, friendly error pages."""

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from frontend import markdown_render
from frontend.markdown_render import (
    MAX_NESTING,
    RENDER_CACHE_BYTES,
    render_markdown,
    rendered_bodies,
    sanitised_html,
)
from services.articles.rules import BODY_MAX
from tests.unit.frontend.pages import (
    PASSWORD,
    make_user,
    page_text,
    sign_in_as,
    submit,
    write_article,
)

HOSTILE_MARKDOWN = """\
<script>alert("body")</script>

[click me](javascript:alert('link'))

<a href="javascript:alert('raw')" onclick="alert('click')">raw link</a>
<img src="https://example.com/x.png" onerror="alert('img')">
<iframe src="https://evil.example"></iframe>
<p style="position:fixed">styled</p>
[data](data:text/html;base64,PHNjcmlwdD4=)
"""

ACTIVE_TAGS = {"script", "iframe", "object", "embed", "style"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


class ActiveContentFinder(HTMLParser):
    """Lists what a browser could execute: script-like tags, handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attributes):
        if tag in ACTIVE_TAGS:
            self.found.append(tag)
        for name, value in attributes:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            scheme = (value or "").strip().lower().split(":")[0]
            if name in URL_ATTRIBUTES and scheme in ("javascript", "data", "vbscript"):
                self.found.append(f"{tag} {name}={value}")


def active_content(html, ignore=("script",)):
    """Active content of ``html``; the site's own deferred script tag is ignored by default."""
    finder = ActiveContentFinder()
    finder.feed(html)
    return [item for item in finder.found if item not in ignore]


def test_the_checker_sees_active_content():
    assert active_content(HOSTILE_MARKDOWN, ignore=()) == [
        "script",
        "a href=javascript:alert('raw')",
        "a onclick",
        "img onerror",
        "iframe",
        "p style",
    ]


def test_a_form_post_without_csrf_token_is_refused_and_changes_nothing(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    response = client.post("/editor", data={"title": "T", "description": "d", "body": "b"})

    assert response.status_code == 400
    assert "This form has expired" in page_text(response)
    assert fake_rpc.blog.list_articles()["articles_count"] == 0


def test_a_forged_csrf_token_is_refused(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello")
    sign_in_as(client, fake_rpc, "bob")

    response = client.post("/article/hello/favorite", data={"csrf_token": "forged"})

    assert response.status_code == 400
    assert fake_rpc.blog.get_article(slug="hello")["favorites_count"] == 0


def test_every_form_on_the_article_page_carries_a_csrf_token(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "Hello")
    sign_in_as(client, fake_rpc, "bob")

    page = page_text(client.get("/article/hello"))

    assert page.count('method="post"') == page.count('name="csrf_token"') > 3


def test_markdown_is_sanitised():
    assert active_content(render_markdown(HOSTILE_MARKDOWN), ignore=()) == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        " javascript:x",
    ],
)
def test_links_to_script_urls_lose_their_href(url):
    html = render_markdown(f'<a href="{url}">x</a> <img src="{url}">')

    assert "href" not in html and "src" not in html


def test_sanitising_keeps_ordinary_markdown():
    html = render_markdown("[site](https://example.com) and <em>kept</em>")

    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">site</a>' in html
    assert "<em>kept</em>" in html


def test_article_and_comment_bodies_show_no_active_content(client, fake_rpc):
    author = make_user(fake_rpc, "ann")
    write_article(fake_rpc, author, "Hello", body=HOSTILE_MARKDOWN)
    fake_rpc.blog.add_comment(slug="hello", author_id=author["id"], body=HOSTILE_MARKDOWN)

    page = page_text(client.get("/article/hello"))

    assert active_content(page) == []
    assert page.count("<script") == 1  # the site's own, from /static


def test_titles_and_names_are_escaped(client, fake_rpc):
    write_article(fake_rpc, make_user(fake_rpc, "ann"), "<b onmouseover=x>Bold</b>")

    page = page_text(client.get("/"))

    assert "<b onmouseover" not in page
    assert "&lt;b onmouseover=x&gt;Bold&lt;/b&gt;" in page


def test_a_content_security_policy_forbids_inline_script(client):
    policy = client.get("/").headers["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_session_cookie_is_httponly_and_samesite_lax(client, fake_rpc):
    make_user(fake_rpc, "ann")
    response = submit(client, "/login", email="ann@example.com", password=PASSWORD)

    cookie = response.headers["Set-Cookie"]

    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_the_session_stores_the_token_only(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")

    with client.session_transaction() as session:
        assert dict(session).keys() <= {"token", "csrf_token", "_permanent"}


def test_a_revoked_token_signs_the_browser_out(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    fake_rpc.users.delete_user(username="ann")

    assert "Sign in" in page_text(client.get("/"))
    with client.session_transaction() as session:
        assert "token" not in session


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert "Go to the home page" in page_text(response)


def test_an_unknown_article_is_a_friendly_404(client):
    response = client.get("/article/missing")

    assert response.status_code == 404
    assert "article &#39;missing&#39; not found" in page_text(response)


def test_a_service_that_is_down_gives_a_friendly_503(client, fake_rpc):
    fake_rpc.down = True

    response = client.get("/")

    assert response.status_code == 503
    assert "We will be right back" in page_text(response)
    assert "Traceback" not in page_text(response)


def test_a_503_page_renders_even_when_the_user_cannot_be_looked_up(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    fake_rpc.down = True

    response = client.get("/article/anything")

    assert response.status_code == 503
    assert "Sign in" in page_text(response)


def test_an_unexpected_error_is_a_500_page_with_an_id_and_no_traceback(client, fake_rpc, caplog):
    fake_rpc.blog._implementation.list_tags = lambda: 1 / 0

    response = client.get("/")

    assert response.status_code == 500
    assert "Something went wrong" in page_text(response)
    assert "ZeroDivisionError" not in page_text(response)
    error_id = page_text(response).split("error id <code>")[1].split("<")[0]
    assert error_id in caplog.text


def test_a_wrong_method_is_a_friendly_405(client):
    response = client.get("/logout")

    assert response.status_code == 405
    assert "cannot be used this way" in page_text(response)


def test_a_body_is_rendered_once_then_served_from_memory():
    """The article page's main cost was Markdown and sanitising on every view."""
    rendered_bodies.clear()
    first = render_markdown("**rendered** once")
    again = render_markdown("**rendered** once")
    assert again is first
    assert render_markdown("**another** body") != first


def test_the_bodies_and_comments_of_a_few_hundred_article_pages_stay_rendered(monkeypatch):
    """Each comment is rendered too: 100 pages of 20 comments are 2,100 texts."""
    rendered_bodies.clear()
    renders = []
    monkeypatch.setattr(
        markdown_render, "sanitised_html", lambda text: renders.append(text) or Markup(text)
    )
    pages = [
        [f"article {page}"] + [f"comment {n} on {page}" for n in range(20)] for page in range(100)
    ]
    for _ in range(2):
        for texts in pages:
            for text in texts:
                render_markdown(text)
    assert len(renders) == 2100


def test_the_kept_renders_stay_within_their_byte_bound(monkeypatch):
    """The largest bodies the rules allow, with HTML ten times their text (``<a>`` gains
    its ``rel`` attribute): 66 MB of renders pass through, the bound holds."""
    rendered_bodies.clear()
    monkeypatch.setattr(markdown_render, "sanitised_html", lambda text: Markup(text * 10))
    for number in range(60):
        render_markdown(f"{number:03d}" + "<a>" * ((BODY_MAX - 3) // 3))
        assert rendered_bodies.size <= RENDER_CACHE_BYTES
    assert rendered_bodies.size > RENDER_CACHE_BYTES // 2


def test_markup_nests_at_most_max_nesting_deep():
    for deep in (">" * BODY_MAX, "- " * (BODY_MAX // 2), "> - " * (BODY_MAX // 4)):
        html = sanitised_html(deep)
        assert html.count("<blockquote>") <= MAX_NESTING
        assert html.count("<ul>") <= MAX_NESTING
