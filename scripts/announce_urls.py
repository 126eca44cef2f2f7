"""Part of `make run`: wait until the gateway and the frontend answer, then say where to go.

It only reports, so it never stops the system: honcho stops every process when one
exits, so this one never raises and never exits. Slow first answers are normal (on a
second start the RPC queues already exist and a request waits in them until its
service is consuming), so it waits patiently and, if the system is still not
answering after ``STARTUP_SECONDS``, says it is starting slowly.
"""

import threading
import time

import requests

from common.config import load_config

STARTUP_SECONDS = 180
REQUEST_TIMEOUT = 15


def wait_until_up(url, deadline):
    """True once ``url`` answers without a server error, False at ``deadline``."""
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=REQUEST_TIMEOUT).status_code < 500:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def announcement(frontend, gateway, startup_seconds=STARTUP_SECONDS):
    """The lines to print once both web apps answer, or once ``startup_seconds`` pass."""
    deadline = time.monotonic() + startup_seconds
    ready = wait_until_up(frontend, deadline) and wait_until_up(gateway + "/tags", deadline)
    return [
        "",
        "  The blog is " + ("up." if ready else "starting slowly; check the logs above."),
        f"  Browser (frontend):  {frontend}",
        f"  JSON API (gateway):  {gateway}   (OpenAPI: {gateway}/openapi.json)",
        "  Admin shell:         .venv/bin/nameko shell --config config.yaml",
        "  Ctrl-C stops everything.",
    ]


def main():
    try:
        config = load_config()
        frontend = "http://{HOST}:{PORT}/".format(**config["FRONTEND"])
        gateway = "http://{HOST}:{PORT}/api".format(**config["GATEWAY"])
        print("\n".join(announcement(frontend, gateway)), flush=True)
    except Exception as exc:  # noqa: BLE001 - reporting must never stop the system
        print(
            f"  Could not check whether the blog is up ({exc!r}); see the logs above.", flush=True
        )
    threading.Event().wait()


if __name__ == "__main__":
    main()
