"""The same compose file on Docker's cluster mode: a one-node swarm on this machine.

deploy/swarm/deploy.sh turns docker-compose.yml plus deploy/swarm/docker-compose.swarm.yml
into a stack with replicas, rolling updates and swarm secrets. The test deploys it,
writes and reads through the proxy, then rolls the blog service onto a new image
while a read load runs: no request may fail.
"""

import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.containers.conftest import (
    DATABASE_ROLE_PROBE,
    HTTP_TIMEOUT,
    PREFIX,
    PROJECT_ROOT,
    Api,
    ReadLoad,
    Stack,
    assert_database_role_is_not_a_superuser,
    docker,
    record,
    run,
)

SWARM_MARKER = Path("/run/conduit-test-swarm-initialised")


@pytest.fixture(scope="module")
def swarm():
    state = docker("info", "-f", "{{.Swarm.LocalNodeState}}").stdout.strip()
    if state != "active":
        # The manager listens on loopback only: this node is its own cluster.
        docker("swarm", "init", "--listen-addr", "127.0.0.1:2377", "--advertise-addr", "127.0.0.1")
        SWARM_MARKER.write_text("initialised by tests/containers/test_swarm.py\n")
    try:
        yield
    finally:
        if SWARM_MARKER.exists():
            docker("swarm", "leave", "--force", check=False)
            SWARM_MARKER.unlink()


@pytest.fixture(scope="module")
def stack(swarm, tmp_path_factory):
    settings = Stack("swarm", tmp_path_factory.mktemp("swarm"))
    name = PREFIX
    settings.port = settings.port  # published by the routing mesh
    text = settings.env_file.read_text().replace(
        f"PROXY_PUBLISH=127.0.0.1:{settings.port}", f"PROXY_PUBLISH={settings.port}"
    )
    settings.env_file.write_text(text)
    remove_stack(name)
    started = time.monotonic()
    try:
        run(
            [str(PROJECT_ROOT / "deploy/swarm/deploy.sh"), name, str(settings.env_file)],
            timeout=300,
            env={**os.environ},
        )
        wait_converged(name, timeout=480)
        Api(settings.url).register("swarm-reader", timeout=120)
        record("swarm_deploy_seconds", round(time.monotonic() - started))
        settings.stack_name = name
        yield settings
    finally:
        remove_stack(name)


def services(name):
    lines = docker(
        "service",
        "ls",
        "--filter",
        f"label=com.docker.stack.namespace={name}",
        "--format",
        "{{.Name}} {{.Mode}} {{.Replicas}}",
    ).stdout.splitlines()
    return {
        line.split()[0][len(name) + 1 :]: (line.split()[1], " ".join(line.split()[2:]))
        for line in lines
    }


