"""Accessibility of every page state, in Debian's Chromium, against the whole stack.

- axe-core (vendored: ``tests/e2e/vendor/axe.min.js``, MPL-2.0) runs on each page
  state at desktop (1366x900), phone (390x844) and the narrowest width WCAG asks
  for (320 px), with every rule of axe that is not deprecated or AAA-only, the
  experimental ones and ``target-size`` included; any violation of any impact fails.
- At each width the page must not scroll sideways (WCAG 1.4.10, reflow).
- Keyboard-only flows (sign in, write, comment, favorite, follow): every focused
  element shows a visible focus indicator, is not hidden under the sticky header,
  and focus lands where the action leaves the reader.

Pages do not depend on the database engine, so these tests run on the SQLite stack
only (the ``stack`` fixture is narrowed to that parameter); the rest of the
browser suite runs on both engines.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.sample_content import PASSWORD, seed

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844), "narrow": (320, 720)}

pytestmark = pytest.mark.parametrize("stack", ["sqlite"], indirect=True)

# Every rule axe has, less the deprecated ones and those that only serve AAA.
AXE_OPTIONS_SCRIPT = """() => {
  const rules = axe.getRules().filter(rule =>
    !rule.tags.includes('deprecated') &&
    !(rule.tags.some(tag => /^wcag\\d*aaa$/.test(tag)) && !rule.tags.some(tag => /^wcag\\d*aa?$/.test(tag))));
  return {runOnly: {type: 'rule', values: rules.map(rule => rule.ruleId)},
          resultTypes: ['violations']};
}"""


@pytest.fixture(scope="module")
def content(stack):
    return seed(stack.rpc)


class Reader:
    """A browser context with axe-core loaded into every page (as an init script, which the
    site's Content-Security-Policy does not apply to)."""

    def __init__(self, browser, url, username=None):
        self.context = browser.new_context(viewport={"width": 1366, "height": 900})
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.url = url
        if username:
            self.goto("/login")
            self.page.fill("#email", f"{username}@example.com")
            self.page.fill("#password", PASSWORD)
            with self.page.expect_navigation():
                self.page.click("form button[type=submit]")

    def goto(self, path):
        self.page.goto(self.url + path)

    def axe_violations(self):
        options = self.page.evaluate(AXE_OPTIONS_SCRIPT)
        result = self.page.evaluate("options => axe.run(document, options)", options)
        return result["violations"]

    def sideways_overflow(self):
        """Elements wider than the viewport, when the page scrolls sideways."""
        return self.page.evaluate("""() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) return [];
          return [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map(el => el.outerHTML.slice(0, 120));
        }""")

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def readers(browser, stack, content):
    opened = {
        "anonymous": Reader(browser, stack.frontend_url),
        "signed in": Reader(browser, stack.frontend_url, content.reader["username"]),
    }
    yield opened
    for reader in opened.values():
        reader.close()


def submit(page, selector="form.stack button[type=submit]"):
    with page.expect_navigation():
        page.click(selector)


def editor_with_pills_and_preview(reader, content):
    reader.goto("/editor")
    page = reader.page
    page.fill("#title", "Notes from our first week")
    page.fill("#description", "Small lessons, in the order we learned them.")
    page.fill(
        "#body",
        "## Monday\n\nWe **deployed** on a Monday.\n\n- keep RPC calls short\n"
        "- measure before tuning\n\n| day | lesson |\n| --- | --- |\n| Mon | deploy |\n",
    )
    page.locator("#tags").press_sequentially("lessons devops ")
    submit(page, "button[value=preview]")


def fill_in(template, content):
    return template.format(
        featured=content.articles[0]["slug"],
        own=content.article_by(content.reader)["slug"],
        tag=content.tag,
        author=content.author["username"],
        reader=content.reader["username"],
        third=content.users[2]["username"],
    )


def form_with_errors(path, fields, button="form.stack button[type=submit]"):
    def state(reader, content):
        reader.goto(fill_in(path, content))
        for selector, value in fields.items():
            reader.page.fill(selector, fill_in(value, content))
        submit(reader.page, button)

    return state


def visit(path):
    return lambda reader, content: reader.goto(fill_in(path, content))


# (who, name) -> how to get the page into that state
PAGE_STATES = {
    ("anonymous", "home"): visit("/"),
    ("anonymous", "home, page 2"): visit("/?page=2"),
    ("anonymous", "tag page"): visit("/tag/{tag}"),
    ("anonymous", "article"): visit("/article/{featured}"),
    ("anonymous", "profile"): visit("/profile/{author}"),
    ("anonymous", "profile favorites"): visit("/profile/{reader}/favorites"),
    ("anonymous", "login"): visit("/login"),
    ("anonymous", "login with errors"): form_with_errors("/login", {}),
    ("anonymous", "login with a wrong password"): form_with_errors(
        "/login", {"#email": "{reader}@example.com", "#password": "not the password"}
    ),
    ("anonymous", "register"): visit("/register"),
    ("anonymous", "register with errors"): form_with_errors(
        "/register", {"#username": "{reader}", "#email": "not-an-email", "#password": "short"}
    ),
    ("anonymous", "404"): visit("/no-such-page"),
    ("anonymous", "missing article"): visit("/article/no-such-article"),
    ("signed in", "home"): visit("/"),
    ("signed in", "your feed"): visit("/your-feed"),
    ("signed in", "tag page"): visit("/tag/{tag}"),
    ("signed in", "article"): visit("/article/{featured}"),
    ("signed in", "own article"): visit("/article/{own}"),
    ("signed in", "article with a rejected comment"): form_with_errors(
        "/article/{featured}", {}, "text=Post comment"
    ),
    ("signed in", "editor"): visit("/editor"),
    ("signed in", "editor with errors"): form_with_errors("/editor", {}, "button[value=publish]"),
    ("signed in", "editor with pills and preview"): editor_with_pills_and_preview,
    ("signed in", "editing an article"): visit("/editor/{own}"),
    ("signed in", "profile followed"): visit("/profile/{author}"),
    ("signed in", "profile not followed"): visit("/profile/{third}"),
    ("signed in", "own profile"): visit("/profile/{reader}"),
    ("signed in", "own favorites"): visit("/profile/{reader}/favorites"),
    ("signed in", "settings"): visit("/settings"),
    ("signed in", "settings with errors"): form_with_errors(
        "/settings", {"#email": "not-an-email"}
    ),
    ("signed in", "settings saved"): form_with_errors("/settings", {}),
    ("signed in", "404"): visit("/no-such-page"),
}


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): "
            f"{violation['help']}"
        )
        for node in violation["nodes"][:4]:
            lines.append(f"    {json.dumps(node['target'])} {node['html'][:140]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", " ")[:300])
    return "\n".join(lines)


