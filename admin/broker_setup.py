"""Create the broker accounts of every part: ``python -m admin.broker_setup``.

Through RabbitMQ's management API (``RABBIT_MANAGEMENT_URL``, by default
``http://guest:guest@127.0.0.1:15672`` for a local broker), on the virtual host
of ``AMQP_URI``, it creates one account per part (``storage``, ``users``,
``blog``, ``gateway``, ``frontend``, ``admin``) with the permissions of
``admin.broker_accounts``, and writes each part's ``AMQP_URI_<PART>``
into an env file (mode 0600) that ``make run`` hands to honcho. Passwords
already in that file are kept; missing ones are random. Running it again
brings the permissions up to date.

    python -m admin.broker_setup --env-file var/broker-accounts.env

Passwords given in ``BROKER_PASSWORD_<PART>`` win (compose's one-shot
``broker-setup`` service passes them from ``.env``; it writes no file and
prints no secret). ``--print`` prints the env lines instead of writing them.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests

from admin.broker_accounts import PARTS, account_name, permissions, topic_permissions
from common.config import load_config
from common.settings import ENVIRONMENT_DEFAULTS

DEFAULT_MANAGEMENT_URL = ENVIRONMENT_DEFAULTS["RABBIT_MANAGEMENT_URL"]
TIMEOUT_SECONDS = 10


class ManagementApi:
    """The few calls of RabbitMQ's HTTP API that accounts need."""

    def __init__(self, url=None):
        parts = urlsplit(url or os.environ.get("RABBIT_MANAGEMENT_URL") or DEFAULT_MANAGEMENT_URL)
        self.auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))
        self.base = urlunsplit(
            (
                parts.scheme,
                parts.hostname + (f":{parts.port}" if parts.port else ""),
                "/api",
                "",
                "",
            )
        )

    def request(self, method, path, **kwargs):
        response = requests.request(
            method, self.base + path, auth=self.auth, timeout=TIMEOUT_SECONDS, **kwargs
        )
        if response.status_code not in (200, 201, 204, 404) or (
            response.status_code == 404 and method != "DELETE"
        ):
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code} {response.text}")
        return response

    def ensure_account(self, vhost, user, password, part):
        name, host = quote(user, safe=""), quote(vhost, safe="")
        self.request("PUT", f"/users/{name}", json={"password": password, "tags": ""})
        self.request("PUT", f"/permissions/{host}/{name}", json=permissions(part))
        self.request("DELETE", f"/topic-permissions/{host}/{name}")
        for topic in topic_permissions(part):
            self.request("PUT", f"/topic-permissions/{host}/{name}", json=topic)

    def delete_accounts(self, vhost):
        """Delete the accounts this module made for ``vhost``."""
        for part in PARTS:
            self.request("DELETE", f"/users/{quote(account_name(vhost, part), safe='')}")


def vhost_of(amqp_uri):
    path = urlsplit(amqp_uri).path
    return "/" if path in ("", "/") else unquote(path[1:])


def uri_for(amqp_uri, user, password):
    """``amqp_uri`` with another account (same host, port, vhost and options)."""
    parts = urlsplit(amqp_uri)
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def env_name(part):
    return f"AMQP_URI_{part.upper()}"


def read_env_file(path):
    values = {}
    if path and Path(path).exists():
        for line in Path(path).read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and not line.startswith("#"):
                values[name.strip()] = value.strip()
    return values


def known_password(existing_uri):
    return unquote(urlsplit(existing_uri).password or "") if existing_uri else ""


def ensure_all(amqp_uri, api, existing=None, passwords=None):
    """Create or update every part's account on ``amqp_uri``'s vhost; returns
    ``{part: AMQP URI of that part}``."""
    vhost = vhost_of(amqp_uri)
    existing, passwords = existing or {}, passwords or {}
    uris = {}
    for part in PARTS:
        user = account_name(vhost, part)
        password = (
            passwords.get(part)
            or known_password(existing.get(env_name(part)))
            or secrets.token_urlsafe(24)
        )
        api.ensure_account(vhost, user, password, part)
        uris[part] = uri_for(amqp_uri, user, password)
    return uris


def write_env_file(path, uris):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by python -m admin.broker_setup: one broker account per part."]
    lines += [f"{env_name(part)}={uri}" for part, uri in uris.items()]
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as env_file:
        env_file.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def ensure_with_retries(amqp_uri, existing, passwords, wait_seconds):
    """``ensure_all``, retried while the management API does not answer yet."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return ensure_all(amqp_uri, ManagementApi(), existing, passwords)
        except requests.RequestException as exc:
            if time.monotonic() >= deadline:
                raise RuntimeError(f"the management API does not answer: {exc}") from exc
            time.sleep(2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-file", help="where to write AMQP_URI_<PART> lines (0600)")
    parser.add_argument("--print", action="store_true", help="print the lines instead")
    parser.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for the management API to answer"
    )
    args = parser.parse_args(argv)
    amqp_uri = load_config()["AMQP_URI"]
    passwords = {part: os.environ.get(f"BROKER_PASSWORD_{part.upper()}") for part in PARTS}
    try:
        uris = ensure_with_retries(amqp_uri, read_env_file(args.env_file), passwords, args.wait)
    except RuntimeError as exc:
        if not args.env_file:
            raise SystemExit(f"cannot create the broker accounts: {exc}") from exc
        # make run on a broker without the management API: a development machine keeps
        # working on the one account of AMQP_URI, and says so.
        print(
            f"cannot create the broker accounts ({exc}); every part uses AMQP_URI", file=sys.stderr
        )
        uris = {part: amqp_uri for part in PARTS}
    if args.print:
        for part, uri in uris.items():
            print(f"{env_name(part)}={uri}")
    elif args.env_file:
        write_env_file(args.env_file, uris)
        print(f"broker accounts of every part on vhost {vhost_of(amqp_uri)!r}: {args.env_file}")
    else:
        print(
            f"broker accounts of every part on vhost {vhost_of(amqp_uri)!r}: "
            + ", ".join(account_name(vhost_of(amqp_uri), part) for part in PARTS)
        )


if __name__ == "__main__":
    main()
