"""Processes killed under load: nothing acknowledged is lost, nothing applies twice,
nothing is left half-done, and the system heals once the process is back.

One stack of its own (own RabbitMQ vhost, own SQLite files, ``RPC_TIMEOUT`` 6 s,
longer than a service takes to start again here, so requests of the killed process
are delivered again rather than expiring) for the whole module; each test kills a process with SIGKILL (no chance to
finish or hand back its work, as the OOM killer or a lost host does) and starts
it again, as a compose restart policy would. SQLite only: what is under test is
delivery and process death; the engine-specific faults (a database that stops or
turns read-only) are in tests/integration/test_database_faults.py.

Every test prints its figures (``pytest -s``); docs/RELIABILITY.md records them.
"""

import json
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests

from rpc_client.client import RpcClient
from tests.support.stack import RABBIT_API, Stack
from tests.support.write_load import (
    HTTP_TIMEOUT,
    WriteLoad,
    blog_database_problems,
    sign_up,
    titles_in_blog_database,
)

RPC_TIMEOUT = 6
ANSWER_SLACK_SECONDS = 3
"""What a request may take beyond ``RPC_TIMEOUT`` on this 2-core machine shared with other
work: HTTP, JSON and the token check around the call that timed out."""
LOAD_SECONDS = 2
RECOVERY_DEADLINE_SECONDS = 60


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory):
    stack = Stack(
        tmp_path_factory.mktemp("faults"),
        rpc_timeout=RPC_TIMEOUT,
        extra_env={"BACKUP_INTERVAL_SECONDS": "0"},
    )
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)


def restart(stack, name):
    """Start ``name`` again and wait until it answers; returns seconds it took."""
    started = time.monotonic()
    stack.start(name)
    return time.monotonic() - started


def report(test, **figures):
    print(f"\n[{test}] " + json.dumps(figures, default=str))


def test_storage_killed_under_a_write_load(fault_stack):
    """Every article answered 201 is stored exactly once, and no other article is
    stored twice (a request the dead storage had committed is delivered again to
    the new one); every request got 201 or 503, within the RPC timeout."""
    stack = fault_stack
    user, headers = sign_up(stack.gateway_url, "storagekill")
    load = WriteLoad(stack.gateway_url, headers, threads=8, tags=("fault",)).start()
    wait_until(lambda: load.acknowledged_count() >= 10, 30, "writes before the kill")
    time.sleep(LOAD_SECONDS / 2)

    stack.stop("storage", kill=True)
    killed_at = time.monotonic()
    acknowledged_at_kill = load.acknowledged_count()
    restart_seconds = restart(stack, "storage")
    wait_until(
        lambda: load.acknowledged_count() > acknowledged_at_kill + 10,
        RECOVERY_DEADLINE_SECONDS,
        "writes after the restart",
    )
    time.sleep(LOAD_SECONDS / 2)
    figures = load.stop()

    stored = titles_in_blog_database(stack.workdir / "blog.db", f"Load {load.run_id} ")
    lost = [answer.title for answer in figures.acknowledged if stored[answer.title] == 0]
    twice = sorted(title for title, count in stored.items() if count > 1)
    in_flight = sum(
        1
        for answer in figures.answers
        if answer.started < killed_at < answer.started + answer.seconds
    )
    report(
        "storage kill -9",
        load=figures.summary(),
        in_flight_at_kill=in_flight,
        stored=sum(stored.values()),
        lost=len(lost),
        twice=len(twice),
        restart_seconds=round(restart_seconds, 1),
        first_write_after_kill_seconds=figures.first_acknowledged_after(killed_at),
    )
    assert lost == [] and twice == []
    assert figures.unexpected() == []
    assert in_flight > 0, "some requests were waiting on storage when it died"
    assert figures.slower_than(RPC_TIMEOUT + ANSWER_SLACK_SECONDS) == []


def rabbit_queue_depth(stack, queue):
    response = requests.get(
        f"{RABBIT_API}/api/queues/{quote(stack.vhost, safe='')}/{quote(queue, safe='')}", timeout=10
    )
    response.raise_for_status()
    body = response.json()
    return body.get("messages", 0)


