"""Realistic content for the accessibility tests, written straight over RPC.

Three authors with bios, sixteen Markdown articles (headings, lists, code,
tables, quotes, links), eighteen comments, favorites and follows: enough for
two pages of feed, a tag cloud, every kind of Markdown block and every state
of the follow and favorite buttons. Names carry a random suffix, so the
content can share a stack with other tests.
"""

import uuid
from dataclasses import dataclass, field

PASSWORD = "correct horse battery"

BIOS = [
    "Backend engineer. Writes about queues, retries and the people who page at night.",
    "Technical writer; turns long design documents into short ones.",
    "Runs the databases. Prefers boring technology and tested backups.",
]

LONG_BODY = """\
Splitting a Flask blog into services sounds like ceremony until the first time one part
needs to scale and the others do not. Here is what changed, and what it cost.

## One process per concern

Accounts, articles and storage each run as their **own Nameko service**. They speak
RPC over RabbitMQ, so any of them can run as one process on a laptop or ten behind a
broker. Read the [Nameko documentation](https://nameko.readthedocs.io/) for the details.

> A service owns its rules; nothing else opens its database.

### What we kept

1. Server-rendered pages that work without JavaScript
2. One configuration file, with `${ENV_VAR:default}` placeholders
3. SQLite on a laptop, PostgreSQL in production

### What we dropped

- joins across databases
- a shared `utils.py`
- *clever* caching

## What a request costs

| hop | typical time | note |
| --- | --- | --- |
| frontend → blog | 2 ms | one pooled proxy per thread |
| blog → storage | 3 ms | one call per use case |

```python
rpc = RpcClient(config)
articles = rpc.blog.list_articles(tag="python", limit=10)
for article in articles["articles"]:
    print(article["title"], article["favorites_count"])
```

#### A footnote on timeouts

Every call is bounded by `RPC_TIMEOUT`; a slow service becomes a **503**, never a hang.
See also ~~the old wiki page~~ the [operations guide](https://example.com/operations).
"""

SHORT_BODIES = [
    "RabbitMQ moves messages between processes.\n\n## Three settings\n\n- durable queues\n"
    "- publisher confirms\n- a prefetch count\n\n> Measure before you tune.\n",
    "SQLite handles more than you think.\n\n## Backups\n\nUse `VACUUM INTO` or the online "
    "backup API, never `cp` on a live file.\n\n```sql\nVACUUM INTO '/backups/blog.db';\n```\n",
    "Write like you talk, then cut a third.\n\n1. Short paragraphs\n2. Real headings\n"
    "3. Fewer adjectives\n\nMore in [the style guide](https://example.com/style).\n",
    "## Why idempotency keys\n\nA form sent twice should **save once**.\n\n| try | result |\n"
    "| --- | --- |\n| first | saved |\n| second | the same article |\n",
]

TOPICS = [
    ("Why we moved our blog to microservices", "What one codebase became when it split in three."),
    (
        "A gentle introduction to RabbitMQ",
        "Queues, exchanges and the one setting you must not forget.",
    ),
    ("SQLite in production: when it is enough", "WAL mode, one writer and honest backups."),
    ("Writing Markdown that reads well", "Short paragraphs, real headings, fewer adjectives."),
    ("Idempotency keys in practice", "Double clicks, retries and redelivered messages."),
    ("Timeouts all the way down", "Every call needs a deadline, including the ones inside."),
    ("Migrating from SQLite to PostgreSQL", "Same models, different URI, a few surprises."),
    ("What an RPC really costs", "Publisher confirms, reply queues and persistent messages."),
    ("Testing with real processes", "Why the end-to-end suite starts RabbitMQ vhosts of its own."),
    ("Event handlers that run twice", "At-least-once delivery and how to live with it."),
    ("Designing error pages people read", "A status, a sentence and a way back."),
    ("Sanitising Markdown without tears", "Allow lists, not block lists."),
    ("Green threads and blocking calls", "Keeping the event loop free for heartbeats."),
    ("Pagination that does not lie", "Counts, offsets and the last page."),
    ("Small services, small teams", "Who owns what once the monolith is gone."),
    ("Backups you have actually restored", "A backup is a restore you have not tried yet."),
]

TAGS = ["architecture", "python", "rabbitmq", "databases", "writing", "testing", "operations"]

COMMENTS = [
    "Clear and practical. The cost table is a great touch!",
    "How do you handle **timeouts** inside a service? `RpcProxy` has none in nameko 2.",
    "We did the same last year; see [our notes](https://example.com/notes).",
    "> nothing else opens its database\n\nThis is the rule that saved us.",
    "- durable queues\n- confirms\n\nBoth, always.",
    "Thanks, this answered my question about WAL mode.",
]


@dataclass
class SampleContent:
    users: list = field(default_factory=list)  # dicts from users.register (with token)
    articles: list = field(default_factory=list)  # dicts from blog.create_article
    tag: str = ""  # a tag that several articles carry

    @property
    def reader(self):
        """Follows the first author and favorites several articles; has written one article."""
        return self.users[1]

    @property
    def author(self):
        return self.users[0]

    def article_by(self, user):
        return next(a for a in self.articles if a["author"]["id"] == user["id"])


def seed(rpc):
    """Write the sample content through the services; returns a ``SampleContent``."""
    suffix = uuid.uuid4().hex[:5]
    content = SampleContent(tag=f"python{suffix}")
    for number, name in enumerate(("jonas", "maya", "lee")):
        username = f"{name}_{suffix}"
        user = rpc.users.register(
            username=username, email=f"{username}@example.com", password=PASSWORD
        )
        user = rpc.users.update_user(user_id=user["id"], changes={"bio": BIOS[number]})
        content.users.append(user)
    author, reader, third = content.users
    writers = [author] * 10 + [third] * 5 + [reader]
    for number, ((title, description), writer) in enumerate(zip(TOPICS, writers, strict=True)):
        body = LONG_BODY if number % 4 == 0 else SHORT_BODIES[number % len(SHORT_BODIES)]
        tags = [TAGS[number % len(TAGS)], TAGS[(number + 3) % len(TAGS)]]
        if number % 2 == 0:
            tags.append(content.tag)
        content.articles.append(
            rpc.blog.create_article(
                author_id=writer["id"],
                title=f"{title} ({suffix})",
                description=description,
                body=body,
                tag_list=tags,
            )
        )
    featured = content.articles[0]
    for number in range(18):
        article = featured if number < 6 else content.articles[number % len(content.articles)]
        commenter = content.users[number % 3]
        rpc.blog.add_comment(
            slug=article["slug"], author_id=commenter["id"], body=COMMENTS[number % len(COMMENTS)]
        )
    for article in content.articles[:6]:
        rpc.blog.favorite_article(slug=article["slug"], user_id=reader["id"])
    for article in content.articles[:3]:
        rpc.blog.favorite_article(slug=article["slug"], user_id=third["id"])
    rpc.users.follow_user(follower_id=reader["id"], username=author["username"])
    rpc.users.follow_user(follower_id=third["id"], username=author["username"])
    rpc.users.follow_user(follower_id=author["id"], username=third["username"])
    return content
