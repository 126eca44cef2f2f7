"""The blog database's hot queries on real databases (SQLite, and PostgreSQL when it
answers): the tags list, the free-slug choice and the article count give the same
answers as before, and on SQLite they use the indexes instead of scanning tables."""

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from services.database import blog_data
from services.database.access import WRITE_TRANSACTION_OPTION, configure_sqlite
from services.database.models import Article

AUTHOR = 1


@pytest.fixture
def engine(database_uris):
    engine = create_engine(database_uris["blog"])
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)  # as storage does: WAL, foreign keys, BEGIN IMMEDIATE
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        session.connection(execution_options={WRITE_TRANSACTION_OPTION: True})
        yield session
        session.rollback()


def create(session, slug, tags=(), title="A title"):
    return blog_data.create_article(session, AUTHOR, slug, title, "description", "body", list(tags))


class Statements:
    """The SQL a block of code sends (``SELECT`` statements and their parameters)."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            self.seen.append((statement, parameters))


def sqlite_plans(session, statements):
    """``EXPLAIN QUERY PLAN`` of each statement, one text per statement."""
    connection = session.connection()
    return [
        " / ".join(
            row[-1]
            for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        )
        for statement, parameters in statements
    ]


def test_tags_most_used_first_then_by_name(session):
    create(session, "one", ["rare", "common", "middle"])
    create(session, "two", ["common", "middle", "also-two"])
    create(session, "three", ["common"])

    assert blog_data.list_tags(session) == ["common", "middle", "also-two", "rare"]


def test_tags_of_deleted_articles_are_gone(session):
    create(session, "kept", ["kept"])
    create(session, "gone", ["gone", "kept"])
    blog_data.delete_article(session, "gone", only_author_id=AUTHOR)

    assert blog_data.list_tags(session) == ["kept"]


def test_free_slug_takes_the_smallest_free_number(session):
    for slug in ("post", "post", "post", "post-x", "post-4"):
        create(session, slug)
    # post, post-2, post-3, post-x and post-4 exist: the next free number is 5
    assert create(session, "post")["slug"] == "post-5"
    assert create(session, "post-x")["slug"] == "post-x-2"
    assert create(session, "other")["slug"] == "other"


def test_free_slug_looks_past_a_full_batch_of_candidates(session):
    taken = ["busy"] + [f"busy-{n}" for n in range(2, blog_data.SLUG_CANDIDATES * 2 + 3)]
    for slug in taken:
        session.add(Article(slug=slug, title="t", description="d", body="b", author_id=AUTHOR))
    session.flush()

    assert create(session, "busy")["slug"] == f"busy-{blog_data.SLUG_CANDIDATES * 2 + 3}"


def test_the_article_count_counts_every_match(session):
    for number in range(25):
        create(session, f"post-{number}", ["even" if number % 2 == 0 else "odd"])

    assert blog_data.list_articles(session, limit=5)["articles_count"] == 25
    assert blog_data.list_articles(session, tag="even", limit=5)["articles_count"] == 13
    assert blog_data.list_articles(session, author_ids=[2])["articles_count"] == 0
    assert blog_data.list_articles(session, tag="none")["articles_count"] == 0
    assert blog_data.list_articles(session, tag="odd", author_ids=[AUTHOR])["articles_count"] == 12
    assert blog_data.list_articles(session, tag="odd", author_ids=[2])["articles_count"] == 0
    blog_data.delete_article(session, "post-1", only_author_id=AUTHOR)
    assert blog_data.list_articles(session, tag="odd")["articles_count"] == 11


def test_sqlite_plans_use_indexes_for_the_slug_check_and_the_tag_counts(session, engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans are SQLite's")
    for number in range(30):
        create(session, f"post-{number}", ["a", "b"])

    with Statements(engine) as slug_check:
        blog_data._free_slug(session, "post")
    with Statements(engine) as tags:
        blog_data.list_tags(session)
    with Statements(engine) as count:
        blog_data.list_articles(session, limit=1)
    with Statements(engine) as tag_count:
        blog_data.list_articles(session, tag="a", limit=1)

    (slug_plan,) = sqlite_plans(session, slug_check.seen)
    assert "SEARCH articles USING COVERING INDEX" in slug_plan and "SCAN" not in slug_plan
    (tags_plan,) = sqlite_plans(session, tags.seen)
    assert "SCAN article_tags USING COVERING INDEX ix_article_tags_tag_id" in tags_plan
    assert "SEARCH tags USING INTEGER PRIMARY KEY" in tags_plan
    count_sql = count.seen[0][0]
    assert "count(*)" in count_sql and "count(articles.id)" not in count_sql
    tag_count_plan = sqlite_plans(session, tag_count.seen[:1])[0]
    assert "SEARCH article_tags USING COVERING INDEX ix_article_tags_tag_id" in tag_count_plan
    assert "articles" not in tag_count_plan


def test_pages_of_a_common_and_a_rare_tag_are_the_newest_of_the_tag(session):
    for number in range(40):
        tags = ["common"] if number % 4 else ["common", "rare"]  # rare: 0, 4, 8 ... 36
        create(session, f"post-{number}", tags)
        session.flush()

    common = blog_data.list_articles(session, tag="common", limit=5, offset=3)
    rare = blog_data.list_articles(session, tag="rare", limit=3, offset=1)

    assert common["articles_count"] == 40
    assert [a["slug"] for a in common["articles"]] == [f"post-{n}" for n in (36, 35, 34, 33, 32)]
    assert rare["articles_count"] == 10
    assert [a["slug"] for a in rare["articles"]] == ["post-32", "post-28", "post-24"]
    assert all("common" in a["tag_list"] for a in common["articles"])


def test_sqlite_walks_the_newest_articles_for_a_common_tag(session, engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans are SQLite's")
    for number in range(60):
        create(session, f"post-{number}", ["common"] + (["rare"] if number % 20 == 0 else []))

    with Statements(engine) as common:
        blog_data.list_articles(session, tag="common", limit=5)
    with Statements(engine) as rare:
        blog_data.list_articles(session, tag="rare", limit=5)

    common_page = [s for s in common.seen if "ORDER BY articles.created_at" in s[0]]
    rare_page = [s for s in rare.seen if "ORDER BY articles.created_at" in s[0]]
    (common_plan,) = sqlite_plans(session, common_page)
    (rare_plan,) = sqlite_plans(session, rare_page)
    assert "SCAN articles USING INDEX ix_articles_created_at" in common_plan
    assert "TEMP B-TREE" not in common_plan
    assert "SEARCH article_tags USING INDEX ix_article_tags_tag_id" in rare_plan
