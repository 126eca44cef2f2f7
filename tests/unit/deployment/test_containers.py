"""The container checker passes the project's files and catches each broken rule."""
import copy

import pytest

from nameko.cli.main import setup_yaml_parser

from scripts import check_containers
from services.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def compose():
    return check_containers.parse_compose((PROJECT_ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def env_names():
    return check_containers.env_example_names((PROJECT_ROOT / ".env.example").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    return (PROJECT_ROOT / "Dockerfile").read_text()


def problems_after(compose, env_names, change):
    broken = copy.deepcopy(compose)
    change(broken["services"])
    return check_containers.compose_problems(broken, env_names)


def test_the_project_container_files_follow_the_rules():
    assert check_containers.all_problems() == []


def test_compose_runs_every_part_and_scales_the_services(compose):
    services = compose["services"]
    assert {"rabbitmq", "postgres", "storage", "users", "blog", "gateway", "frontend",
            "proxy"} <= set(services)
    assert {name for name, service in services.items() if service.get("ports")} == {"proxy"}
    assert services["storage"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("change, expected", [
    (lambda services: services["blog"].update(container_name="blog"),
     "service blog: container_name prevents --scale"),
    (lambda services: services["users"].update(ports=["9000:9000"]),
     "service users: publishes ports"),
    (lambda services: services["frontend"].update(ports=["8080:8080"]),
     "service frontend: publishes ports"),
    (lambda services: services["blog"].update(cap_drop=[]),
     "service blog: keeps Linux capabilities"),
    (lambda services: services["gateway"].pop("read_only"),
     "service gateway: writable root file system"),
    (lambda services: services["storage"]["healthcheck"].pop("start_period"),
     "service storage: health check without start_period"),
    (lambda services: services["postgres"].pop("deploy"),
     "service postgres: no memory limit"),
    (lambda services: services["users"].pop("healthcheck"),
     "service users: no healthcheck"),
    (lambda services: services["blog"]["healthcheck"].update(disable=True),
     "service blog: no healthcheck"),
    (lambda services: services["blog"].update(command=["nameko", "run", "--config", "config.yaml",
                                                        "services.missing"]),
     "service blog: command names services.missing"),
    (lambda services: services["gateway"].update(command=["gunicorn", "-c", "gateway/none.conf.py",
                                                           "gateway.wsgi:app"]),
     "service gateway: command names gateway/none.conf.py"),
    (lambda services: services["migrate"].update(command=["python", "-m", "services.nothing"]),
     "service migrate: command names services.nothing"),
    (lambda services: services["storage"]["environment"].update(
        USERS_DB_URI="postgresql+psycopg://blog:x@postgres/blog_users"),
     "service storage: USERS_DB_URI must use postgresql+pg8000://"),
    (lambda services: services["storage"].update(volumes=[]),
     "service storage: BACKUP_DIR /data/backups is not on a volume"),
    (lambda services: services["frontend"]["environment"].update(SECRET_KEY="${SECRET_KEY:-dev}"),
     "${SECRET_KEY} is a secret"),
    (lambda services: services["blog"]["environment"].update(EXTRA="${NOT_DOCUMENTED:-1}"),
     "${NOT_DOCUMENTED} is read but not documented in .env.example"),
    (lambda services: services["gateway"]["depends_on"].update(
        nowhere={"condition": "service_healthy"}),
     "service gateway: depends on unknown service nowhere"),
    (lambda services: services["migrate"].update(healthcheck=None) or services["storage"].update(
        depends_on={"migrate": {"condition": "service_healthy"}}),
     "service storage: waits for migrate to be healthy, but migrate has no healthcheck"),
])
def test_a_broken_compose_file_is_refused(compose, env_names, change, expected):
    problems = problems_after(compose, env_names, change)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_an_unused_env_example_variable_is_reported(compose, env_names):
    problems = check_containers.compose_problems(compose, env_names | {"STALE_SETTING"})
    assert problems == ["STALE_SETTING is in .env.example but docker-compose.yml never reads it"]


def test_compose_variables_survive_nameko_yaml_parser():
    setup_yaml_parser()  # as every process that loads config.yaml does
    parsed = check_containers.parse_compose("x: ${RABBITMQ_PASSWORD:?set it}")
    assert parsed == {"x": "${RABBITMQ_PASSWORD:?set it}"}


def test_escaped_dollars_are_not_variables():
    found = [m.group(1) for m in check_containers.VARIABLE.finditer("$${HOME} ${REAL:?x}")]
    assert found == ["REAL"]


@pytest.mark.parametrize("edit, expected", [
    (lambda text: text.replace("ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm",
                               "ARG PYTHON_IMAGE=python:latest"),
     "Dockerfile: base image python:latest is not pinned"),
    (lambda text: text.replace("ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm",
                               "ARG PYTHON_IMAGE=python"),
     "Dockerfile: base image python is not pinned"),
    (lambda text: text.replace("ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm", ""),
     "Dockerfile: base image ${PYTHON_IMAGE} is not pinned"),
    (lambda text: text.replace("USER blog", ""),
     "Dockerfile: the image runs as root"),
    (lambda text: text.replace("USER blog", "USER root"),
     "Dockerfile: the image runs as root"),
    (lambda text: text + "\nADD https://example.org/tool.tar.gz /opt/\n",
     "Dockerfile: ADD of a URL"),
    (lambda text: text.replace("pip install -r /tmp/requirements.txt", "pip install nameko"),
     "Dockerfile: requirements.txt is not installed"),
])
def test_a_broken_dockerfile_is_refused(dockerfile, edit, expected):
    problems = check_containers.dockerfile_problems(edit(dockerfile))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_build_stage_is_not_a_base_image_and_arg_defaults_are_read():
    problems = check_containers.dockerfile_problems(
        "ARG BASE=debian:12.7\nFROM ${BASE} AS deps\nRUN pip install -r requirements.txt\n"
        "FROM deps\nUSER app\n")
    assert problems == []


def test_continuation_lines_are_one_instruction():
    instructions = check_containers.dockerfile_instructions(
        "FROM a:1\n# note\nRUN one \\\n    && two\nUSER x\n")
    assert instructions == [("FROM", "a:1"), ("RUN", "one      && two"), ("USER", "x")]


def test_without_any_healthcheck_the_image_is_refused(dockerfile, compose):
    broken = copy.deepcopy(compose)
    broken["services"]["blog"].pop("healthcheck")
    problems = check_containers.image_healthcheck_problems(dockerfile, broken)
    assert problems and problems[0].startswith("service blog: built from the Dockerfile")
    with_image_check = dockerfile + '\nHEALTHCHECK CMD ["python", "-m", "admin.healthcheck", "blog"]\n'
    assert check_containers.image_healthcheck_problems(with_image_check, broken) == []


def test_dockerignore_must_keep_local_state_out():
    assert check_containers.dockerignore_problems(".git\n.venv\n") == [
        ".dockerignore: var is not excluded from the build context",
        ".dockerignore: .env is not excluded from the build context",
    ]
