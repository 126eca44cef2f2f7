"""The container checker passes the project's files and catches each broken rule."""

import copy
import os
import subprocess

import pytest
from nameko.cli.main import setup_yaml_parser

from common.config import PROJECT_ROOT
from scripts import check_containers


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
    assert {
        "rabbitmq",
        "postgres",
        "storage",
        "users",
        "blog",
        "gateway",
        "frontend",
        "proxy",
    } <= set(services)
    assert {name for name, service in services.items() if service.get("ports")} == {"proxy"}
    assert (
        services["storage"]["depends_on"]["migrate"]["condition"]
        == "service_completed_successfully"
    )


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda services: services["blog"].update(container_name="blog"),
            "service blog: container_name prevents --scale",
        ),
        (
            lambda services: services["users"].update(ports=["9000:9000"]),
            "service users: publishes ports",
        ),
        (
            lambda services: services["frontend"].update(ports=["8080:8080"]),
            "service frontend: publishes ports",
        ),
        (
            lambda services: services["blog"].update(cap_drop=[]),
            "service blog: keeps Linux capabilities",
        ),
        (
            lambda services: services["gateway"].pop("read_only"),
            "service gateway: writable root file system",
        ),
        (
            lambda services: services["storage"]["healthcheck"].pop("start_period"),
            "service storage: health check without start_period",
        ),
        (lambda services: services["postgres"].pop("deploy"), "service postgres: no memory limit"),
        (lambda services: services["users"].pop("healthcheck"), "service users: no healthcheck"),
        (
            lambda services: services["blog"]["healthcheck"].update(disable=True),
            "service blog: no healthcheck",
        ),
        (
            lambda services: services["blog"].update(
                command=["nameko", "run", "--config", "config.yaml", "services.missing"]
            ),
            "service blog: command names services.missing",
        ),
        (
            lambda services: services["gateway"].update(
                command=["gunicorn", "-c", "gateway/none.conf.py", "gateway.wsgi:app"]
            ),
            "service gateway: command names gateway/none.conf.py",
        ),
        (
            lambda services: services["migrate"].update(
                command=["python", "-m", "services.nothing"]
            ),
            "service migrate: command names services.nothing",
        ),
        (
            lambda services: services["storage"]["environment"].update(
                USERS_DB_URI="postgresql+psycopg://blog:x@postgres/blog_users"
            ),
            "service storage: USERS_DB_URI must use postgresql+pg8000://",
        ),
        (
            lambda services: services["storage"]["environment"].update(
                USERS_DB_URI="postgresql+pg8000://${POSTGRES_USER:-blog}:${POSTGRES_PASSWORD:?x}"
                "@postgres:5432/blog_users"
            ),
            "service storage: reads ${POSTGRES_USER}, PostgreSQL's superuser account",
        ),
        (
            lambda services: services["migrate"]["environment"].update(
                BLOG_DB_URI="postgresql+pg8000://blog_app:${POSTGRES_PASSWORD:?x}@postgres:5432/blog_blog"
            ),
            "service migrate: reads ${POSTGRES_PASSWORD}, PostgreSQL's superuser account",
        ),
        (
            lambda services: services["users"]["environment"].update(
                PGPASSWORD="${POSTGRES_PASSWORD:?x}"
            ),
            "service users: reads ${POSTGRES_PASSWORD}",
        ),
        (
            lambda services: services["storage"]["environment"].update(
                BLOG_DB_URI="postgresql+pg8000://postgres:${BLOG_DB_PASSWORD:?x}@postgres:5432/blog_blog"
            ),
            "service storage: BLOG_DB_URI connects as the superuser postgres",
        ),
        (
            lambda services: services["postgres"]["environment"].pop("BLOG_DB_PASSWORD"),
            "service storage: USERS_DB_URI uses ${BLOG_DB_PASSWORD}, which the postgres service "
            "does not receive",
        ),
        (
            lambda services: services["storage"].update(volumes=[]),
            "service storage: BACKUP_DIR /data/backups is not on a volume",
        ),
        (
            lambda services: services["frontend"]["environment"].update(
                SECRET_KEY="${SECRET_KEY:-dev}"
            ),
            "${SECRET_KEY} is a secret",
        ),
        (
            lambda services: services["blog"]["environment"].update(EXTRA="${NOT_DOCUMENTED:-1}"),
            "${NOT_DOCUMENTED} is read but not documented in .env.example",
        ),
        (
            lambda services: services["gateway"]["depends_on"].update(
                nowhere={"condition": "service_healthy"}
            ),
            "service gateway: depends on unknown service nowhere",
        ),
        (
            lambda services: (
                services["migrate"].update(healthcheck=None)
                or services["storage"].update(
                    depends_on={"migrate": {"condition": "service_healthy"}}
                )
            ),
            "service storage: waits for migrate to be healthy, but migrate has no healthcheck",
        ),
    ],
)
def test_a_broken_compose_file_is_refused(compose, env_names, change, expected):
    problems = problems_after(compose, env_names, change)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_the_services_connect_as_the_blog_role_not_the_superuser(compose):
    services = compose["services"]
    for name in ("storage", "migrate"):
        for key in ("USERS_DB_URI", "BLOG_DB_URI"):
            uri = services[name]["environment"][key]
            assert uri.startswith(
                "postgresql+pg8000://${BLOG_DB_USER:-blog_app}:${BLOG_DB_PASSWORD:?"
            ), (name, key, uri)
    # The postgres container alone has the superuser, and gives the role's password
    # to its first-start script (deploy/postgres/create-databases.sh).
    database = services["postgres"]["environment"]
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "BLOG_DB_USER", "BLOG_DB_PASSWORD"} <= set(
        database
    )
    readers = {
        name
        for name, service in services.items()
        if check_containers.variables_read(service) & {"POSTGRES_USER", "POSTGRES_PASSWORD"}
    }
    assert readers == {"postgres"}