def test_blog_killed_with_requests_queued(fault_stack):
    """Requests in flight when blog dies, and those sent while it is down, are each
    done once or cleanly expired when it is back: a request that expired while blog
    was down (503) never happens, no article lacks its tags, no comment is left on a
    deleted article, nothing is written twice, and blog's queue is drained."""
    stack = fault_stack
    user, headers = sign_up(stack.gateway_url, "blogkill")
    api = stack.gateway_url + "/api"
    tags = ["alpha", "beta", "gamma"]

    def send(request):
        kind, name = request
        started = time.monotonic()
        if kind == "create":
            response = requests.post(
                api + "/articles",
                headers=headers,
                timeout=HTTP_TIMEOUT,
                json={"article": {"title": name, "description": "d", "body": "b", "tagList": tags}},
            )
        elif kind == "comment":
            response = requests.post(
                f"{api}/articles/{name}/comments",
                headers=headers,
                timeout=HTTP_TIMEOUT,
                json={"comment": {"body": "queued"}},
            )
        else:
            response = requests.delete(
                f"{api}/articles/{name}", headers=headers, timeout=HTTP_TIMEOUT
            )
        return kind, name, response.status_code, time.monotonic() - started

    run = uuid.uuid4().hex[:6]
    targets = [
        requests.post(
            api + "/articles",
            headers=headers,
            timeout=HTTP_TIMEOUT,
            json={"article": {"title": f"Target {run} {n}", "description": "d", "body": "b"}},
        ).json()["article"]["slug"]
        for n in range(4)
    ]
    load = WriteLoad(stack.gateway_url, headers, threads=4, tags=tuple(tags)).start()
    wait_until(lambda: load.acknowledged_count() >= 5, 30, "writes before the kill")

    stack.stop("blog", kill=True)
    killed_at = time.monotonic()
    # Sent while blog is down and left to expire: each must answer 503 and never happen.
    expired_batch = [("create", f"Expired {run} {n}") for n in range(4)]
    # Sent while blog is down, then blog comes back before they expire: done once each.
    # Comments on every target race deletes of two of them.
    queued_batch = [("create", f"Queued {run} {n}") for n in range(4)]
    queued_batch += [("comment", slug) for slug in targets for _ in range(3)]
    queued_batch += [("delete", slug) for slug in targets[:2]]
    with ThreadPoolExecutor(max_workers=len(queued_batch)) as pool:
        expired = list(pool.map(send, expired_batch))
        futures = [pool.submit(send, request) for request in queued_batch]
        time.sleep(0.5)
        restart_seconds = restart(stack, "blog")
        queued = [future.result() for future in futures]
    wait_until(
        lambda: load.acknowledged_count() > 20,
        RECOVERY_DEADLINE_SECONDS,
        "writes after the restart",
    )
    figures = load.stop()
    wait_until(lambda: rabbit_queue_depth(stack, "rpc-blog") == 0, 30, "rpc-blog drained")

    blog_db = stack.workdir / "blog.db"
    stored = titles_in_blog_database(blog_db, "")
    lost = [answer.title for answer in figures.acknowledged if stored[answer.title] == 0]
    lost += [
        name
        for kind, name, status, _ in queued
        if kind == "create" and status == 201 and stored[name] == 0
    ]
    twice = sorted(title for title, count in stored.items() if count > 1)
    happened_after_503 = [name for _, name, _, _ in expired if stored[name]]
    with sqlite3.connect(f"file:{blog_db}?mode=ro", uri=True) as connection:
        tags_of = {}
        for title, tag in connection.execute(
            "SELECT a.title, t.name FROM articles a LEFT JOIN article_tags at"
            " ON at.article_id = a.id LEFT JOIN tags t ON t.id = at.tag_id"
            " WHERE a.title LIKE ? OR a.title LIKE ?",
            (f"Load {load.run_id} %", f"Queued {run} %"),
        ):
            tags_of.setdefault(title, set()).add(tag)
        remaining_targets = {
            slug
            for (slug,) in connection.execute(
                "SELECT slug FROM articles WHERE slug IN (?, ?, ?, ?)", targets
            )
        }
    without_tags = sorted(title for title, found in tags_of.items() if found != set(tags))
    problems = blog_database_problems(blog_db)
    deleted = {name for kind, name, status, _ in queued if kind == "delete" and status == 204}
    report(
        "blog kill -9",
        load=figures.summary(),
        expired_statuses=sorted({status for *_, status, _ in expired}),
        queued_statuses=sorted({(kind, status) for kind, _, status, _ in queued}),
        lost=len(lost),
        twice=len(twice),
        happened_after_503=len(happened_after_503),
        half_applied=len(without_tags),
        restart_seconds=round(restart_seconds, 1),
        first_write_after_kill_seconds=figures.first_acknowledged_after(killed_at),
        **problems,
    )
    assert lost == [] and twice == [] and without_tags == []
    assert [status for *_, status, _ in expired] == [503] * len(expired_batch)
    assert happened_after_503 == []
    assert problems == {
        "integrity_check": "ok",
        "comments_on_no_article": 0,
        "tag_links_to_nothing": 0,
    }
    assert figures.unexpected() == []
    # A comment may find its article deleted first (404); nothing else but done or 503.
    assert {status for *_, status, _ in queued} <= {200, 201, 204, 404, 503}, queued
    assert not deleted & remaining_targets, "a delete answered 204 was undone"
    assert remaining_targets >= set(targets[2:]), "an article nobody deleted went away"
    slowest = max([seconds for *_, seconds in expired + queued] + [figures.longest])
    assert slowest <= RPC_TIMEOUT + ANSWER_SLACK_SECONDS, slowest


SEEDED_ARTICLES = 30000
"""Enough rows that a backup or a restore takes seconds here, so the kill lands mid-way."""