def wait_converged(name, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = services(name)
        # "2/2" for a service; "job 0/1 (1/1 completed)" for the migration job.
        ready = current and all(
            re.search(r"\((\d+)/\1 completed\)", replicas)
            if "job" in f"{mode} {replicas}"
            else re.match(r"(\d+)/\1\b", replicas)
            for mode, replicas in current.values()
        )
        if ready:
            return current
        time.sleep(3)
    raise AssertionError(f"stack {name} not converged in {timeout} s: {services(name)}")


def remove_stack(name):
    if docker("stack", "ls", "--format", "{{.Name}}", check=False).stdout.split().count(name):
        docker("stack", "rm", name, check=False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        left = docker("ps", "-aq", "--filter", f"label=com.docker.stack.namespace={name}").stdout
        networks = docker(
            "network", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={name}"
        ).stdout
        if not left.strip() and not networks.strip():
            break
        time.sleep(2)
    for volume in docker(
        "volume", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={name}"
    ).stdout.split():
        docker("volume", "rm", volume, check=False)
    for secret in docker("secret", "ls", "--format", "{{.Name}}", check=False).stdout.split():
        if secret.startswith(name + "_"):
            docker("secret", "rm", secret, check=False)
    docker("config", "rm", f"{name}_postgres_init", check=False)


def test_the_stack_runs_replicas_with_swarm_secrets(stack):
    name = stack.stack_name
    current = services(name)
    assert current["blog"][1].startswith("2/2") and current["gateway"][1].startswith("2/2")
    assert current["frontend"][1].startswith("2/2") and current["users"][1].startswith("2/2")
    assert re.search(r"\((\d+)/\1 completed\)", current["migrate"][1]), current["migrate"]
    api = Api(stack.url)
    api.register(f"swarm-{uuid.uuid4().hex[:6]}")
    created = api.create_article("Written on the swarm", key=uuid.uuid4().hex)
    assert created.status_code == 201, created.text
    assert (
        "Written on the swarm"
        in Api(stack.url).session.get(stack.url + "/", timeout=HTTP_TIMEOUT).text
    )
    # Secrets are files in the containers, never values in the service definitions.
    for service in ("storage", "users", "gateway", "frontend", "postgres", "rabbitmq"):
        spec = docker(
            "service",
            "inspect",
            f"{name}_{service}",
            "-f",
            "{{json .Spec.TaskTemplate.ContainerSpec}}",
        ).stdout
        for secret in (
            "SECRET_KEY=",
            "AMQP_URI=",
            "POSTGRES_PASSWORD=",
            "_DB_URI=",
            "RABBITMQ_DEFAULT_PASS=",
            "BLOG_DB_PASSWORD=",
        ):
            assert f'"{secret}' not in spec and f',"{secret}' not in spec, (service, secret)
        assert '"SecretName":"' + name + "_" in spec, service
    # storage reads its URIs from the swarm secrets (through the image's entry point):
    # they name the blog's role, which is not a superuser.
    storage = docker(
        "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={name}_storage"
    ).stdout.split()[0]
    report = json.loads(
        docker(
            "exec", storage, "/app/deploy/entrypoint.sh", "python", "-c", DATABASE_ROLE_PROBE
        ).stdout
    )
    record("swarm_database_role", report)
    assert {seen["user"] for seen in report.values()} == {"blog_app"}
    assert_database_role_is_not_a_superuser(report, superuser="blog")


def test_a_rolling_update_of_blog_under_read_load_fails_no_request(stack):
    name = stack.stack_name
    new_image = f"{PREFIX}/blog:rolling-update"
    build = subprocess.run(
        ["docker", "build", "-q", "-t", new_image, "-"],
        capture_output=True,
        text=True,
        input=f"FROM {os.environ.get('BLOG_IMAGE', PREFIX + '/blog:latest')}\n"
        f'LABEL org.example.rolling-update="{uuid.uuid4().hex}"\n',
        env={**os.environ, "DOCKER_BUILDKIT": "0"},
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    before = task_images(name, "blog")
    load = ReadLoad(
        stack.url, ["/api/articles?limit=10", "/", "/api/tags"], threads=6, seconds=400
    ).start()
    load.wait_for_requests(30)
    started = time.monotonic()
    update = docker(
        "service",
        "update",
        "--detach=false",
        "--quiet",
        "--image",
        new_image,
        f"{name}_blog",
        timeout=240,
    )
    took = time.monotonic() - started
    load.wait_for_requests(30)  # answered by the new tasks alone
    load.stop.set()
    load.join()
    after = task_images(name, "blog")
    record(
        "swarm_rolling_update",
        {
            "requests": load.total,
            "outcomes": {str(k): v for k, v in load.outcomes.items()},
            "update_seconds": round(took),
            "failures": load.failures[:10],
            "tasks_before": before,
            "tasks_after": after,
        },
    )
    assert update.returncode == 0
    assert after and all(image.startswith(new_image) for image in after), after
    assert load.failures == [] and load.total >= 30, load.failures[:10]
    docker("image", "rm", "-f", new_image, check=False)


def task_images(name, service):
    tasks = docker(
        "service",
        "ps",
        f"{name}_{service}",
        "--filter",
        "desired-state=running",
        "--format",
        "{{.Image}}",
    ).stdout.split()
    return tasks
