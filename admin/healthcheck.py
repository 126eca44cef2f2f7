"""Health check of one part of the blog, for containers: ``blog-healthcheck PART``
(the console script; ``python -m admin.healthcheck PART`` where the project is not installed).

Exits 0 when the part is healthy and 1 when it is not (Docker's convention),
printing one line that says why. It reads ``config.yaml`` like every process.

- ``storage``, ``users``, ``blog``: one RPC through the broker, bounded by a
  short timeout, asking the same cheap question the gateway's ``/healthz``
  asks (``rpc_client.probes``). Services consume from shared
  queues, so with several instances any of them may answer: the check means
  "the service answers on its queue", which is what the parts depending on it
  (``depends_on: condition: service_healthy``) need.
- ``gateway``, ``frontend``: an HTTP GET on the container's own port of a page
  that needs no RPC, so a web container stays healthy while a service behind
  it restarts (the gateway's ``/healthz`` reports the services).
"""

import argparse
import sys

import requests

from common.config import load_config
from common.errors import ConduitError
from rpc_client.probes import SERVICE_PROBES

DEFAULT_TIMEOUT_SECONDS = 3

# Pages served without any RPC: they prove the WSGI server and the app are up.
WEB_PROBES = {
    "gateway": ("GATEWAY", "/api/openapi.json"),
    "frontend": ("FRONTEND", "/static/style.css"),
}

PARTS = (*SERVICE_PROBES, *WEB_PROBES)


def check_service(config, service_name, timeout):
    """``(healthy, reason)`` from one probe RPC to ``service_name``."""
    # Imported here, not for the web checks: the RPC client costs about half a
    # CPU-second to import, which a check every few seconds per container adds up.
    from rpc_client.client import RpcClient

    method_name, kwargs, judge = SERVICE_PROBES[service_name]
    client = RpcClient(config, timeout=timeout)
    try:
        verdict = judge(client.call(service_name, method_name, **kwargs))
    except ConduitError as error:
        return False, error.message
    finally:
        client.close()
    if not verdict["ok"]:
        return False, f"{service_name} answered but is not healthy: {verdict}"
    return True, f"{service_name} answered {method_name}"


def check_web(config, part, timeout):
    """``(healthy, reason)`` from one GET on this host's port of ``part``."""
    section, path = WEB_PROBES[part]
    url = f"http://127.0.0.1:{config[section]['PORT']}{path}"
    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException as exc:
        return False, f"{url}: {type(exc).__name__}"
    return response.ok, f"{url}: HTTP {response.status_code}"


def check(part, timeout=DEFAULT_TIMEOUT_SECONDS, config=None):
    config = config if config is not None else load_config()
    if part in WEB_PROBES:
        return check_web(config, part, timeout)
    return check_service(config, part, timeout)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="blog-healthcheck",
        description="Exit 0 when PART of the blog is healthy, 1 when it is not.",
    )
    parser.add_argument("part", choices=PARTS)
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds to wait for the answer (default %(default)s)",
    )
    args = parser.parse_args(argv)
    healthy, reason = check(args.part, args.timeout)
    print(("healthy: " if healthy else "unhealthy: ") + reason)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
