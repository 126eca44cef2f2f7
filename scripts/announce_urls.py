"""Part of `make run`: wait until the gateway and the frontend answer, then say where to go.

It keeps running afterwards because honcho stops everything when one process exits.
"""
import threading
import time

import requests

from services.config import load_config

STARTUP_SECONDS = 60


def wait_until_up(url):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return True
        except requests.ConnectionError:
            time.sleep(0.5)
    return False


def main():
    config = load_config()
    frontend = "http://{HOST}:{PORT}/".format(**config["FRONTEND"])
    gateway = "http://{HOST}:{PORT}/api".format(**config["GATEWAY"])
    ready = all([wait_until_up(frontend), wait_until_up(gateway + "/tags")])
    print("", flush=True)
    print("  The blog is " + ("up." if ready else "starting slowly; check the logs above."))
    print(f"  Browser (frontend):  {frontend}")
    print(f"  JSON API (gateway):  {gateway}   (OpenAPI: {gateway}/openapi.json)")
    print("  Admin shell:         .venv/bin/nameko shell --config config.yaml")
    print("  Ctrl-C stops everything.", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
