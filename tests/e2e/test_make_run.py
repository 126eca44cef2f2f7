"""`make run` as a user meets it: started, stopped with Ctrl-C, and started again on
the same broker and databases while another process keeps the CPU busy.

The second start is the one at risk: its RPC queues already exist, so the first
requests wait for the services instead of failing, and an announcer that timed out
would make honcho stop every process. Each start must announce the URLs,
and a while later every process must still run and both URLs answer.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
import requests

from common.config import PROJECT_ROOT
from tests.support.stack import create_vhost, delete_vhost, free_port

ANNOUNCE_SECONDS = 150


@pytest.fixture
def environment(tmp_path):
    vhost = f"blog-make-run-{os.getpid()}-{int(time.time())}"
    create_vhost(vhost)
    yield {
        **os.environ,
        "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}",
        "USERS_DB_URI": f"sqlite:///{tmp_path / 'users.db'}",
        "BLOG_DB_URI": f"sqlite:///{tmp_path / 'blog.db'}",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "GATEWAY_PORT": str(free_port()),
        "FRONTEND_PORT": str(free_port()),
    }
    delete_vhost(vhost)


@pytest.fixture
def busy_cpu():
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield
    burner.kill()
    burner.wait()


class MakeRun:
    """One `make run` in its own process group, its output in ``log``."""

    def __init__(self, environment, log):
        self.environment = environment
        self.log = log
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=open(log, "wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self):
        return self.log.read_text(errors="replace")

    def wait_for_announcement(self):
        deadline = time.monotonic() + ANNOUNCE_SECONDS
        while "Ctrl-C stops everything." not in self.output():
            assert self.process.poll() is None, f"make run exited:\n{self.output()[-3000:]}"
            assert time.monotonic() < deadline, f"no announcement:\n{self.output()[-3000:]}"
            time.sleep(1)
        assert "The blog is up." in self.output(), self.output()[-3000:]

    def assert_running_and_answering(self):
        assert self.process.poll() is None, f"make run exited:\n{self.output()[-3000:]}"
        assert "exited with code" not in self.output(), self.output()[-3000:]
        gateway = f"http://127.0.0.1:{self.environment['GATEWAY_PORT']}/api/tags"
        frontend = f"http://127.0.0.1:{self.environment['FRONTEND_PORT']}/"
        assert requests.get(gateway, timeout=15).status_code == 200
        assert requests.get(frontend, timeout=15).status_code == 200

    def interrupt(self):
        """Ctrl-C: every process stops."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"make run did not stop on Ctrl-C:\n{self.output()[-3000:]}")


def run_and_check(environment, log, keep_running_seconds):
    run = MakeRun(environment, log)
    try:
        run.wait_for_announcement()
        run.assert_running_and_answering()
        time.sleep(keep_running_seconds)
        run.assert_running_and_answering()
    finally:
        run.interrupt()


def test_make_run_twice_on_the_same_broker_with_a_busy_cpu(environment, busy_cpu, tmp_path):
    run_and_check(environment, tmp_path / "first.log", keep_running_seconds=5)
    run_and_check(environment, tmp_path / "second.log", keep_running_seconds=60)


def test_make_run_names_a_taken_port_in_one_line_and_starts_nothing(environment, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(environment["FRONTEND_PORT"])))
        taken.listen()
        result = subprocess.run(
            ["make", "--no-print-directory", "run"],
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    port = environment["FRONTEND_PORT"]
    assert result.returncode != 0
    assert (
        f"Port {port} on 127.0.0.1 is already in use (the frontend): stop what uses it or "
        f"choose another port, e.g. FRONTEND_PORT={int(port) + 1} make run"
    ) in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "honcho" not in result.stdout
