"""Backups of a running storage service, on SQLite and on PostgreSQL: a snapshot
taken while writers run, corrupted backups refused, restore over existing data
only when confirmed, retention, the schedule (shared by instances) and the events."""

import itertools
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import eventlet
import pytest
from nameko.events import event_handler
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_waiter
from nameko.testing.utils import get_container

from common.errors import NotFound, ValidationError
from services.backups.progress import Progress
from services.database import table_files
from services.storage import StorageService
from tests.support.polling import wait_until

ENGINES = pytest.mark.parametrize("engine", ["sqlite", "postgresql"])


class BackupWatcher:
    """Receives the storage service's backup events (returned, for entrypoint_waiter)."""

    name = "backup_watcher"

    @event_handler("storage", "backup_completed")
    def handle_backup_completed(self, payload):
        return payload

    @event_handler("storage", "backup_failed")
    def handle_backup_failed(self, payload):
        return payload


@pytest.fixture
def start(config_for, make_databases, runner_factory):
    """``start(engine, **backup)``: storage and the watcher on new databases;
    returns ``(runner, storage proxy, config)``."""
    proxies = []

    def run(engine, **backup):
        config = config_for(make_databases(engine), **backup)
        runner = runner_factory(config, StorageService, BackupWatcher)
        runner.start()
        proxies.append(ClusterRpcProxy(config, timeout=60))
        return runner, proxies[-1].start().storage, config

    yield run
    for proxy in proxies:
        proxy.stop()


def backup_folder(config, backup_id):
    return Path(config["BACKUP"]["DIR"]) / backup_id


def publish(storage, author_id, number):
    """One article with a shared tag and its own: four rows in one transaction."""
    return storage.blog_create_article(
        author_id, f"post-{number}", f"Post {number}", "d", "b", ["shared", f"own-{number}"]
    )


def backup_of_one_article(storage):
    """Alice with article ``post-1``, backed up: ``(alice, backup summary)``."""
    alice = storage.users_create("alice", "alice@example.com", "hash")
    publish(storage, alice["id"], 1)
    return alice, storage.backup()


@ENGINES
def test_backup_taken_while_writers_run_is_one_consistent_snapshot(
    engine, start, monkeypatch, config_for
):
    monkeypatch.setattr(table_files, "BATCH_ROWS", 3)  # many batches: writers interleave
    _, storage, config = start(engine)
    author = storage.users_create("writer", "writer@example.com", "hash")
    for number in range(20):
        publish(storage, author["id"], number)

    during_backup, stop, numbers = [], [], itertools.count(100)

    def write():
        with ClusterRpcProxy(config, timeout=30) as writer:
            while not stop:
                started = time.monotonic()
                publish(writer.storage, author["id"], next(numbers))
                during_backup.append((started, time.monotonic()))

    writers = [eventlet.spawn(write) for _ in range(4)]
    eventlet.sleep(0.2)
    began = time.monotonic()
    summary = storage.backup()
    ended = time.monotonic()
    stop.append(True)
    for writer in writers:
        writer.wait()

    assert any(began < start_ < finish < ended for start_, finish in during_backup), (
        "no write committed while the backup ran"
    )
    rows = summary["databases"]["blog"]["rows"]
    assert rows["article_tags"] == 2 * rows["articles"]
    assert rows["tags"] == rows["articles"] + 1
    assert storage.stats()["blog"]["tables"]["articles"] > rows["articles"]

    storage.restore(summary["id"], confirm=True)
    assert storage.stats()["blog"]["tables"] == rows
    for article in storage.blog_list_articles(limit=1000)["articles"]:
        assert article["tag_list"] == sorted(["shared", f"own-{article['slug'][5:]}"])


@ENGINES
def test_corrupted_backup_is_refused_by_verify_and_by_restore(engine, start):
    _, storage, config = start(engine)
    _, summary = backup_of_one_article(storage)
    assert storage.verify_backup(summary["id"]) == {"id": summary["id"], "ok": True, "problems": []}
    articles = backup_folder(config, summary["id"]) / "blog" / "articles.jsonl"
    articles.write_bytes(articles.read_bytes().replace(b"Post 1", b"Post 2"))
    (backup_folder(config, summary["id"]) / "users" / "follows.jsonl").unlink()

    verdict = storage.verify_backup(summary["id"])
    assert not verdict["ok"]
    assert verdict["problems"] == [
        "users.follows: file users/follows.jsonl is missing",
        "blog.articles: checksum of blog/articles.jsonl does not match",
    ]
    with pytest.raises(ValidationError) as refused:
        storage.restore(summary["id"], confirm=True)
    assert refused.value.errors["backup"][1:] == verdict["problems"]
    assert storage.blog_get_article("post-1")["title"] == "Post 1"


@ENGINES
def test_unreadable_manifest_and_unknown_ids(engine, start):
    _, storage, config = start(engine)
    summary = storage.backup()
    (backup_folder(config, summary["id"]) / "manifest.json").write_text('{"format": 1, "id"')
    verdict = storage.verify_backup(summary["id"])
    assert not verdict["ok"] and verdict["problems"][0].startswith("unreadable manifest")
    assert storage.list_backups()[0]["error"].startswith("unreadable manifest")
    for unknown in ("20000101T000000000000Z", "../backups", summary["id"] + "/.."):
        with pytest.raises(NotFound):
            storage.verify_backup(unknown)
        with pytest.raises(NotFound):
            storage.restore(unknown)


