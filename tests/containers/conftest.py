"""Real compose stacks and a one-node swarm, for ``make test-containers``.

Run by ``scripts/test_containers.sh``, which provides an engine, the images and
a compose command (``COMPOSE_COMMAND``, ``BLOG_IMAGE``, ``PROXY_IMAGE`` and the
base images in the environment). Without it, every test here is skipped, so
``make test`` (pytest's default ``testpaths``) never needs an engine.

Every request these tests send goes to 127.0.0.1: the proxy's published port.
"""

import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# How long a client here waits for an answer: longer than the proxy's proxy_read_timeout, so
# a slow answer on a loaded machine is the proxy's to judge (a 504), never the client's.
HTTP_TIMEOUT = (
    int(
        re.search(
            r"proxy_read_timeout (\d+)s;",
            (PROJECT_ROOT / "deploy/proxy/locations.conf").read_text(),
        ).group(1)
    )
    + 5
)
PREFIX = os.environ.get("CONTAINER_TEST_PREFIX", "conduit-ct")
BROKER_PARTS = ("storage", "users", "blog", "gateway", "frontend", "admin")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("COMPOSE_COMMAND"):
        return
    skip = pytest.mark.skip(reason="needs a Docker engine and images: run `make test-containers`")
    for item in items:
        if "tests/containers" in str(item.fspath):
            item.add_marker(skip)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, check=True, timeout=300, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{shlex.join(args)} exited {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def docker(*args, **kwargs):
    return run(["docker", *args], **kwargs)


class Stack:
    """One compose project of docker-compose.yml, with its own secrets and port."""

    def __init__(self, name, tmp_path, **overrides):
        self.name = f"{PREFIX}-{name}"
        self.port = free_port()
        self.env_file = tmp_path / f"{name}.env"
        settings = {
            "SECRET_KEY": secrets.token_hex(16),
            "POSTGRES_PASSWORD": secrets.token_hex(8),  # the superuser's: postgres only
            "BLOG_DB_PASSWORD": secrets.token_hex(8),  # the services' role (BLOG_DB_USER)
            "RABBITMQ_PASSWORD": secrets.token_hex(8),
            "PROXY_PUBLISH": f"127.0.0.1:{self.port}",
            "FRONTEND_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            "GATEWAY_HEALTH_DETAILS_TOKEN": secrets.token_hex(16),
            # This machine is shared with other test suites: its load average
            # reached 20 on 2 cores in trials, when a 10 s check timed out.
            "HEALTHCHECK_INTERVAL": "10s",
            "HEALTHCHECK_TIMEOUT": "30s",
            "GATEWAY_WORKERS": "1",
            "FRONTEND_WORKERS": "1",
            "BACKUP_INTERVAL_SECONDS": "0",
            "RPC_TIMEOUT": "20",  # a machine shared with other builds answers slowly
        }
        # One broker account per part, made by the one-shot broker-setup service.
        for part in BROKER_PARTS:
            settings[f"BROKER_PASSWORD_{part.upper()}"] = secrets.token_hex(8)
        for variable in (
            "BLOG_IMAGE",
            "PROXY_IMAGE",
            "RABBITMQ_IMAGE",
            "POSTGRES_IMAGE",
            "PYTHON_IMAGE",
            "NGINX_IMAGE",
        ):
            if os.environ.get(variable):
                settings[variable] = os.environ[variable]
        settings.update(overrides)
        self.settings = settings
        self.env_file.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
        self.url = f"http://127.0.0.1:{self.port}"
        # What blogadmin runs as: the admin broker account (no part's own may call backups).
        self.admin_amqp_uri = (
            f"pyamqp://conduit.admin:{settings['BROKER_PASSWORD_ADMIN']}@rabbitmq:5672/"
        )

    def compose(self, *args, check=True, timeout=300):
        command = shlex.split(os.environ["COMPOSE_COMMAND"])
        return run(
            [
                *command,
                "-p",
                self.name,
                "--env-file",
                str(self.env_file),
                "-f",
                str(PROJECT_ROOT / "docker-compose.yml"),
                *args,
            ],
            check=check,
            timeout=timeout,
            cwd=PROJECT_ROOT,
        )

    def up(self, *args, timeout=300, attempts=3):
        """``up --wait``; again when a dependency was unhealthy at the moment compose looked.

        Compose gives up at once when a container it waits for is unhealthy, and on a
        starved machine a check may time out while the service is fine.
        """
        for attempt in range(1, attempts + 1):
            result = self.compose(
                "up",
                "-d",
                "--no-build",
                "--wait",
                "--wait-timeout",
                str(timeout),
                *args,
                timeout=timeout + 30,
                check=attempt == attempts,
            )
            if result.returncode == 0:
                return attempt
            print(f"compose up, attempt {attempt}: {result.stderr.strip().splitlines()[-1:]}")
            time.sleep(5)

    def down(self, *args):
        self.compose("down", "-t", "10", "--remove-orphans", *args, check=False)

    def containers(self, service=None, all_states=False):
        args = ["ps", "-q"] + (["-a"] if all_states else []) + ([service] if service else [])
        return self.compose(*args).stdout.split()

    def inspect(self, container):
        return json.loads(docker("inspect", container).stdout)[0]

    def health(self, container):
        state = self.inspect(container)["State"]
        return (state.get("Health") or {}).get("Status", state["Status"])

    def wait_for_health(self, service, wanted, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = [self.health(container) for container in self.containers(service)]
            if states and all(state == wanted for state in states):
                return time.monotonic() - (deadline - timeout)
            time.sleep(1)
        raise AssertionError(f"{service} not {wanted} within {timeout} s: {states}")

    def exec(self, service, *command, check=True, user=None, env=None):
        args = ["exec", "-T"] + (["-u", user] if user else [])
        for name, value in (env or {}).items():
            args += ["-e", f"{name}={value}"]
        args += [service, *command]
        return self.compose(*args, check=check)

    def logs(self, service):
        return self.compose("logs", "--no-color", "--no-log-prefix", service).stdout


# Run with the image's python inside a container that has USERS_DB_URI and BLOG_DB_URI
# (storage): who the services are on PostgreSQL, and what that role may not do.
DATABASE_ROLE_PROBE = r"""
import json, os
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

FORBIDDEN = {
    "create_role": "CREATE ROLE intruder",
    "create_database": "CREATE DATABASE intruder",
    "become_superuser": "ALTER ROLE CURRENT_USER SUPERUSER",
    "run_a_program": "COPY (SELECT 1) TO PROGRAM 'true'",
    "read_a_server_file": "SELECT pg_read_file('/etc/passwd')",
}

def outcome(engine, statement):
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        try:
            connection.execute(sa.text(statement))
        except DBAPIError as error:
            fields = error.orig.args[0] if error.orig.args else {}
            if isinstance(fields, dict):
                return {"code": fields.get("C"), "message": fields.get("M")}
            return {"code": None, "message": str(error.orig)[:300]}
    return {"code": "done", "message": "allowed"}

report = {}
for variable in ("USERS_DB_URI", "BLOG_DB_URI"):
    engine = sa.create_engine(os.environ[variable])
    with engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication,"
            " r.rolbypassrls, pg_get_userbyid(d.datdba),"
            " (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'),"
            " (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            "  AND tableowner <> current_user)"
            " FROM pg_roles r, pg_database d"
            " WHERE r.rolname = current_user AND d.datname = current_database()")).one()
    report[variable] = dict(zip(
        ("user", "superuser", "createrole", "createdb", "replication", "bypassrls",
         "database_owner", "tables", "tables_of_others"), row))
    report[variable]["refused"] = {name: outcome(engine, statement)
                                   for name, statement in FORBIDDEN.items()}
    engine.dispose()
print(json.dumps(report))
"""


def assert_database_role_is_not_a_superuser(report, superuser):
    """What DATABASE_ROLE_PROBE saw: the services' role, with no more than its databases."""
    for variable, seen in report.items():
        assert seen["user"] != superuser, (variable, seen)
        assert not any(
            seen[flag]
            for flag in ("superuser", "createrole", "createdb", "replication", "bypassrls")
        ), (variable, seen)
        # It owns its database and every table in it: the migrations ran as this role.
        assert seen["database_owner"] == seen["user"], (variable, seen)
        assert seen["tables"] > 0 and seen["tables_of_others"] == 0, (variable, seen)
        # insufficient_privilege, for each thing only a superuser (or a granted role) may do.
        assert {name: outcome["code"] for name, outcome in seen["refused"].items()} == {
            name: "42501" for name in seen["refused"]
        }, (variable, seen["refused"])


def crash(container):
    """SIGKILL of the container's init process, as a crash or the OOM killer would do.

    ``docker kill`` is a stop by hand for Docker: restart policies do not undo it.
    """
    pid = json.loads(docker("inspect", container).stdout)[0]["State"]["Pid"]
    os.kill(pid, 9)


def wait_for_restart(stack, container, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = stack.inspect(container)
        if info["RestartCount"] >= 1 and stack.health(container) == "healthy":
            return info["RestartCount"]
        time.sleep(1)
    raise AssertionError(f"{container} not restarted and healthy within {timeout} s")


class Api:
    """The gateway's JSON API through the proxy."""

    def __init__(self, base_url):
        self.base = base_url + "/api"
        self.session = requests.Session()
        self.token = None

    def headers(self, extra=None):
        headers = {"Authorization": f"Token {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def register(self, username, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            response = self.session.post(
                self.base + "/users",
                json={
                    "user": {
                        "username": username,
                        "email": f"{username}@example.com",
                        "password": "correct horse battery",
                    }
                },
                timeout=HTTP_TIMEOUT,
            )
            if response.status_code != 503 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert response.status_code == 201, response.text
        self.token = response.json()["user"]["token"]
        return response.json()["user"]

    def create_article(self, title, key=None, body="Body", timeout=HTTP_TIMEOUT):
        return self.session.post(
            self.base + "/articles",
            timeout=timeout,
            headers=self.headers({"Idempotency-Key": key} if key else None),
            json={
                "article": {
                    "title": title,
                    "description": "d",
                    "body": body,
                    "tagList": ["containers"],
                }
            },
        )

    def articles_by(self, username):
        found, offset = [], 0
        while True:
            response = self.session.get(
                self.base + "/articles",
                timeout=HTTP_TIMEOUT,
                params={"author": username, "limit": 100, "offset": offset},
            )
            response.raise_for_status()
            page = response.json()["articles"]
            found += page
            if len(page) < 100:
                return found
            offset += 100


CUT = "cut"  # the response had begun (status and headers) and its body ended early


def outcome_of(send):
    """The status of ``send()``'s response, ``CUT``, or the name of the exception raised."""
    try:
        return send().status_code
    except requests.exceptions.ChunkedEncodingError:
        return CUT
    except requests.RequestException as exc:
        return type(exc).__name__


class ReadLoad:
    """Threads sending GETs through the proxy until stopped or for a bounded time; every
    request kept as ``(started, ended, path, outcome)`` (``time.monotonic()`` seconds)."""

    def __init__(self, url, paths, threads=6, seconds=20.0, max_requests=20000):
        self.url, self.paths = url, paths
        self.threads, self.seconds, self.max_requests = threads, seconds, max_requests
        self.outcomes = Counter()
        self.failures = []
        self.requests = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.workers = []

    def start(self):
        self.started = time.monotonic()
        for index in range(self.threads):
            worker = threading.Thread(target=self.work, args=(index,), daemon=True)
            worker.start()
            self.workers.append(worker)
        return self

    def work(self, index):
        session = requests.Session()
        count = 0
        while not self.stop.is_set() and time.monotonic() - self.started < self.seconds:
            with self.lock:
                if sum(self.outcomes.values()) >= self.max_requests:
                    return
            path = self.paths[count % len(self.paths)]
            count += 1
            started = time.monotonic()
            status = outcome_of(
                lambda path=path: session.get(self.url + path, timeout=HTTP_TIMEOUT)
            )
            with self.lock:
                self.requests.append((started, time.monotonic(), path, status))
                self.outcomes[status] += 1
                if status != 200:
                    self.failures.append((round(time.monotonic() - self.started, 1), path, status))

    def wait_for_requests(self, count, timeout=120):
        """Until ``count`` more requests have been answered (or failed) from now."""
        target = self.total + count
        deadline = time.monotonic() + timeout
        while self.total < target:
            assert time.monotonic() < deadline, (
                f"the load answered {self.total} of {target} requests within {timeout} s"
            )
            assert any(worker.is_alive() for worker in self.workers), "the load has stopped"
            time.sleep(0.1)

    def join(self):
        for worker in self.workers:
            worker.join(timeout=self.seconds + 60)
        return self

    @property
    def total(self):
        return sum(self.outcomes.values())


def in_flight(requests_kept, window):
    """The requests of ``(started, ended, ...)`` under way at some moment of ``window``."""
    begin, end = window
    return [request for request in requests_kept if request[0] < end and request[1] > begin]


def upstream_counts(proxy_log, since_marker):
    """``Counter(upstream address)`` of the proxy's access log after a marker request."""
    counts = Counter()
    seen_marker = False
    for line in proxy_log.splitlines():
        if since_marker in line:
            seen_marker = True
            continue
        if seen_marker and "upstream=" in line:
            upstream = line.split("upstream=")[1].split()[0]
            for address in upstream.split(","):
                counts[address.strip()] += 1
    return counts


def record(name, value):
    """Figures for docs/RELIABILITY.md: printed and kept in CONTAINER_FIGURES (a JSON file)."""
    print(f"FIGURES {name}: {json.dumps(value)}")
    path = os.environ.get("CONTAINER_FIGURES")
    if path:
        figures = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        figures[name] = value
        Path(path).write_text(json.dumps(figures, indent=2))