@pytest.mark.parametrize("who, state", list(PAGE_STATES), ids=[" ".join(k) for k in PAGE_STATES])
def test_page_state_passes_axe_and_reflows(readers, content, who, state):
    reader = readers[who]
    reader.page.set_viewport_size({"width": 1366, "height": 900})
    PAGE_STATES[(who, state)](reader, content)
    failures = []
    for name, (width, height) in VIEWPORTS.items():
        reader.page.set_viewport_size({"width": width, "height": height})  # media queries apply
        violations = reader.axe_violations()
        if violations:
            failures.append(
                f"at {name} {width}x{height}, {reader.page.url}:\n{describe(violations)}"
            )
        overflow = reader.sideways_overflow()
        if overflow:
            failures.append(f"at {name} {width}x{height} the page scrolls sideways: {overflow}")
    assert not failures, "\n\n".join(failures)


# -- keyboard only --------------------------------------------------------------------

FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = node => {
    const style = getComputedStyle(node);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  };
  const rect = el.getBoundingClientRect();
  const header = document.querySelector('.site-header');
  const x = Math.min(Math.max(rect.left + rect.width / 2, 0), window.innerWidth - 1);
  const y = Math.min(Math.max(rect.top + 2, 0), window.innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  return {
    html: el.outerHTML.slice(0, 120),
    visible: el.matches(':focus-visible') && (ring(el) || (el.parentElement && ring(el.parentElement)) ||
             (el.closest('.tag-input') !== null && ring(el.closest('.tag-input')))),
    underHeader: Boolean(header && hit && !header.contains(el) && header.contains(hit)),
    top: rect.top, bottom: rect.bottom, viewportHeight: window.innerHeight,
  };
}"""


def assert_focus_shown(page):
    """The focused element shows a focus ring and lies in the viewport, not under the header."""
    state = page.evaluate(FOCUS_STATE)
    assert state is not None, "nothing has the keyboard focus"
    assert state["visible"], f"no visible focus indicator on {state['html']}"
    assert not state["underHeader"], f"under the sticky header: {state}"
    assert state["top"] < state["viewportHeight"] and state["bottom"] > 0, f"off screen: {state}"
    return state


def tab_to(page, selector, limit=80):
    """Press Tab until ``selector`` has the focus, checking every stop on the way."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_shown(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


