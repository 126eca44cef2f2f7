"""A RabbitMQ node of a test's own, which the test may stop and start at will.

It has its own node name, AMQP and distribution ports, data (mnesia) and log
folders, config and an empty plugin list, all under the test's temporary
folder, so restarting it disturbs nothing else (never the shared broker on
5672). It runs as the current user from the installed ``rabbitmq-server``.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from kombu import Connection

from tests.support.stack import free_port

SERVER_SCRIPTS = ("/usr/lib/rabbitmq/bin/rabbitmq-server", shutil.which("rabbitmq-server"))
START_SECONDS = 120
STOP_SECONDS = 60


def server_script():
    """The ``rabbitmq-server`` script to run as the current user, or ``None``."""
    for script in SERVER_SCRIPTS:
        if script and Path(script).is_file():
            return script
    return None


class RabbitNode:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = free_port()
        self.name = f"blogtest-{uuid.uuid4().hex[:8]}@localhost"
        self.amqp_uri = f"pyamqp://guest:guest@127.0.0.1:{self.port}/"
        self.process = None
        (self.folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\nlog.console = false\n"
        )
        (self.folder / "enabled_plugins").write_text("[].\n")
        (self.folder / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(self.folder),  # its own Erlang cookie
            "RABBITMQ_CONF_ENV_FILE": str(self.folder / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def start(self):
        """Start the node (again, on the same data) and wait until it takes connections."""
        log = open(self.folder / "server.log", "ab")
        self.process = subprocess.Popen(
            [server_script()],
            env=self.env,
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_SECONDS
        while not self.answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"RabbitMQ node exited: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ node did not start: {self.log_tail()}")
            time.sleep(0.5)
        return self

    def stop(self):
        """Stop the node as a service manager does (SIGTERM: a clean shutdown)."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        deadline = time.monotonic() + STOP_SECONDS
        while _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.2)

    def answers(self):
        try:
            with Connection(self.amqp_uri, connect_timeout=2) as connection:
                connection.ensure_connection(max_retries=0)
            return True
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def queue_depth(self, queue):
        with Connection(self.amqp_uri, connect_timeout=5) as connection:
            _, messages, _ = connection.default_channel.queue_declare(queue, passive=True)
            return messages

    def log_tail(self, lines=30):
        path = self.folder / "server.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
