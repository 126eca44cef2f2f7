"""A backup taken on one engine restores, row for row, into the other:
SQLite→SQLite, SQLite→PostgreSQL, PostgreSQL→SQLite, PostgreSQL→PostgreSQL.
Each path runs the storage service on the source databases, backs up over
RPC, stops it, runs it on fresh target databases and restores over RPC."""

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, select

from services.database import migrations
from services.storage import StorageService

PATHS = [
    ("sqlite", "sqlite"),
    ("sqlite", "postgresql"),
    ("postgresql", "sqlite"),
    ("postgresql", "postgresql"),
]


@pytest.fixture
def run_storage(container_factory):
    """``run_storage(config)``: a started storage service and an RPC proxy to it."""
    started = []

    def run(config):
        container = container_factory(StorageService, config)
        container.start()
        proxy = ClusterRpcProxy(config, timeout=60)
        started.append(proxy)
        return container, proxy.start().storage

    yield run
    for proxy in started:
        proxy.stop()


def seed(storage):
    """Users, follows, articles with tags, comments and favorites, with non-ASCII text."""
    alice = storage.users_create("alice", "alice@example.com", "hash-a")
    bob = storage.users_create("bob", "bob@example.com", "hash-b")
    storage.users_update(bob["id"], {"bio": "Grüße aus Köln ✓", "image": "https://x.test/b.png"})
    storage.users_follow(alice["id"], "bob")
    storage.users_set_banned("bob", True)
    first = storage.blog_create_article(
        alice["id"], "first", "First", "d", "body ✓", ["intro", "zürich"], "key-1"
    )
    storage.blog_create_article(bob["id"], "second", "Second", "d", "b", ["intro"])
    storage.blog_add_comment(first["slug"], bob["id"], "nice", "comment-key")
    storage.blog_favorite(first["slug"], bob["id"])
    storage.blog_favorite(first["slug"], alice["id"])
    return alice, bob


def all_rows(uris):
    """Every row of both databases, by table, in primary-key order."""
    rows = {}
    for name, uri in uris.items():
        engine = create_engine(uri)
        with engine.connect() as connection:
            for table in migrations.BASES[name].metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                rows[table.name] = [dict(row) for row in connection.execute(query).mappings()]
        engine.dispose()
    return rows


@pytest.mark.parametrize("source, target", PATHS, ids=[f"{s}-to-{t}" for s, t in PATHS])
def test_backup_restores_every_row_into_either_engine(
    source, target, make_databases, config_for, run_storage
):
    source_uris, target_uris = make_databases(source), make_databases(target)
    container, storage = run_storage(config_for(source_uris))
    seed(storage)
    summary = storage.backup()
    container.stop()

    _, storage = run_storage(config_for(target_uris))
    assert storage.verify_backup(summary["id"])["ok"]
    result = storage.restore(summary["id"])

    expected = all_rows(source_uris)
    assert all_rows(target_uris) == expected
    assert result["restored"]["blog"]["articles"] == len(expected["articles"]) == 2
    assert storage.stats()["blog"]["tables"] == summary["databases"]["blog"]["rows"]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_ids_continue_after_the_restored_ones(engine, make_databases, config_for, run_storage):
    source_uris, target_uris = make_databases("sqlite"), make_databases(engine)
    container, storage = run_storage(config_for(source_uris))
    alice, bob = seed(storage)
    summary = storage.backup()
    container.stop()

    _, storage = run_storage(config_for(target_uris))
    storage.restore(summary["id"])
    carol = storage.users_create("carol", "carol@example.com", "hash-c")
    assert carol["id"] == max(alice["id"], bob["id"]) + 1
    article = storage.blog_create_article(carol["id"], "third", "Third", "d", "b", ["new"])
    comment = storage.blog_add_comment(article["slug"], carol["id"], "mine")
    assert comment["id"] == 2
    assert storage.blog_get_article("first")["favorites_count"] == 2
