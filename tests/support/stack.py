"""The whole system started as real processes, for end-to-end tests.

Each ``Stack`` gets its own RabbitMQ virtual host (so services of a developer's
``make run`` on the same broker never answer the tests), its own databases
(SQLite files in a temporary folder unless URIs are given), and free ports for
the gateway and the frontend. Services run one per process so a test can stop
and restart any of them.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

from common.config import PROJECT_ROOT, load_config
from common.errors import ServiceUnavailable
from rpc_client.client import RpcClient
from rpc_client.probes import SERVICE_PROBES

SERVICES = ("storage", "users", "blog")
RABBIT_API = os.environ.get("RABBIT_CTL_URI", "http://guest:guest@127.0.0.1:15672")
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 40
HEALTH_DETAILS_TOKEN = "e2e-operators-token"
OPERATOR = {"Authorization": f"Bearer {HEALTH_DETAILS_TOKEN}"}
"""What an operator sends for the checks of the gateway's /healthz."""
PERMISSION_OVERRIDE_CAPABILITIES = "-dac_override,-dac_read_search"
WITHOUT_PERMISSION_OVERRIDE = [
    "setpriv",
    f"--bounding-set={PERMISSION_OVERRIDE_CAPABILITIES}",
    f"--inh-caps={PERMISSION_OVERRIDE_CAPABILITIES}",
    "--",
]
"""Run a command as this user, but without the capabilities that let root read and write
whatever the file permissions say (root then has only the owner's rights on its files)."""


