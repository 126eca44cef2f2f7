"""A realistic data set for the benchmark, written in bulk through storage's models.

    .venv/bin/python -m services.database.migrations upgrade
    .venv/bin/python -m bench.seed_data --articles 10000

Reads the two databases from ``USERS_DB_URI`` and ``BLOG_DB_URI`` (``config.yaml``,
as every process does) and adds, for ``--articles N``:

* ``max(200, N / 10)`` users (every one an author) who all share one password
  (``PASSWORD``), hashed once; each follows 5 others;
* one reader, ``READER`` (no articles), who follows exactly 50 authors: the
  feed scenario;
* N articles with a Markdown body of about 1 kB and 3 tags out of 300 (a few
  tags much more used than the rest), one a minute up to now;
* N comments spread over the articles, plus 20 more on each of the 100
  articles the benchmark reads one by one (``hot_slugs``);
* 2N favorites.

Rows go in by batches of 2,000 (storage's ``insert_batch`` on SQLite, multi-row
``INSERT`` on PostgreSQL) in one transaction per database, so 100k articles
take about a minute on SQLite. A run on
databases that already hold rows adds to them (ids and names continue). It
prints, and ``seed()`` returns, a summary the benchmark uses: counts, the
reader, hot slugs.
"""

import argparse
import json
import random
import string
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from tqdm import tqdm

from bench.service_code import (
    Article,
    ArticleTag,
    BlogBase,
    Comment,
    Favorite,
    Follow,
    Passwords,
    Tag,
    User,
    UsersBase,
    blog_rules,
    config_key,
    database_engine,
    insert_batch,
    load_config,
    reset_sequences,
)

PASSWORD = "bench password 1"
READER = "reader"
READER_FOLLOWS = 50
FOLLOWS_PER_USER = 5
TAG_COUNT = 300
TAGS_PER_ARTICLE = 3
HOT_ARTICLES = 100
COMMENTS_PER_HOT_ARTICLE = 20
FAVORITES_PER_ARTICLE = 2
BATCH = 2000

WORDS = (
    "service queue broker latency request storage schema index query cache event "
    "article reader author tag comment feed profile token worker thread process "
    "database transaction replica backup restore migration deploy scale throughput "
    "the a of and to in is that for on with as it by from at this be are was"
).split()


