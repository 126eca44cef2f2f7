"""A database that stops, or turns read-only, under a running storage service:
clear errors naming the database, no corruption, and recovery by itself (no
restart of storage) once the database is back.

PostgreSQL: the test's own two databases on the shared server; "stopping" one
means refusing new connections (``ALLOW_CONNECTIONS false``) and terminating the
open ones, which is what storage sees when its server goes away; read-only is
``default_transaction_read_only`` (what a hot standby or a full disk's
emergency mode looks like to a client). The shared server itself is never
stopped or reconfigured. Skipped, with the reason, when PostgreSQL does not answer.
"""
import time

import pg8000.native
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.errors import ServiceUnavailable
from services.storage import StorageService
from tests.postgres import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER

RECOVERY_DEADLINE_SECONDS = 30


@pytest.fixture
def postgres_storage(make_databases, config_for, container_factory):
    """Storage on two new PostgreSQL databases: ``(rpc, {"users": name, "blog": name})``."""
    uris = make_databases("postgresql")
    config = config_for(uris, INTERVAL_SECONDS=0)
    container_factory(StorageService, config).start()
    names = {name: uri.rsplit("/", 1)[1] for name, uri in uris.items()}
    with ClusterRpcProxy(config, timeout=30) as rpc:
        yield rpc, names


def admin(sql):
    connection = pg8000.native.Connection(POSTGRES_USER, host=POSTGRES_HOST, port=POSTGRES_PORT,
                                          database="postgres")
    try:
        return connection.run(sql)
    finally:
        connection.close()


def drop_connections(database):
    admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
          " AND pid <> pg_backend_pid()")


def stop_database(database):
    admin(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
    drop_connections(database)


def start_database(database):
    admin(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')


def set_read_only(database, read_only):
    admin(f'ALTER DATABASE "{database}" SET default_transaction_read_only = '
          f'{"on" if read_only else "off"}')
    drop_connections(database)  # the setting applies to new sessions


def write_article(rpc, author_id, title):
    return rpc.storage.blog_create_article(author_id, title.lower().replace(" ", "-"), title,
                                           "d", "b", ["fault"], None)


def eventually(call, seconds=RECOVERY_DEADLINE_SECONDS):
    """``call()``'s result once it stops raising ``ServiceUnavailable``; with the seconds taken."""
    started = time.monotonic()
    while True:
        try:
            return call(), time.monotonic() - started
        except ServiceUnavailable:
            if time.monotonic() - started > seconds:
                raise
            time.sleep(0.3)


def test_a_stopped_database_is_a_clear_error_and_storage_recovers_by_itself(postgres_storage):
    rpc, names = postgres_storage
    author = rpc.storage.users_create("alice", "alice@example.com", "hash")
    write_article(rpc, author["id"], "Before the stop")

    stop_database(names["blog"])
    try:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="the blog database is unavailable"):
            write_article(rpc, author["id"], "During the stop")
        with pytest.raises(ServiceUnavailable, match="the blog database is unavailable"):
            rpc.storage.blog_list_articles()
        assert time.monotonic() - started < 10, "errors come at once, not after a hang"
        health = rpc.storage.health()
        assert health["blog"]["ok"] is False and health["blog"]["error"]
        assert rpc.storage.users_get(user_id=author["id"])["username"] == "alice"
    finally:
        start_database(names["blog"])

    _, seconds = eventually(lambda: write_article(rpc, author["id"], "After the stop"))
    print(f"\n[database stopped] recovered {seconds:.1f} s after it came back")
    titles = [article["title"] for article in rpc.storage.blog_list_articles()["articles"]]
    assert sorted(titles) == ["After the stop", "Before the stop"]
    assert rpc.storage.health()["blog"]["ok"] is True
    assert rpc.storage.check_integrity()["ok"]


def test_a_read_only_database_refuses_writes_clearly_and_storage_recovers(postgres_storage):
    rpc, names = postgres_storage
    author = rpc.storage.users_create("bob", "bob@example.com", "hash")
    write_article(rpc, author["id"], "Before read only")

    set_read_only(names["blog"], True)
    try:
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            write_article(rpc, author["id"], "While read only")
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            rpc.storage.blog_delete_user_content(author["id"])
        # Reads go on.
        assert rpc.storage.blog_list_articles()["articles_count"] == 1
    finally:
        set_read_only(names["blog"], False)

    _, seconds = eventually(lambda: write_article(rpc, author["id"], "After read only"))
    print(f"\n[database read-only] writes back {seconds:.1f} s after it turned writable")
    assert rpc.storage.blog_list_articles()["articles_count"] == 2
    assert rpc.storage.check_integrity()["ok"]
