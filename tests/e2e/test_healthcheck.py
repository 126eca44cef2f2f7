"""``python -m admin.healthcheck PART``, the containers' health check, against real processes."""

import subprocess
import sys

import pytest

from common.config import PROJECT_ROOT
from tests.support.stack import free_port


def healthcheck(stack, part, **env):
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "admin.healthcheck", part, "--timeout", "2"],
        cwd=PROJECT_ROOT,
        env={**stack.env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("part", ["storage", "users", "blog", "gateway", "frontend"])
def test_every_running_part_is_healthy(stack, part):
    result = healthcheck(stack, part)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("healthy: ")


def test_a_web_part_that_does_not_listen_is_unhealthy(stack):
    result = healthcheck(stack, "gateway", GATEWAY_PORT=str(free_port()))
    assert result.returncode == 1
    assert result.stdout.startswith("unhealthy: http://127.0.0.1:")


def test_a_service_without_a_reachable_broker_is_unhealthy(stack):
    result = healthcheck(stack, "blog", AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:{free_port()}/")
    assert result.returncode == 1
    assert result.stdout.startswith("unhealthy: "), result.stdout
