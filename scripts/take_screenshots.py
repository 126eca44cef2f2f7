"""Screenshots of the frontend for docs/frontend.md, at desktop and phone widths.

Runs against a frontend that is already up (``make run``, or the e2e stack).
With ``--seed`` it first writes sample content through the site's own forms:
two accounts, a few articles with tags, a comment and a follow.

    .venv/bin/python scripts/take_screenshots.py --url http://127.0.0.1:8080 --seed
"""

import argparse
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PASSWORD = "correct horse battery"

FEATURED_BODY = """\
Splitting a Flask blog into services sounds like ceremony until the first time one part
needs to scale and the others do not. Here is what changed, and what it cost.

## One process per concern

Accounts, articles and storage each run as their **own Nameko service**. They speak
RPC over RabbitMQ, so any of them can run as one process on a laptop or ten behind a broker.

> A service owns its rules; nothing else opens its database.

## What a request costs

| hop | typical time |
| --- | --- |
| frontend → blog | 2 ms |
| blog → storage | 3 ms |

```python
rpc = RpcClient(config)
articles = rpc.blog.list_articles(tag="python", limit=10)
```

Read the [Nameko documentation](https://nameko.readthedocs.io/) for the details.
"""

SAMPLE_ARTICLES = [
    (
        "Why we moved our blog to microservices",
        "What one codebase became when it split in three.",
        FEATURED_BODY,
        "architecture python nameko",
    ),
    (
        "A gentle introduction to RabbitMQ",
        "Queues, exchanges and the one setting you must not forget.",
        "RabbitMQ moves messages between processes.\n\n- durable queues\n- publisher confirms\n",
        "rabbitmq messaging",
    ),
    (
        "SQLite in production: when it is enough",
        "WAL mode, one writer and honest backups.",
        "SQLite handles more than you think.\n\nUse `VACUUM INTO` for backups.",
        "sqlite databases",
    ),
    (
        "Writing Markdown that reads well",
        "Short paragraphs, real headings, fewer adjectives.",
        "Write like you talk, then cut a third.",
        "writing markdown",
    ),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--seed", action="store_true", help="write sample content first")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    arguments = parser.parse_args()
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        site = Site(browser, arguments.url.rstrip("/"))
        if arguments.seed:
            site.seed()
        for name, size in WIDTHS.items():
            site.shoot_all(out, name, size)
        browser.close()


class Site:
    def __init__(self, browser, url):
        self.browser = browser
        self.url = url
        self.suffix = uuid.uuid4().hex[:4]
        self.reader = f"maya_{self.suffix}"
        self.featured_slug = None

    def seed(self):
        author = self.sign_up(f"jonas_{self.suffix}", bio="Backend engineer. Writes about queues.")
        for title, description, body, tags in reversed(SAMPLE_ARTICLES):
            slug = self.publish(author, title, description, body, tags)
        self.featured_slug = slug
        reader = self.sign_up(self.reader)
        reader.goto(f"{self.url}/article/{slug}")
        reader.fill("textarea[name=body]", "Clear and practical. The cost table is a great touch!")
        reader.click("text=Post comment")
        reader.click("button:has-text('Favorite')")

    def sign_up(self, username, bio=None):
        page = self.browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{self.url}/register")
        page.fill("#username", username)
        page.fill("#email", f"{username}@example.com")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        if bio:
            page.goto(f"{self.url}/settings")
            page.fill("#bio", bio)
            page.click("text=Update settings")
        return page

    def publish(self, page, title, description, body, tags):
        page.goto(f"{self.url}/editor")
        page.fill("#title", title)
        page.fill("#description", description)
        page.fill("#body", body)
        page.fill("#tags", tags)
        page.click("button[value=publish]")
        return page.url.rsplit("/", 1)[-1]

    def shoot_all(self, out, name, size):
        visitor = self.browser.new_page(viewport=dict(zip(("width", "height"), size, strict=True)))
        visitor.goto(self.url + "/")
        visitor.screenshot(path=str(out / f"home-{name}.png"), full_page=name == "desktop")
        slug = (
            self.featured_slug or visitor.get_attribute(".preview-link", "href").rsplit("/", 1)[-1]
        )
        reader = self.signed_in_page(size)
        reader.goto(f"{self.url}/article/{slug}")
        reader.screenshot(path=str(out / f"article-{name}.png"), full_page=True)
        self.shoot_editor(reader, out / f"editor-{name}.png")
        visitor.close()
        reader.close()

    def signed_in_page(self, size):
        page = self.browser.new_page(viewport=dict(zip(("width", "height"), size, strict=True)))
        page.goto(f"{self.url}/login")
        page.fill("#email", f"{self.reader}@example.com")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        return page

    def shoot_editor(self, page, path):
        title, description, body, tags = SAMPLE_ARTICLES[0]
        page.goto(f"{self.url}/editor")
        page.fill("#title", "Notes from our first week on the new stack")
        page.fill("#description", "Small lessons, in the order we learned them.")
        page.fill(
            "#body",
            "## Monday\n\nWe **deployed** on a Monday. Do not do that.\n\n"
            "- keep RPC calls short\n- measure before tuning\n",
        )
        page.fill("#tags", "lessons devops")
        page.click("button[value=preview]")
        page.screenshot(path=str(path), full_page=True)


if __name__ == "__main__":
    main()