@ENGINES
def test_restore_replaces_existing_data_only_when_confirmed(engine, start):
    _, storage, _ = start(engine)
    alice, summary = backup_of_one_article(storage)
    publish(storage, alice["id"], 2)
    storage.users_create("bob", "bob@example.com", "hash")

    with pytest.raises(ValidationError) as refused:
        storage.restore(summary["id"])
    assert "confirm=True" in refused.value.errors["confirm"][0]
    assert storage.stats()["blog"]["tables"]["articles"] == 2

    storage.restore(summary["id"], confirm=True)
    assert storage.stats()["blog"]["tables"] == summary["databases"]["blog"]["rows"]
    assert storage.users_list()["users_count"] == 1
    with pytest.raises(NotFound):
        storage.blog_get_article("post-2")


@ENGINES
def test_a_restore_that_fails_part_way_leaves_both_databases_as_they_were(
    engine, start, monkeypatch
):
    _, storage, _ = start(engine)
    _, summary = backup_of_one_article(storage)
    bob = storage.users_create("bob", "bob@example.com", "hash")
    publish(storage, bob["id"], 2)
    before = storage.stats()
    load_table = table_files.load_table

    def load_until_comments(connection, table, *args):
        if table.name == "comments":  # blog is restored after users
            raise RuntimeError("the disk went away")
        return load_table(connection, table, *args)

    monkeypatch.setattr(table_files, "load_table", load_until_comments)
    with pytest.raises(RemoteError, match="the disk went away"):
        storage.restore(summary["id"], confirm=True)

    assert storage.stats() == before
    assert storage.backup_progress()["operation"] is None


@ENGINES
def test_retention_keeps_the_newest_backups(engine, start):
    _, storage, config = start(engine, KEEP=2)
    ids = [storage.backup()["id"] for _ in range(3)]
    assert [summary["id"] for summary in storage.list_backups()] == ids[:0:-1]
    assert not backup_folder(config, ids[0]).exists()


def test_scheduled_backup_dispatches_backup_completed(start):
    runner, storage, _ = start("sqlite", INTERVAL_SECONDS=0.3)
    watcher = get_container(runner, BackupWatcher)
    with entrypoint_waiter(watcher, "handle_backup_completed", timeout=10) as waited:
        pass
    assert waited.get()["id"] in [summary["id"] for summary in storage.list_backups()]


def test_storage_instances_sharing_a_backup_folder_take_turns_on_the_schedule(
    config_for, make_databases, runner_factory
):
    interval = 0.5
    config = config_for(make_databases("sqlite"), INTERVAL_SECONDS=interval, KEEP=100)
    runner_factory(config, StorageService).start()
    runner_factory(config, StorageService).start()  # a second instance, same databases and folder
    folder = Path(config["BACKUP"]["DIR"])
    assert wait_until(lambda: folder.exists() and len(backup_ids(folder)) >= 4, seconds=30)

    ids = backup_ids(folder)
    slots = [int(storage_backup_time(backup_id) // interval) for backup_id in ids]
    assert len(set(slots)) == len(slots), f"two backups in one interval: {sorted(ids)}"


def test_progress_of_a_backup_is_seen_from_every_storage_instance(
    config_for, make_databases, runner_factory, monkeypatch
):
    monkeypatch.setattr(table_files, "BATCH_ROWS", 1)
    slow_advance = Progress.advance
    monkeypatch.setattr(
        Progress, "advance", lambda self, rows: (slow_advance(self, rows), eventlet.sleep(0.02))
    )
    config = config_for(make_databases("sqlite"), INTERVAL_SECONDS=0)
    runner_factory(config, StorageService).start()
    runner_factory(config, StorageService).start()  # a second instance, same databases and folder
    with ClusterRpcProxy(config, timeout=60) as rpc:
        author = rpc.storage.users_create("writer", "writer@example.com", "hash")
        for number in range(20):
            publish(rpc.storage, author["id"], number)

        running = rpc.storage.backup.call_async()
        assert wait_until(lambda: rpc.storage.backup_progress()["operation"] == "backup")
        seen = [rpc.storage.backup_progress() for _ in range(10)]  # RabbitMQ alternates instances
        summary = running.result()
        after = rpc.storage.backup_progress()

    assert {(state["operation"], state["backup_id"]) for state in seen} == {
        ("backup", summary["id"])
    }
    done = [state["done"] for state in seen]
    assert done == sorted(done) and 0 < done[-1] < seen[-1]["total"]
    assert after == {"operation": None, "backup_id": None, "done": 0, "total": 0}


def backup_ids(folder):
    """The finished backups in ``folder`` (one still being written is a hidden ``.partial``)."""
    return [
        path.name for path in folder.iterdir() if path.is_dir() and not path.name.startswith(".")
    ]


def storage_backup_time(backup_id):
    """Unix time of a backup id (``20261123T185752123456Z``)."""
    return datetime.strptime(backup_id, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=timezone.utc).timestamp()


def test_failed_backup_dispatches_backup_failed_and_leaves_nothing(start):
    runner, storage, config = start("sqlite")
    directory = Path(config["BACKUP"]["DIR"])
    shutil.rmtree(directory)
    directory.write_text("not a directory")
    watcher = get_container(runner, BackupWatcher)
    with entrypoint_waiter(watcher, "handle_backup_failed", timeout=10) as waited:
        with pytest.raises(RemoteError):
            storage.backup()
    assert "Not a directory" in waited.get()["error"]
    assert storage.backup_progress()["operation"] is None