def test_the_first_start_script_makes_a_role_without_superuser_rights():
    script = (PROJECT_ROOT / "deploy/postgres/create-databases.sh").read_text()
    # What the postgres image runs from /docker-entrypoint-initdb.d: this script alone.
    assert sorted(path.name for path in (PROJECT_ROOT / "deploy/postgres").iterdir()) == [
        "create-databases.sh"
    ]
    assert subprocess.run(["sh", "-n", "-c", script]).returncode == 0
    statement = " ".join(script.split())
    assert (
        "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT "
        "PASSWORD :'app_password'"
    ) in statement
    for database in ("blog_users", "blog_blog"):
        assert f'ALTER DATABASE {database} OWNER TO :"app_user"' in statement
    # The password comes from the environment (or a secret's file), never a literal.
    assert "\\getenv app_password BLOG_DB_PASSWORD" in script
    assert "BLOG_DB_PASSWORD_FILE" in script


def test_the_swarm_deploy_gives_the_services_the_blog_role_not_the_superuser(tmp_path):
    """deploy/swarm/deploy.sh with a stand-in docker: the secrets it would create."""
    bin_dir, secrets_dir = tmp_path / "bin", tmp_path / "secrets"
    bin_dir.mkdir()
    secrets_dir.mkdir()
    fake_docker = bin_dir / "docker"
    fake_docker.write_text(f"""#!/bin/sh
case "$1 $2" in
  "secret inspect") exit 1 ;;
  "secret create") cat >"{secrets_dir}/$3"; exit 0 ;;
  "compose "*) echo '{{"services": {{}}}}'; exit 0 ;;
  "stack deploy") exit 0 ;;
esac
echo "unexpected: docker $*" >&2; exit 2
""")
    fake_docker.chmod(0o755)
    env_file = tmp_path / "stack.env"
    env_file.write_text(
        "SECRET_KEY=k\nPOSTGRES_PASSWORD=superuser-pw\nBLOG_DB_PASSWORD=app-pw\n"
        "RABBITMQ_PASSWORD=r\n"
        + "".join(
            f"BROKER_PASSWORD_{part}=b\n"
            for part in ("STORAGE", "USERS", "BLOG", "GATEWAY", "FRONTEND", "ADMIN")
        )
    )
    result = subprocess.run(
        [str(PROJECT_ROOT / "deploy/swarm/deploy.sh"), "st", str(env_file)],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "COMPOSE_COMMAND": "docker compose",
        },
    )
    assert result.returncode == 0, result.stderr
    created = {path.name: path.read_text() for path in secrets_dir.iterdir()}
    assert (
        created["st_users_db_uri"] == "postgresql+pg8000://blog_app:app-pw@postgres:5432/blog_users"
    )
    assert (
        created["st_blog_db_uri"] == "postgresql+pg8000://blog_app:app-pw@postgres:5432/blog_blog"
    )
    assert created["st_blog_db_password"] == "app-pw"
    assert [name for name, value in created.items() if "superuser-pw" in value] == [
        "st_postgres_password"
    ]
    # The postgres service reads both, the first-start script comes as a config.
    swarm = check_containers.parse_compose(
        (PROJECT_ROOT / "deploy/swarm/docker-compose.swarm.yml").read_text()
    )
    postgres = swarm["services"]["postgres"]
    assert postgres["environment"]["BLOG_DB_PASSWORD_FILE"] == "/run/secrets/blog_db_password"
    assert postgres["configs"] == [
        {"source": "postgres_init", "target": "/docker-entrypoint-initdb.d/create-databases.sh"}
    ]
    assert swarm["configs"]["postgres_init"]["file"].endswith("deploy/postgres/create-databases.sh")


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


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            lambda text: text.replace(
                "ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm", "ARG PYTHON_IMAGE=python:latest"
            ),
            "Dockerfile: base image python:latest is not pinned",
        ),
        (
            lambda text: text.replace(
                "ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm", "ARG PYTHON_IMAGE=python"
            ),
            "Dockerfile: base image python is not pinned",
        ),
        (
            lambda text: text.replace("ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm", ""),
            "Dockerfile: base image ${PYTHON_IMAGE} is not pinned",
        ),
        (lambda text: text.replace("USER blog", ""), "Dockerfile: the image runs as root"),
        (lambda text: text.replace("USER blog", "USER root"), "Dockerfile: the image runs as root"),
        (
            lambda text: text + "\nADD https://example.org/tool.tar.gz /opt/\n",
            "Dockerfile: ADD of a URL",
        ),
        (
            lambda text: text.replace("pip install -r /tmp/requirements.txt", "pip install nameko"),
            "Dockerfile: requirements.txt is not installed",
        ),
        (
            lambda text: text.replace(
                "pip install -r /tmp/requirements.txt", "pip install -r /tmp/requirements-dev.txt"
            ),
            "Dockerfile: requirements-dev.txt reaches the image",
        ),
    ],
)
def test_a_broken_dockerfile_is_refused(dockerfile, edit, expected):
    problems = check_containers.dockerfile_problems(edit(dockerfile))
    assert any(problem.startswith(expected) for problem in problems), problems