@pytest.fixture
def keyboard_user(browser, stack, content):
    """A fresh account (so its follows and favorites change no other test's pages),
    in a browser at desktop size, signed in."""
    name = f"kim_{content.tag[-5:]}{len(content.users)}"
    content.users.append(
        stack.rpc.users.register(username=name, email=f"{name}@example.com", password=PASSWORD)
    )
    reader = Reader(browser, stack.frontend_url, name)
    yield reader
    reader.close()


def test_keyboard_sign_in_with_a_skip_link_and_an_error_summary(browser, stack, content):
    reader = Reader(browser, stack.frontend_url)
    page = reader.page
    try:
        reader.goto("/")
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        assert_focus_shown(page)
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

        reader.goto("/")
        tab_to(page, "header a:has-text('Sign in')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        tab_to(page, "#email")
        page.keyboard.type(f"{content.reader['username']}@example.com")
        page.keyboard.press("Tab")
        expect(page.locator("#password")).to_be_focused()
        page.keyboard.type("not the password")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Wrong email or password.")
        assert_focus_shown(page)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the summary's link to the password field
        expect(page.locator("#password")).to_be_focused()
        expect(page.locator("#password")).to_have_attribute("aria-describedby", "password-errors")
        page.keyboard.type(PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("header nav")).to_contain_text(content.reader["username"])
    finally:
        reader.close()


def test_keyboard_write_an_article_and_comment_on_it(keyboard_user):
    page = keyboard_user.page
    title = f"Written with the keyboard {keyboard_user.url[-5:]}"
    keyboard_user.goto("/")
    tab_to(page, "header a:has-text('New article')")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    tab_to(page, "#title")
    page.keyboard.type(title)
    for field, text in (
        ("#description", "Tab, type, Enter"),
        ("#body", "## Steps\n\n- Tab\n- type"),
        ("#tags", "keyboard a11y "),
    ):
        page.keyboard.press("Tab")
        expect(page.locator(field)).to_be_focused()
        assert_focus_shown(page)
        page.keyboard.type(text)
    expect(page.locator(".tag-input .tag")).to_have_text(["keyboard", "a11y"])
    page.keyboard.press("Tab")
    expect(page.locator("button[value=preview]")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("button[value=publish]")).to_be_focused()
    assert_focus_shown(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(title)

    # An empty comment: the error summary takes the focus.
    tab_to(page, "textarea#body")
    page.keyboard.press("Tab")
    expect(page.locator("button:has-text('Post comment')")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_focus_shown(page)

    tab_to(page, "textarea#body")
    page.keyboard.type("Posted without a mouse.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    new_comment = page.locator(".comment", has_text="Posted without a mouse.")
    expect(new_comment).to_be_focused()  # the page comes back at the new comment
    assert_focus_shown(page)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_keyboard_follow_and_favorite_keep_the_focus_on_the_button(
    keyboard_user, content, viewport
):
    page = keyboard_user.page
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    article = content.articles[12 if viewport == "desktop" else 13]
    author = article["author"]["username"]
    keyboard_user.goto(f"/article/{article['slug']}")

    tab_to(page, "#follow-banner")
    expect(page.locator("#follow-banner")).to_have_text(f"+ Follow {author}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#follow-banner")).to_be_focused()
    expect(page.locator("#follow-banner")).to_have_text(f"✓ Unfollow {author}")
    assert_focus_shown(page)

    page.keyboard.press("Tab")
    expect(page.locator("#favorite-banner")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.locator("#favorite-banner")).to_be_focused()
    expect(page.locator("#favorite-banner")).to_contain_text("Unfavorite article")
    expect(page.locator("#favorite-banner .count")).to_have_text(
        str(article["favorites_count"] + 1)
    )
    assert_focus_shown(page)

    # Far down the profile's list: after the reload the focus is on the same button.
    keyboard_user.goto(f"/profile/{author}")
    last = page.locator(".preview button").last
    button_id = last.get_attribute("id")
    tab_to(page, f"#{button_id}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(f"#{button_id}")).to_be_focused()
    assert "btn-primary" in page.locator(f"#{button_id}").get_attribute("class")
    assert_focus_shown(page)
