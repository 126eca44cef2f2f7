"""The frontend in a real Chromium (Debian's), against the whole stack.

Each test signs up its own accounts (names carry a random suffix), so tests
share the session's stack without depending on each other's data.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.support.http_helpers import unique

PASSWORD = "correct horse battery"


class Visitor:
    """One person's browser: its own cookies, and a record of every dialog it saw."""

    def __init__(self, browser, url, javascript=True):
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
        )
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

    def open_visitor(javascript=True):
        opened.append(Visitor(browser, stack.frontend_url, javascript))
        return opened[-1]

    yield open_visitor
    for visitor in opened:
        visitor.close()


def nav(page):
    return page.locator("header nav")


def tag_pills(page):
    return page.locator(".tag-input .tag")


def article_tags(page):
    return page.locator(".article-content .tag")


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
    expect(author.page.locator(".author-card button:has-text('Unfavorite') .count")).to_have_text(
        "1"
    )

    reader.sign_up(reader_name)
    reader.goto(article_path)
    reader.page.click(f".article-banner button:has-text('Follow {author_name}')")
    expect(
        reader.page.locator(f".article-banner button:has-text('Unfollow {author_name}')")
    ).to_be_visible()
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


def test_tags_are_removable_pills_in_the_editor(visitors):
    author = visitors()
    author.sign_up(unique("fay"))
    # Pages list tags by name: these sort in the order they are typed.
    kept, removed, other = unique("a-"), unique("b-"), unique("c-")
    title = unique("Pills ")
    page = author.page
    author.goto("/editor")
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.fill("#title", title)
    page.fill("#description", "Tags as pills")
    page.fill("#body", "Tags are typed one by one.")

    tags = page.locator("#tags")
    tags.press_sequentially(kept)
    tags.press("Enter")
    tags.press_sequentially(f"{removed},")
    tags.press_sequentially(kept)
    tags.press("Enter")  # a duplicate: ignored
    tags.press_sequentially("oops")
    tags.press("Enter")
    tags.press("Backspace")  # in the empty field: takes the last pill away
    tags.press_sequentially(other)
    page.click("#description")  # leaving the field finishes the tag
    expect(tag_pills(page)).to_have_text([kept, removed, other])
    expect(tags).to_have_value("")

    page.click(f".tag-input button[type=button][aria-label='Remove tag {removed}']")
    expect(tag_pills(page)).to_have_text([kept, other])
    expect(tags).to_be_focused()
    assert posts == []  # Enter added tags; it never submitted the form
    expect(page.locator("input[name=tags]")).to_have_value(f"{kept} {other}")

    page.click("button:has-text('Publish article')")
    expect(page.locator("h1.article-title")).to_have_text(title)
    expect(article_tags(page)).to_have_text([kept, other])

    page.click("text=Edit article")
    expect(tag_pills(page)).to_have_text([kept, other])
    expect(tags).to_have_value("")
    assert author.alerts == []


def test_a_rejected_tag_is_shown_beside_the_pills(visitors):
    author = visitors()
    author.sign_up(unique("gil"))
    kept, too_long = unique("a-"), "x" * 65
    author.goto("/editor")
    page = author.page
    page.fill("#title", unique("Long tag "))
    page.fill("#description", "One tag is too long")
    page.fill("#body", "A tag can be too long.")
    page.locator("#tags").press_sequentially(f"{kept} {too_long}")

    # Still typing: the pill made when the field loses focus must not cost the click.
    page.click("button:has-text('Publish article')")

    expect(page.locator("#tags-errors")).to_contain_text("at most 64 characters")
    expect(tag_pills(page)).to_have_text([kept, too_long])
    page.click(f"button[aria-label='Remove tag {too_long}']")
    page.click("button:has-text('Publish article')")
    expect(article_tags(page)).to_have_text([kept])


def test_without_javascript_tags_are_one_plain_field(visitors):
    author = visitors(javascript=False)
    author.sign_up(unique("hal"))
    first, second, third = unique("a-"), unique("b-"), unique("c-")
    title = unique("No script ")

    author.write_article(title, "Works without JavaScript.", f"{first}, {second} {third}")

    expect(article_tags(author.page)).to_have_text([first, second, third])
    author.page.click("text=Edit article")
    expect(author.page.locator(".tag-input")).to_have_count(0)
    expect(author.page.locator("input#tags[name=tags]")).to_have_value(f"{first} {second} {third}")