class Stack:
    """Start with ``start_all()``, stop with ``stop_all()``."""

    def __init__(
        self,
        workdir,
        users_db_uri=None,
        blog_db_uri=None,
        rpc_timeout=3,
        extra_env=None,
        amqp_uri=None,
        bound_by_file_permissions=False,
    ):
        """``amqp_uri``: a broker of the test's own (tests/support/rabbit_node.py), used as it is;
        by default each stack gets a new virtual host on the shared broker.
        ``bound_by_file_permissions``: the services (storage, users, blog) run without the
        capabilities that let root ignore file permissions (``setpriv``), so that a file's
        permissions bind them as they bind a service account."""
        self.workdir = Path(workdir)
        self.vhost = None if amqp_uri else f"blog-test-{uuid.uuid4().hex[:8]}"
        self.gateway_port = free_port()
        self.frontend_port = free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.frontend_url = f"http://127.0.0.1:{self.frontend_port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "AMQP_URI": amqp_uri
            or (f"pyamqp://guest:guest@127.0.0.1:5672/{quote(self.vhost, safe='')}"),
            "USERS_DB_URI": users_db_uri or f"sqlite:///{self.workdir / 'users.db'}",
            "BLOG_DB_URI": blog_db_uri or f"sqlite:///{self.workdir / 'blog.db'}",
            "RPC_TIMEOUT": str(rpc_timeout),
            "GATEWAY_PORT": str(self.gateway_port),
            "FRONTEND_PORT": str(self.frontend_port),
            "BACKUP_DIR": str(self.workdir / "backups"),
            "SECRET_KEY": "e2e-test-secret-of-at-least-32-bytes",
            "GATEWAY_HEALTH_DETAILS_TOKEN": HEALTH_DETAILS_TOKEN,
            # Every test of a stack signs up and in from 127.0.0.1: limits far above
            # what the suites do, except where a test sets its own (extra_env).
            "RATE_LIMIT_LOGIN_PER_ACCOUNT": "1000",
            "RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS": "1000",
            "RATE_LIMIT_LOGIN_PER_ADDRESS": "100000",
            "RATE_LIMIT_REGISTER_PER_ACCOUNT": "1000",
            "RATE_LIMIT_REGISTER_PER_ADDRESS": "100000",
            **(extra_env or {}),
        }
        self.config = self._config()
        self.bound_by_file_permissions = bound_by_file_permissions
        self.processes = {}
        self.rpc = RpcClient(self.config, timeout=rpc_timeout)

    def _config(self):
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            return load_config()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    # -- whole stack ----------------------------------------------------------

    def start_all(self):
        if self.vhost:
            create_vhost(self.vhost)
        self.run_migrations()
        for name in SERVICES:
            self.start(name, wait=False)
        for name in SERVICES:
            self.wait_for_service(name)
        self.start("gateway")
        self.start("frontend")
        return self

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)
        self.rpc.close()
        if self.vhost:
            delete_vhost(self.vhost)

    def run_migrations(self):
        subprocess.run(
            [sys.executable, "-m", "services.database.migrations", "upgrade"],
            cwd=PROJECT_ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    # -- one process ----------------------------------------------------------

    def command(self, name):
        if name in SERVICES or name.startswith(SERVICES):
            service = name.split("#")[0]
            return self.as_service_account(
                [str(BIN / "nameko"), "run", "--config", "config.yaml", f"services.{service}"]
            )
        port = self.gateway_port if name == "gateway" else self.frontend_port
        return [
            str(BIN / "gunicorn"),
            "-k",
            "gthread",
            "--threads",
            "8",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "5",
            "--limit-request-line",
            "8190",
            f"{name}.wsgi:app",
        ]

    def as_service_account(self, command):
        """``command``, bound by file permissions when the stack asks for it."""
        if not self.bound_by_file_permissions:
            return command
        return [*WITHOUT_PERMISSION_OVERRIDE, *command]

    def start(self, name, wait=True):
        """Start ``name`` (``storage``, ``users``, ``blog``, ``gateway``, ``frontend``;
        ``blog#2`` for a second instance of a service) and wait until it answers."""
        log = open(self.workdir / f"{name.replace('#', '-')}.log", "ab")
        self.processes[name] = subprocess.Popen(
            self.command(name),
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            self.wait_for(name)

    def stop(self, name, kill=False):
        """Stop ``name``: SIGTERM lets it finish its work; ``kill`` does not."""
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        except ProcessLookupError:  # it exited already (a failed start)
            process.wait()
            return
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def wait_for(self, name):
        if name in ("gateway", "frontend"):
            self.wait_for_http(self.gateway_url if name == "gateway" else self.frontend_url, name)
        else:
            self.wait_for_service(name.split("#")[0])

    def wait_for_service(self, service):
        method, kwargs, _ = SERVICE_PROBES[service]
        self._wait(service, lambda: self.rpc.call(service, method, **kwargs))

    def wait_for_http(self, url, name):
        self._wait(name, lambda: requests.get(url + "/", timeout=10))

    def _wait(self, name, probe):
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            process = self.processes.get(name) or self.processes.get(name.split("#")[0])
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log_tail(name)}")
            try:
                probe()
                return
            except (ServiceUnavailable, requests.RequestException):
                # a web server listens before its worker has booted (slow under load)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start: {self.log_tail(name)}") from None
                time.sleep(0.3)

    def web_worker_memory_mb(self, name):
        """``{"rss": ..., "peak": ...}`` in MB of the one gunicorn worker of ``name``
        (``gateway`` or ``frontend``), from the kernel's accounting of that process."""
        master = self.processes[name].pid
        worker = Path(f"/proc/{master}/task/{master}/children").read_text().split()[0]
        status = Path(f"/proc/{worker}/status").read_text().splitlines()
        fields = dict(line.split(":", 1) for line in status)
        return {
            "rss": int(fields["VmRSS"].split()[0]) // 1024,
            "peak": int(fields["VmHWM"].split()[0]) // 1024,
        }

    def log_tail(self, name, lines=40):
        path = self.workdir / f"{name.replace('#', '-')}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_vhost(vhost):
    name = quote(vhost, safe="")
    requests.put(f"{RABBIT_API}/api/vhosts/{name}", timeout=10).raise_for_status()
    requests.put(
        f"{RABBIT_API}/api/permissions/{name}/guest",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        timeout=10,
    ).raise_for_status()


def delete_vhost(vhost):
    """Delete the virtual host and the per-part accounts ``make run`` may have made on it."""
    requests.delete(f"{RABBIT_API}/api/vhosts/{quote(vhost, safe='')}", timeout=10)
    from admin.broker_setup import ManagementApi

    ManagementApi(RABBIT_API).delete_accounts(vhost)
