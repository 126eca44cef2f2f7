"""The frontend's memory and time under the editor preview that once exhausted it.

Starts the whole stack (``tests/support/stack.py``: its own vhost, free ports, one gunicorn
frontend worker as deployed), signs in through the frontend, then sends the same preview
(``"a\\n\\n" * 160000``, 480 kB: under the form-field cap, over the article body limit)
``--previews`` times at once, and prints the worker's resident memory before and after,
its peak (``VmHWM``) and each answer's status and time. Run it on two checkouts to compare::

    .venv/bin/python -m bench.preview_memory
"""

import argparse
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.stack import Stack

PREVIEW_BODY = "a\n\n" * 160000
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery"


def signed_in_session(stack, name):
    response = requests.post(
        f"{stack.gateway_url}/api/users",
        json={"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}},
        timeout=30,
    )
    response.raise_for_status()
    session = requests.Session()
    token = CSRF_FIELD.search(session.get(stack.frontend_url + "/login", timeout=30).text).group(1)
    session.post(
        stack.frontend_url + "/login",
        data={"csrf_token": token, "email": f"{name}@example.com", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    ).raise_for_status()
    return session


def preview(session, stack, token):
    started = time.monotonic()
    response = session.post(
        stack.frontend_url + "/editor",
        data={
            "csrf_token": token,
            "title": "t",
            "description": "d",
            "body": PREVIEW_BODY,
            "tags": "",
            "action": "preview",
        },
        timeout=120,
    )
    return response.status_code, round(time.monotonic() - started, 2), len(response.content)


def measure(previews):
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(workdir, rpc_timeout=10).start_all()
        try:
            session = signed_in_session(stack, "previewer")
            token = CSRF_FIELD.search(session.get(stack.frontend_url + "/editor").text).group(1)
            before = stack.web_worker_memory_mb("frontend")
            with ThreadPoolExecutor(previews) as pool:
                answers = list(pool.map(lambda _: preview(session, stack, token), range(previews)))
            after = stack.web_worker_memory_mb("frontend")
        finally:
            stack.stop_all()
    return before, after, answers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previews", type=int, default=3, help="sent at once (default 3)")
    args = parser.parse_args(argv)
    before, after, answers = measure(args.previews)
    print(f"frontend worker RSS before: {before['rss']} MB (peak so far {before['peak']} MB)")
    print(
        f"after {args.previews} previews of {len(PREVIEW_BODY)} characters at once: "
        f"RSS {after['rss']} MB, peak {after['peak']} MB"
    )
    for status, seconds, size in answers:
        print(f"  answer: HTTP {status} in {seconds} s, {size} bytes")


if __name__ == "__main__":
    main()