def seed_articles(blog_db, author_id, count, prefix):
    """Insert articles straight into the SQLite blog database (WAL: storage keeps running)."""
    with sqlite3.connect(blog_db, timeout=30) as connection:
        connection.executemany(
            "INSERT INTO articles (slug, title, description, body, author_id, created_at,"
            " updated_at) VALUES (?, ?, 'd', 'seeded', ?, '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00')",
            ((f"{prefix}-{n}", f"{prefix} {n}", author_id) for n in range(count)),
        )


def row_counts(stack):
    return {name: database["tables"] for name, database in stack.rpc.storage.stats().items()}


def kill_storage_when(stack, condition, seconds=60):
    """SIGKILL storage as soon as ``condition()`` holds (polled every 20 ms)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the operation never got under way"
        time.sleep(0.02)
    stack.stop("storage", kill=True)


def in_background(call):
    """Run ``call`` in a thread; returns a function giving its result or exception."""
    outcome = {}

    def run():
        try:
            outcome["result"] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is reported, not raised
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result():
        thread.join(timeout=180)
        assert not thread.is_alive(), "the call never returned"
        return outcome

    return result


def progress_of(backups):
    try:
        return json.loads((backups / ".progress.json").read_text())
    except (OSError, ValueError):
        return {}


def test_storage_killed_mid_backup_and_mid_restore(fault_stack):
    """A backup killed part-way is never listed, and its leftovers go with the next
    backup; a restore killed part-way leaves the databases wholly as they were or
    wholly restored; after both, a backup and a restore work and verify."""
    stack = fault_stack
    backups = stack.workdir / "backups"
    slow = RpcClient(stack.config, timeout=120)
    user, _ = sign_up(stack.gateway_url, "backupkill")
    author_id = stack.rpc.users.get_profile(username=user["username"])["id"]
    seed_articles(
        stack.workdir / "blog.db", author_id, SEEDED_ARTICLES, f"seed-{uuid.uuid4().hex[:6]}"
    )

    # Killed mid-backup: its folder is still .<id>.partial with the blog tables half-written.
    backup_call = in_background(lambda: slow.storage.backup())
    kill_storage_when(
        stack, lambda: any((partial / "blog").is_dir() for partial in backups.glob(".*.partial"))
    )
    partials_at_kill = [path.name for path in backups.glob(".*.partial")]
    listed_while_down = sorted(path.name for path in backups.iterdir() if path.is_dir())
    restart_seconds = restart(stack, "storage")
    backup_outcome = backup_call()  # done again by the new storage, or expired: both fine
    listed = stack.rpc.storage.list_backups()
    verified = [slow.storage.verify_backup(backup_id=entry["id"]) for entry in listed]
    good = slow.storage.backup()
    assert slow.storage.verify_backup(backup_id=good["id"])["ok"]
    leftovers = [path.name for path in backups.glob(".*.partial")]

    # Killed mid-restore of ``good`` over a database that has changed since.
    seed_articles(stack.workdir / "blog.db", author_id, 100, f"later-{uuid.uuid4().hex[:6]}")
    before_restore = row_counts(stack)
    restore_call = in_background(lambda: slow.storage.restore(backup_id=good["id"], confirm=True))
    kill_storage_when(
        stack,
        lambda: (
            progress_of(backups).get("operation") == "restore"
            and progress_of(backups).get("done", 0) > 0
        ),
    )
    restart(stack, "storage")
    restore_outcome = restore_call()  # done again by the new storage, or expired: both fine
    wait_until(
        lambda: stack.rpc.storage.backup_progress()["operation"] is None, 120, "no restore running"
    )
    after_kill = row_counts(stack)
    restored_counts = {name: database["rows"] for name, database in good["databases"].items()}
    restored = slow.storage.restore(backup_id=good["id"], confirm=True)
    after_restore = row_counts(stack)
    integrity = stack.rpc.storage.check_integrity()
    slow.close()

    report(
        "storage kill -9 mid-backup/restore",
        seeded_rows=SEEDED_ARTICLES,
        partials_at_kill=len(partials_at_kill),
        restart_seconds=round(restart_seconds, 1),
        killed_backup_call=sorted(backup_outcome),
        listed=len(listed),
        all_verified=all(v["ok"] for v in verified),
        leftover_partials=len(leftovers),
        killed_restore_call=sorted(restore_outcome),
        state_after_killed_restore=(
            "as before"
            if after_kill == before_restore
            else "restored"
            if after_kill == restored_counts
            else "MIXED"
        ),
    )
    assert partials_at_kill, "storage died with a backup half-written"
    assert all(
        (backups / name / "manifest.json").is_file()
        for name in listed_while_down
        if not name.startswith(".")
    ), "a folder named as a backup is incomplete"
    assert all(not entry.get("error") for entry in listed)
    assert all(result["ok"] for result in verified), verified
    assert leftovers == []
    assert after_kill in (before_restore, restored_counts), (after_kill, before_restore)
    assert restored["restored"] == restored_counts
    assert after_restore == restored_counts
    assert integrity["ok"], integrity