def user_count(articles):
    return max(200, articles // 10)


def seed(users_uri, blog_uri, articles=1000, random_seed=1, progress=True):
    """Add the data set for ``articles`` articles to the two databases; returns the summary."""
    rng = random.Random(random_seed)
    users_engine, blog_engine = database_engine(users_uri), database_engine(blog_uri)
    try:
        with users_engine.begin() as users, blog_engine.begin() as blog:
            bar = tqdm(
                total=_total_rows(articles),
                unit="rows",
                disable=not progress,
                desc=f"seeding {articles} articles",
                mininterval=0.5,
            )
            summary = _seed(users, blog, articles, rng, bar.update)
            bar.close()
            reset_sequences(users, UsersBase.metadata)
            reset_sequences(blog, BlogBase.metadata)
    finally:
        users_engine.dispose()
        blog_engine.dispose()
    return summary


def _total_rows(articles):
    users = user_count(articles) + 1
    return (
        users
        + users * FOLLOWS_PER_USER
        + READER_FOLLOWS
        + TAG_COUNT
        + articles * (1 + TAGS_PER_ARTICLE + 1 + FAVORITES_PER_ARTICLE)
        + min(HOT_ARTICLES, articles) * COMMENTS_PER_HOT_ARTICLE
    )


def _seed(users, blog, articles, rng, advance):
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    first_user = (users.scalar(select(func.max(User.id))) or 0) + 1
    first_article = (blog.scalar(select(func.max(Article.id))) or 0) + 1
    run = f"{first_user}-{first_article}" if first_user > 1 or first_article > 1 else ""

    # Users: authors, then the reader; one argon2 hash for all (hashing is not measured).
    password_hash = Passwords().hash(PASSWORD)
    authors = list(range(first_user, first_user + user_count(articles)))
    reader_id = authors[-1] + 1
    reader_name = READER if not run else f"{READER}-{run}"
    user_rows = [
        {
            "id": user_id,
            "username": f"author{user_id}",
            "email": f"author{user_id}@bench.example",
            "password_hash": password_hash,
            "bio": f"Author number {user_id}.",
            "image": None,
            "banned": False,
            "token_version": 0,
            "created_at": now,
            "updated_at": now,
        }
        for user_id in authors
    ]
    user_rows.append(
        {
            **user_rows[0],
            "id": reader_id,
            "username": reader_name,
            "email": f"{reader_name}@bench.example",
            "bio": "Reads a lot.",
        }
    )
    _insert(users, User.__table__, user_rows, advance)

    follows = {(reader_id, followee) for followee in rng.sample(authors, READER_FOLLOWS)}
    for follower in authors:
        others = [user for user in rng.sample(authors, FOLLOWS_PER_USER + 1) if user != follower]
        follows.update((follower, followee) for followee in others[:FOLLOWS_PER_USER])
    _insert(
        users,
        Follow.__table__,
        [{"follower_id": a, "followee_id": b, "created_at": now} for a, b in sorted(follows)],
        advance,
    )

    # Tags: reuse those present, add the missing ones of the 300.
    names = [f"{WORDS[i % len(WORDS)]}-{i}" for i in range(TAG_COUNT)]
    existing = dict(blog.execute(select(Tag.name, Tag.id)).all())
    next_tag = (max(existing.values()) if existing else 0) + 1
    new_tags = []
    for name in names:
        if name not in existing:
            existing[name] = next_tag
            new_tags.append({"id": next_tag, "name": name})
            next_tag += 1
    _insert(blog, Tag.__table__, new_tags, advance)
    tag_ids = [existing[name] for name in names]
    tag_weights = [1 / (rank + 1) for rank in range(TAG_COUNT)]  # Zipf: a few hot tags

    # Articles: one a minute, the newest a minute ago; ids grow with time.
    paragraphs = [_paragraph(rng) for _ in range(60)]
    article_ids = list(range(first_article, first_article + articles))
    slugs = {}

    def article_rows():
        for number, article_id in enumerate(article_ids):
            created = now - timedelta(minutes=articles - number)
            title = f"{_title(rng)} {article_id}"
            slugs[article_id] = blog_rules.slugify(title)
            body = "\n\n".join(
                [
                    f"## {title}",
                    *rng.sample(paragraphs, 3),
                    "- one point\n- another *point*\n- [a link](https://example.com/)",
                ]
            )
            yield {
                "id": article_id,
                "slug": slugs[article_id],
                "title": title,
                "description": rng.choice(paragraphs)[:160],
                "body": body,
                "author_id": rng.choice(authors),
                "idempotency_key": None,
                "created_at": created,
                "updated_at": created,
            }

    _insert(blog, Article.__table__, article_rows(), advance)

    def article_tag_rows():
        for article_id in article_ids:
            chosen = set()
            while len(chosen) < TAGS_PER_ARTICLE:
                chosen.add(rng.choices(tag_ids, tag_weights)[0])
            for tag_id in sorted(chosen):
                yield {"article_id": article_id, "tag_id": tag_id}

    _insert(blog, ArticleTag.__table__, article_tag_rows(), advance)

    hot = rng.sample(article_ids, min(HOT_ARTICLES, articles))
    commenters = authors + [reader_id]

    def comment_rows():
        targets = [rng.choice(article_ids) for _ in article_ids]
        targets += [article_id for article_id in hot for _ in range(COMMENTS_PER_HOT_ARTICLE)]
        for article_id in targets:
            created = now - timedelta(seconds=rng.randrange(1, 60 * articles))
            yield {
                "article_id": article_id,
                "author_id": rng.choice(commenters),
                "body": rng.choice(paragraphs),
                "idempotency_key": None,
                "created_at": created,
                "updated_at": created,
            }

    _insert(blog, Comment.__table__, comment_rows(), advance)

    favorites = set()
    while len(favorites) < FAVORITES_PER_ARTICLE * articles:
        favorites.add((rng.choice(article_ids), rng.choice(commenters)))
    _insert(
        blog,
        Favorite.__table__,
        [{"article_id": a, "user_id": u, "created_at": now} for a, u in sorted(favorites)],
        advance,
    )

    return {
        "articles": articles,
        "users": len(authors) + 1,
        "tags": len(names),
        "comments": articles + len(hot) * COMMENTS_PER_HOT_ARTICLE,
        "favorites": len(favorites),
        "follows": len(follows),
        "reader": {
            "username": reader_name,
            "email": f"{reader_name}@bench.example",
            "password": PASSWORD,
            "follows": READER_FOLLOWS,
        },
        "hot_slugs": [slugs[article_id] for article_id in hot],
    }


def _insert(connection, table, rows, advance):
    """Insert ``rows`` (any iterable of dicts) in batches of ``BATCH``."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            _insert_batch(connection, table, batch, advance)
            batch = []
    _insert_batch(connection, table, batch, advance)


def _insert_batch(connection, table, batch, advance):
    """SQLite: storage's ``insert_batch`` (one executemany). Elsewhere one multi-row
    ``INSERT ... VALUES`` per batch: pg8000 runs an executemany row by row."""
    if connection.dialect.name == "sqlite" or not batch:
        insert_batch(connection, table, batch, advance)
    else:
        connection.execute(table.insert().values(batch))
        advance(len(batch))


def _title(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()


def _paragraph(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(40, 90))]
    words[rng.randrange(len(words))] = f"**{rng.choice(WORDS)}**"
    words[rng.randrange(len(words))] = f"`{rng.choice(string.ascii_lowercase) * 3}`"
    return " ".join(words).capitalize() + "."


def main(argv=None):
    parser = argparse.ArgumentParser(description="Seed the benchmark data set.")
    parser.add_argument(
        "--articles", type=int, default=1000, help="number of articles (1000, 10000, 100000...)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    config = load_config()
    summary = seed(
        config["DB_URIS"][config_key("users")],
        config["DB_URIS"][config_key("blog")],
        args.articles,
        args.seed,
        progress=not args.quiet,
    )
    print(json.dumps({**summary, "hot_slugs": summary["hot_slugs"][:3] + ["..."]}, indent=2))


if __name__ == "__main__":
    main()