@pytest.fixture(scope="module")
def requirements():
    return tuple(
        (PROJECT_ROOT / name).read_text()
        for name in (
            check_containers.RUNTIME_REQUIREMENTS,
            check_containers.DEVELOPMENT_REQUIREMENTS,
        )
    )


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            lambda runtime, dev: (runtime + "pytest==9.2.0\n", dev),
            "requirements-dev.txt: pytest is pinned in requirements.txt too",
        ),
        (
            lambda runtime, dev: (runtime, dev + "Flask_WTF==1.3.0\n"),
            "requirements-dev.txt: flask-wtf is pinned in requirements.txt too",
        ),
        (
            lambda runtime, dev: (runtime + "orjson>=3\n", dev),
            "requirements.txt: orjson>=3 is not pinned with ==",
        ),
        (
            lambda runtime, dev: (runtime, dev.replace("-r requirements.txt\n", "")),
            "requirements-dev.txt: does not include -r requirements.txt",
        ),
    ],
)
def test_requirements_pin_each_package_once(requirements, edit, expected):
    assert check_containers.requirements_problems(*requirements) == []
    assert expected in check_containers.requirements_problems(*edit(*requirements))


def test_a_build_stage_is_not_a_base_image_and_arg_defaults_are_read():
    problems = check_containers.dockerfile_problems(
        "ARG BASE=debian:12.7\nFROM ${BASE} AS deps\nRUN pip install -r requirements.txt\n"
        "FROM deps\nUSER app\n"
    )
    assert problems == []


def test_continuation_lines_are_one_instruction():
    instructions = check_containers.dockerfile_instructions(
        "FROM a:1\n# note\nRUN one \\\n    && two\nUSER x\n"
    )
    assert instructions == [("FROM", "a:1"), ("RUN", "one      && two"), ("USER", "x")]


def test_without_any_healthcheck_the_image_is_refused(dockerfile, compose):
    broken = copy.deepcopy(compose)
    broken["services"]["blog"].pop("healthcheck")
    problems = check_containers.image_healthcheck_problems(dockerfile, broken)
    assert problems and problems[0].startswith("service blog: built from the Dockerfile")
    with_image_check = (
        dockerfile + '\nHEALTHCHECK CMD ["python", "-m", "admin.healthcheck", "blog"]\n'
    )
    assert check_containers.image_healthcheck_problems(with_image_check, broken) == []


def test_dockerignore_must_keep_local_state_out():
    assert check_containers.dockerignore_problems(".git\n.venv\n") == [
        ".dockerignore: var is not excluded from the build context",
        ".dockerignore: .env is not excluded from the build context",
    ]
