"""A write load through the gateway for fault tests, and what to check afterwards.

``WriteLoad`` runs threads that each create articles with unique titles
through ``POST /api/articles`` (no ``Idempotency-Key``: the system must not
need one to write once), recording every answer: status, seconds waited, and
the slug of a 201. ``Figures`` summarises a run for the assertions and for
docs/RELIABILITY.md (the tests print them; ``pytest -s`` shows them).
"""

import sqlite3
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import requests

HTTP_TIMEOUT = 60


def sign_up(gateway_url, prefix="load"):
    """A new user through the gateway: ``(user json, headers with its token)``."""
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    response = requests.post(
        gateway_url + "/api/users",
        timeout=HTTP_TIMEOUT,
        json={
            "user": {"username": name, "email": f"{name}@example.com", "password": "pass-word-1"}
        },
    )
    response.raise_for_status()
    user = response.json()["user"]
    return user, {"Authorization": f"Token {user['token']}"}


@dataclass
class Answer:
    title: str
    status: int  # 0: no HTTP answer at all (connection refused or reset, client timeout)
    seconds: float
    started: float  # time.monotonic() when sent
    slug: str = None
    error: str = None


@dataclass
class WriteLoad:
    gateway_url: str
    headers: dict
    threads: int = 6
    tags: tuple = ()
    answers: list = field(default_factory=list)

    def __post_init__(self):
        self.run_id = uuid.uuid4().hex[:8]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = []

    def start(self):
        for number in range(self.threads):
            worker = threading.Thread(target=self._write, args=(number,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self):
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=HTTP_TIMEOUT + 5)
        assert not any(worker.is_alive() for worker in self._workers), "a writer hung"
        return Figures(self.answers)

    def _write(self, number):
        session = requests.Session()
        sequence = 0
        while not self._stop.is_set():
            title = f"Load {self.run_id} {number}-{sequence}"
            sequence += 1
            started = time.monotonic()
            try:
                response = session.post(
                    self.gateway_url + "/api/articles",
                    headers=self.headers,
                    timeout=HTTP_TIMEOUT,
                    json={
                        "article": {
                            "title": title,
                            "description": "under fault",
                            "body": "written under load",
                            "tagList": list(self.tags),
                        }
                    },
                )
            except requests.RequestException as exc:
                answer = Answer(title, 0, time.monotonic() - started, started, error=repr(exc))
                time.sleep(0.2)  # nothing listens: do not spin
            else:
                answer = Answer(
                    title,
                    response.status_code,
                    time.monotonic() - started,
                    started,
                    slug=response.json()["article"]["slug"]
                    if response.status_code == 201
                    else None,
                    error=None if response.status_code == 201 else response.text[:200],
                )
                if response.status_code != 201:
                    time.sleep(0.1)
            with self._lock:
                self.answers.append(answer)

    def acknowledged_count(self):
        with self._lock:
            return sum(1 for answer in self.answers if answer.status == 201)


class Figures:
    """What a load sent and was told."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.statuses = Counter(answer.status for answer in self.answers)
        self.acknowledged = [answer for answer in self.answers if answer.status == 201]
        self.longest = max((answer.seconds for answer in self.answers), default=0)

    def first_acknowledged_after(self, moment):
        """Seconds from ``moment`` to the end of the first 201 among requests sent after it."""
        ends = [
            answer.started + answer.seconds - moment
            for answer in self.acknowledged
            if answer.started >= moment
        ]
        return min(ends, default=None)

    def unexpected(self, allowed=(201, 503)):
        return [answer for answer in self.answers if answer.status not in allowed]

    def slower_than(self, seconds):
        return [answer for answer in self.answers if answer.seconds > seconds]

    def summary(self):
        return (
            f"{len(self.answers)} requests, statuses {dict(sorted(self.statuses.items()))}, "
            f"{len(self.acknowledged)} acknowledged, longest {self.longest:.2f} s"
        )


def titles_in_blog_database(path, prefix):
    """``Counter`` of the article titles starting with ``prefix`` in the SQLite blog database,
    read directly (not through the services under test)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as connection:
        rows = connection.execute(
            "SELECT title FROM articles WHERE title LIKE ?", (prefix + "%",)
        ).fetchall()
    return Counter(title for (title,) in rows)


def blog_database_problems(path):
    """Rows that would be half-applied writes: articles missing a tag they were written
    with is checked by the caller; here, comments on no article and tag links to nothing."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as connection:
        return {
            "integrity_check": connection.execute("PRAGMA integrity_check").fetchone()[0],
            "comments_on_no_article": connection.execute(
                "SELECT count(*) FROM comments WHERE article_id NOT IN (SELECT id FROM articles)"
            ).fetchone()[0],
            "tag_links_to_nothing": connection.execute(
                "SELECT count(*) FROM article_tags WHERE article_id NOT IN (SELECT id FROM articles)"
                " OR tag_id NOT IN (SELECT id FROM tags)"
            ).fetchone()[0],
        }
