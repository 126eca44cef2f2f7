"""The web apps' read cache is invalidated by the services' events: a write through one
gateway is seen by another gateway and by the frontend within the stated bound, even
where the cache would otherwise keep the old answer for a minute."""

import subprocess

import pytest
import requests

from common.config import PROJECT_ROOT
from tests.e2e.api import Api, create_article
from tests.support.polling import wait_until
from tests.support.stack import BIN, free_port

SEEN_WITHIN_SECONDS = 3
"""The event reaches every process within milliseconds; the margin is for a busy machine."""


@pytest.fixture
def slow_expiring_gateway(stack, tmp_path):
    """A second gateway whose cached answers would live for a minute without events."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-k",
            "gthread",
            "--threads",
            "4",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "gateway.wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env={**stack.env, "READ_CACHE_SECONDS": "60"},
        stdout=open(tmp_path / "gateway-2.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        stack._wait("gateway-2", lambda: requests.get(url + "/api/tags", timeout=10))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_write_through_one_gateway_is_read_fresh_everywhere_else(
    stack, sign_up, slow_expiring_gateway
):
    api, _ = sign_up()
    article = create_article(api, title="Cached twice")
    slug = article["slug"]
    other = Api(slow_expiring_gateway)
    page = f"{stack.frontend_url}/article/{slug}"
    for _ in range(2):  # both caches now hold the first version
        assert other.get(f"/articles/{slug}").json()["article"]["body"] == "The body"
        assert "The body" in requests.get(page, timeout=10).text

    assert api.put(f"/articles/{slug}", {"article": {"body": "Edited body"}}).status_code == 200

    assert wait_until(
        lambda: other.get(f"/articles/{slug}").json()["article"]["body"] == "Edited body",
        SEEN_WITHIN_SECONDS,
    )
    assert wait_until(
        lambda: "Edited body" in requests.get(page, timeout=10).text, SEEN_WITHIN_SECONDS
    )


def test_a_writer_reads_its_own_write_at_once(stack, sign_up):
    api, user = sign_up()
    before = api.get(f"/articles?author={user['username']}").json()["articlesCount"]

    create_article(api, title="Mine at once")

    assert api.get(f"/articles?author={user['username']}").json()["articlesCount"] == before + 1
