"""Scale-out without containers: two instances of blog and of users share the work
from their RPC queues, and stopping one instance (SIGTERM, as ``docker compose up
--scale blog=1`` or a rolling restart does) loses no request.

The test has its own ``Stack`` (own RabbitMQ vhost, own SQLite files) so that
starting and stopping instances does not disturb the session's shared stack. It
needs no gateway or frontend: it calls the services over RPC like a script.
"""

import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.polling import wait_until
from tests.support.stack import SERVICES, Stack, create_vhost

CALLS = 40
STREAM_THREADS = 6
WRITES_AFTER_STOP = 12


@pytest.fixture(scope="module")
def scaled_stack(tmp_path_factory):
    """storage, users, users#2, blog, blog#2 as processes; no web parts."""
    stack = Stack(tmp_path_factory.mktemp("scale-out"), rpc_timeout=10)
    create_vhost(stack.vhost)
    try:
        stack.run_migrations()
        for name in (*SERVICES, "users#2", "blog#2"):
            stack.start(name, wait=False)
        for name in SERVICES:
            stack.wait_for_service(name)
        yield stack
    finally:
        stack.stop_all()


def handled_by_instance(stack, service, request_id):
    """``{log file: number of RPCs}`` that ``service``'s instances logged for ``request_id``
    (services/rpc/request_log.py writes one ``rpc.access`` JSON line per RPC)."""
    counts = Counter()
    for log_file in sorted(stack.workdir.glob(f"{service}*.log")):
        for line in log_file.read_text(errors="replace").splitlines():
            _, marker, payload = line.partition(" rpc.access ")
            if marker and json.loads(payload).get("request_id") == request_id:
                counts[log_file.name] += 1
    return counts


def wait_for_log_lines(stack, service, request_id, expected, seconds=5):
    """The access line is written right after the reply is sent: give it a moment."""
    deadline = time.monotonic() + seconds
    while True:
        counts = handled_by_instance(stack, service, request_id)
        if sum(counts.values()) >= expected or time.monotonic() > deadline:
            return counts
        time.sleep(0.1)


def test_both_instances_of_each_service_take_work(scaled_stack):
    request_id = f"scale-{uuid.uuid4().hex[:8]}"
    context = {"request_id": request_id}

    def call_both(_):
        tags = scaled_stack.rpc.call("blog", "list_tags", context=context)
        profiles = scaled_stack.rpc.call("users", "get_profiles", user_ids=[], context=context)
        return tags, profiles

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(call_both, range(CALLS)))

    assert answers == [([], [])] * CALLS
    for service in ("blog", "users"):
        counts = wait_for_log_lines(scaled_stack, service, request_id, CALLS)
        assert set(counts) == {f"{service}.log", f"{service}-2.log"}, counts
        assert sum(counts.values()) == CALLS, counts


def test_stopping_an_instance_loses_no_request(scaled_stack):
    author = scaled_stack.rpc.call(
        "users",
        "register",
        username=f"scaler{uuid.uuid4().hex[:6]}",
        email=f"{uuid.uuid4().hex[:8]}@example.com",
        password="a long enough password",
    )
    tag = f"scale{uuid.uuid4().hex[:8]}"
    context = {"request_id": tag}
    stop_stream = threading.Event()
    results, failures = [], []
    lock = threading.Lock()

    def write_articles(thread_number):
        sequence = 0
        while not stop_stream.is_set():
            title = f"Scale {tag} {thread_number}-{sequence}"
            try:
                article = scaled_stack.rpc.call(
                    "blog",
                    "create_article",
                    author_id=author["id"],
                    title=title,
                    description="one of a stream",
                    body="written while an instance stops",
                    tag_list=[tag],
                    context=context,
                )
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                with lock:
                    failures.append(f"{title}: {type(exc).__name__}: {exc}")
            else:
                with lock:
                    results.append((title, article))
            sequence += 1

    threads = [
        threading.Thread(target=write_articles, args=(number,)) for number in range(STREAM_THREADS)
    ]
    for thread in threads:
        thread.start()
    # Both instances under the stream before one stops; the other goes on alone after.
    assert wait_until(
        lambda: handled_by_instance(scaled_stack, "blog", tag)["blog-2.log"] > 0,
        seconds=30,
        interval=0.2,
    )
    handled_before_stop = handled_by_instance(scaled_stack, "blog", tag)
    scaled_stack.stop("blog#2")  # SIGTERM: finish running workers, hand back the rest
    written_at_stop = len(results)
    wait_until(lambda: len(results) >= written_at_stop + WRITES_AFTER_STOP, seconds=30)
    stop_stream.set()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert handled_before_stop["blog-2.log"] > 0, handled_before_stop
    assert len(results) > written_at_stop, "the remaining instance went on answering"
    for title, article in results:
        assert article["title"] == title and article["tag_list"] == [tag]
        assert article["author"]["username"] == author["username"]
    page = scaled_stack.rpc.call("blog", "list_articles", tag=tag, limit=1)
    assert page["articles_count"] == len(results)
    assert len({article["slug"] for _, article in results}) == len(results)
