"""A database that stops, or turns read-only, under a running storage service:
clear errors naming the database, no corruption, and recovery by itself (no
restart of storage) once the database is back.

SQLite: the blog database's file, its -wal and -shm files and their folder lose
their write permissions, then get them back, under storage running as a process
of its own, and while storage starts again (after a kill, and after a clean
stop). Root ignores file permissions, so when the tests run as root storage runs
without the capabilities that let it (``setpriv``), which file permissions then bind
as they bind a service account; skipped, with the reason, when there is no setpriv.

PostgreSQL: the test's own two databases on the shared server; "stopping" one
means refusing new connections (``ALLOW_CONNECTIONS false``) and terminating the
open ones, which is what storage sees when its server goes away; read-only is
``default_transaction_read_only`` (what a hot standby or a full disk's
emergency mode looks like to a client). The shared server itself is never
stopped or reconfigured. Skipped, with the reason, when PostgreSQL does not answer.
"""

import os
import shutil
import sqlite3
import subprocess
import time

import pg8000.native
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from common.errors import ServiceUnavailable
from services.storage import StorageService
from tests.integration.conftest import migrated
from tests.support.postgres import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER
from tests.support.stack import WITHOUT_PERMISSION_OVERRIDE, Stack

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
    connection = pg8000.native.Connection(
        POSTGRES_USER, host=POSTGRES_HOST, port=POSTGRES_PORT, database="postgres"
    )
    try:
        return connection.run(sql)
    finally:
        connection.close()


def drop_connections(database):
    admin(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        " AND pid <> pg_backend_pid()"
    )


