"""The frontend in a real Chromium (Debian's), against the whole stack.

Each test signs up its own accounts (names carry a random suffix), so tests
share the session's stack without depending on each other's data.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visitor:
    """One person's browser: its own cookies, and a record of every dialog it saw."""

    def __init__(self, browser, url):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.url = url
        self.alerts = []
        self.page.on("dialog", self._on_dialog)
        self.page.set_default_timeout(15000)

    def _on_dialog(self, dialog):
        """Delete buttons ask for confirmation; anything else is script that ran."""
        if dialog.type == "confirm":
            dialog.accept()
        else:
            self.alerts.append(dialog.message)
            dialog.dismiss()

    def goto(self, path):
        self.page.goto(self.url + path)

    def sign_up(self, username):
        self.goto("/register")
        self.page.fill("#username", username)
        self.page.fill("#email", f"{username}@example.com")
        self.page.fill("#password", PASSWORD)
        with self.page.expect_navigation():  # the session cookie is set by this response
            self.page.click("button:has-text('Sign up')")

    def sign_in(self, username, password=PASSWORD):
        self.goto("/login")
        self.page.fill("#email", f"{username}@example.com")
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("form button:has-text('Sign in')")

    def sign_out(self):
        self.goto("/settings")
        self.page.click("text=Or click here to sign out.")

    def write_article(self, title, body, tags):
        self.goto("/editor")
        self.page.fill("#title", title)
        self.page.fill("#description", f"All about {title}")
        self.page.fill("#body", body)
        self.page.fill("#tags", tags)
        self.page.click("button:has-text('Publish article')")
        expect(self.page.locator("h1.article-title")).to_have_text(title)

    def close(self):
        self.context.close()


@pytest.fixture
def visitors(browser, stack):
    opened = []

    def open_visitor():
        opened.append(Visitor(browser, stack.frontend_url))
        return opened[-1]

    yield open_visitor
    for visitor in opened:
        visitor.close()


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def nav(page):
    return page.locator("header nav")


def test_an_author_and_a_reader_use_the_site(visitors):
    author, reader = visitors(), visitors()
    author_name, reader_name, tag = unique("ann"), unique("bob"), unique("tag")
    title = f"Queues in practice {author_name}"

    author.sign_up(author_name)
    expect(nav(author.page)).to_contain_text(author_name)
    author.sign_out()
    expect(nav(author.page)).to_contain_text("Sign in")
    author.sign_in(author_name)
    expect(nav(author.page)).to_contain_text(author_name)

    author.write_article(title, "Queues **decouple** services.", f"{tag} python")
    article_path = author.page.url.replace(author.url, "")
    expect(author.page.locator(".article-body strong")).to_have_text("decouple")

    author.goto("/")
    expect(author.page.locator(".preview h2", has_text=title)).to_be_visible()
    author.goto(article_path)
    author.page.click(f".article-content a.tag:has-text('{tag}')")
    expect(author.page).to_have_url(re.compile(f"/tag/{tag}$"))
    expect(author.page.locator(".preview h2")).to_have_text([title])

    author.goto(article_path)
    author.page.click("text=Edit article")
    author.page.fill("#body", "Queues **decouple** services, and *buffer* bursts.")
    author.page.click("button:has-text('Update article')")
    expect(author.page.locator(".article-body em")).to_have_text("buffer")

    author.page.fill("textarea[name=body]", "First comment from the author")
    author.page.click("text=Post comment")
    expect(author.page.locator(".comment")).to_contain_text(["First comment from the author"])

    author.page.click(".author-card button:has-text('Favorite')")
    expect(author.page.locator(".author-card button:has-text('Unfavorite') .count")).to_have_text("1")

    reader.sign_up(reader_name)
    reader.goto(article_path)
    reader.page.click(f".article-banner button:has-text('Follow {author_name}')")
    expect(reader.page.locator(f".article-banner button:has-text('Unfollow {author_name}')")).to_be_visible()
    reader.goto("/")
    reader.page.click("a.tab:has-text('Your feed')")
    expect(reader.page.locator(".preview h2")).to_contain_text([title])

    author.goto(article_path)
    author.page.click(".comment button[title='Delete comment']")
    expect(author.page.locator(".comment")).to_have_count(0)
    author.page.click("button:has-text('Delete article')")
    expect(author.page).to_have_url(author.url + "/")
    expect(author.page.locator(".preview h2", has_text=title)).to_have_count(0)
    author.goto(article_path)
    expect(author.page.locator("h1")).to_have_text("Page not found")

    author.sign_out()
    expect(nav(author.page)).not_to_contain_text(author_name)
    assert author.alerts == [] and reader.alerts == []


def test_a_taken_username_is_shown_beside_the_username(visitors):
    first, second = visitors(), visitors()
    name = unique("cat")
    first.sign_up(name)

    second.goto("/register")
    second.page.fill("#username", name)
    second.page.fill("#email", f"other-{name}@example.com")
    second.page.fill("#password", PASSWORD)
    second.page.click("button:has-text('Sign up')")

    expect(second.page.locator("#username-errors")).to_contain_text("taken")
    expect(second.page.locator("#email-errors")).to_have_count(0)
    expect(second.page.locator("#username")).to_have_value(name)


def test_a_wrong_password_is_shown_beside_the_password(visitors):
    visitor = visitors()
    name = unique("dan")
    visitor.sign_up(name)
    visitor.sign_out()

    visitor.sign_in(name, password="not the password")

    expect(visitor.page.locator("#password-errors")).to_have_text("Wrong email or password.")
    expect(nav(visitor.page)).to_contain_text("Sign in")


def test_an_article_with_script_shows_no_active_content(visitors):
    writer, reader = visitors(), visitors()
    writer.sign_up(unique("eve"))
    title = unique("Totally harmless ")
    writer.write_article(
        title,
        '<script>alert("from script")</script>\n\n'
        "[click me](javascript:alert('from link'))\n\n"
        '<a href="javascript:alert(\'raw\')" id="raw-link">raw link</a> '
        '<img src="/static/favicon.svg" onerror="alert(\'img\')" onload="alert(\'img\')">',
        "xss",
    )
    reader.goto(writer.page.url.replace(writer.url, ""))

    body = reader.page.locator(".article-body")
    expect(body).to_contain_text("raw link")
    reader.page.click("#raw-link, .article-body a:has-text('raw link')")
    reader.page.wait_for_timeout(300)

    assert reader.alerts == [] and writer.alerts == []
    assert body.locator("script").count() == 0
    hrefs = body.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not any((href or "").lower().startswith("javascript") for href in hrefs)
    assert body.locator("[onerror], [onload], [onclick]").count() == 0
