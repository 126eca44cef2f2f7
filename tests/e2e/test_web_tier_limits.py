"""Issue 20 on the real web tier: the preview that exhausted a frontend is refused at once
with flat memory (measured on the gunicorn worker itself)."""

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from services.articles.rules import BODY_MAX

PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EXHAUSTING_PREVIEW = "a\n\n" * 160000
"""480 kB: under the form-field cap; rendered, it took 5.8 s of CPU and 314 MB at its peak."""


def signed_in_browser(stack):
    name = f"previewer{uuid.uuid4().hex[:8]}"
    response = requests.post(
        f"{stack.gateway_url}/api/users",
        json={"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    browser = requests.Session()
    token = CSRF_FIELD.search(browser.get(stack.frontend_url + "/login", timeout=30).text)
    response = browser.post(
        stack.frontend_url + "/login",
        data={"csrf_token": token.group(1), "email": f"{name}@example.com", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text
    return browser


def test_three_exhausting_previews_at_once_are_refused_quickly_with_flat_memory(stack):
    browser = signed_in_browser(stack)
    token = CSRF_FIELD.search(browser.get(stack.frontend_url + "/editor", timeout=30).text)
    form = {
        "csrf_token": token.group(1),
        "title": "t",
        "description": "d",
        "body": EXHAUSTING_PREVIEW,
        "tags": "",
        "action": "preview",
    }

    def preview(_):
        started = time.monotonic()
        response = browser.post(stack.frontend_url + "/editor", data=form, timeout=60)
        return response, time.monotonic() - started

    before = stack.web_worker_memory_mb("frontend")
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(preview, range(3)))
    after = stack.web_worker_memory_mb("frontend")

    for response, seconds in answers:
        assert response.status_code == 422
        assert f"must be at most {BODY_MAX} characters" in response.text
        assert 'id="preview"' not in response.text
        assert seconds < 10
    # Rendered, three such previews took the worker from 56 MB to a peak of 985 MB (a
    # frontend limited to 384 MB died) and kept 353 MB. Refused, the worker keeps what it
    # had; its peak is the URL-decoding of three 1.1 MB forms (werkzeug), freed at once.
    assert after["rss"] - before["rss"] < 40, (before, after)
    assert after["peak"] < 256, (before, after)