def stop_database(database):
    admin(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
    drop_connections(database)


def start_database(database):
    admin(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')


def set_read_only(database, read_only):
    admin(
        f'ALTER DATABASE "{database}" SET default_transaction_read_only = '
        f"{'on' if read_only else 'off'}"
    )
    drop_connections(database)  # the setting applies to new sessions


def write_article(rpc, author_id, title):
    return rpc.storage.blog_create_article(
        author_id, title.lower().replace(" ", "-"), title, "d", "b", ["fault"], None
    )


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


# -- SQLite: the database file turns read-only ------------------------------------------


def storage_bound_by_file_permissions():
    """Whether storage must drop root's capabilities for file permissions to bind it (the
    tests run as root), skipping when that cannot be done."""
    if os.geteuid() != 0:
        return False
    if shutil.which("setpriv") is None:
        pytest.skip(
            "the tests run as root, who ignores file permissions, and without "
            "setpriv storage cannot drop the capabilities that let it"
        )
    probe = subprocess.run([*WITHOUT_PERMISSION_OVERRIDE, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop root's file capabilities here: {probe.stderr.strip()}")
    return True


def set_folder_read_only(folder, read_only):
    """Take the write permissions away from ``folder`` and its files, or give them back."""
    for path in [*folder.iterdir(), folder]:
        mode = os.stat(path).st_mode & 0o7777
        os.chmod(path, mode & ~0o222 if read_only else mode | 0o200)


@pytest.fixture
def sqlite_storage(tmp_path, rabbit_config):
    """Storage as a process of its own, bound by file permissions, on SQLite files, the
    blog database alone in its folder: ``(stack, blog_folder)``."""
    data = tmp_path / "data"
    uris = migrated(
        [f"sqlite:///{data / 'users' / 'users.db'}", f"sqlite:///{data / 'blog' / 'blog.db'}"]
    )
    stack = Stack(
        tmp_path,
        users_db_uri=uris["users"],
        blog_db_uri=uris["blog"],
        rpc_timeout=5,
        amqp_uri=rabbit_config["AMQP_URI"],
        bound_by_file_permissions=storage_bound_by_file_permissions(),
        extra_env={"BACKUP_DIR": str(data / "backups"), "BACKUP_INTERVAL_SECONDS": "0"},
    )
    try:
        stack.start("storage")
        yield stack, data / "blog"
    finally:
        stack.stop_all()
        set_folder_read_only(data / "blog", False)


def attempts_until_written(call, seconds=RECOVERY_DEADLINE_SECONDS):
    """``eventually(call)`` that also counts the ``ServiceUnavailable`` answers before it
    succeeded: ``(result, seconds, refusals)``."""
    refusals = []

    def counted():
        try:
            return call()
        except ServiceUnavailable as exc:
            refusals.append(str(exc))
            raise

    result, taken = eventually(counted, seconds)
    return result, taken, refusals


def sqlite_integrity(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


def assert_writes_resume(stack, author_id, title, phase):
    """The file is writable again: storage takes the next write, without a restart."""
    _, seconds, refusals = attempts_until_written(
        lambda: write_article(stack.rpc, author_id, title)
    )
    print(
        f"{phase} writes back {seconds:.1f} s after it turned writable, "
        f"{len(refusals)} refused meanwhile"
    )
    assert refusals == [], "storage still refused writes once the file was writable"


def test_a_read_only_sqlite_file_refuses_writes_clearly_and_storage_recovers(sqlite_storage):
    stack, blog_folder = sqlite_storage
    storage = stack.rpc.storage
    author = storage.users_create("carol", "carol@example.com", "hash")
    write_article(stack.rpc, author["id"], "Before read only")

    # 1. The file turns read-only under the running storage (its connections already open).
    set_folder_read_only(blog_folder, True)
    try:
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            write_article(stack.rpc, author["id"], "While read only")
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            storage.blog_delete_user_content(author["id"])
        # Reads go on, and so does the other database.
        assert storage.blog_list_articles()["articles_count"] == 1
        assert storage.users_create("dave", "dave@example.com", "hash")["username"] == "dave"
    finally:
        set_folder_read_only(blog_folder, False)
    assert_writes_resume(
        stack, author["id"], "After read only", "\n[sqlite read-only, storage running]"
    )

    # 2. Storage, killed, starts again while the file is read-only (its supervisor
    # restarted it): every connection it opens is a read-only one. Its -wal and -shm
    # files are still there, so SQLite can read.
    stack.stop("storage", kill=True)
    assert sorted(path.name for path in blog_folder.iterdir()) == [
        "blog.db",
        "blog.db-shm",
        "blog.db-wal",
    ]
    set_folder_read_only(blog_folder, True)
    try:
        stack.start("storage")
        assert storage.blog_list_articles()["articles_count"] == 2
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            write_article(stack.rpc, author["id"], "While read only at start")
        assert storage.users_create("erin", "erin@example.com", "hash")["username"] == "erin"
    finally:
        set_folder_read_only(blog_folder, False)
    assert_writes_resume(
        stack, author["id"], "After a start read only", "[sqlite read-only, storage started on it]"
    )

    # 3. The same after a clean stop, which removed the -wal and -shm files: SQLite cannot
    # open a WAL database without them in a folder it may not write
    # (SQLITE_READONLY_DIRECTORY), so reads are refused too, as read-only.
    stack.stop("storage")
    assert sorted(path.name for path in blog_folder.iterdir()) == ["blog.db"]
    set_folder_read_only(blog_folder, True)
    try:
        stack.start("storage")
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            write_article(stack.rpc, author["id"], "While read only after a stop")
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            storage.blog_list_articles()
        health = storage.health()
        assert health["blog"] == {
            **health["blog"],
            "ok": False,
            "error": "the blog database is read-only",
        }
        assert health["users"]["ok"] is True
    finally:
        set_folder_read_only(blog_folder, False)
    assert_writes_resume(
        stack,
        author["id"],
        "After a stop read only",
        "[sqlite read-only, storage started on it after a clean stop]",
    )

    titles = [article["title"] for article in storage.blog_list_articles()["articles"]]
    assert sorted(titles) == [
        "After a start read only",
        "After a stop read only",
        "After read only",
        "Before read only",
    ]
    assert storage.check_integrity()["ok"]
    stack.stop("storage")
    assert sqlite_integrity(blog_folder / "blog.db") == [("ok",)]
