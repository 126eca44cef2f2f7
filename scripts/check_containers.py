"""Checks the container files without a Docker engine: ``python scripts/check_containers.py``.

``docker compose config`` (run by ``scripts/check_containers.sh`` where a
compose implementation is installed) validates docker-compose.yml against the
Compose schema. This module checks the rules the deployment relies on, which no
schema knows:

- every long-running service has a health check, and every
  ``depends_on: condition: service_healthy`` points at one that has;
- no service has a ``container_name`` and only the reverse proxy publishes a
  port, so ``docker compose up --scale blog=3 --scale frontend=3`` works;
- hardening: every service built here drops all capabilities, runs on a
  read-only root file system and has a health check with a start period;
  every service has a memory limit;
- every ``${VAR}`` the compose file reads is documented in ``.env.example``
  (and nothing there is unused); secrets have no defaults (``${VAR:?...}``);
- database URIs use PostgreSQL through pg8000 (the eventlet-friendly driver),
  as the blog's own role, never as the superuser: only the postgres service
  reads ``${POSTGRES_USER}`` and ``${POSTGRES_PASSWORD}``, and the variables a
  URI's credentials come from reach the postgres service too (its first-start
  script, deploy/postgres/create-databases.sh, makes the role with them);
- the backup directory is on a volume;
- every module or file a command names exists in the repository;
- the Dockerfile pins its base image, runs as a non-root user, installs the
  pinned runtime requirements (never the development ones) and fetches nothing
  by URL; .dockerignore keeps the virtualenv, git history and local data out of
  the build context;
- requirements.txt (run time) and requirements-dev.txt (development, on top of
  it through ``-r requirements.txt``) pin every package with ``==``, each in
  one of the two files only.

Exits 1 and lists the problems when a rule is broken.
"""

import re
import sys
from pathlib import Path

import yaml

from common.config import PROJECT_ROOT

PUBLISHED_SERVICES = {"proxy"}
DATABASE_SERVICE = "postgres"
# The postgres image's superuser: for its own container (initdb, health check) only.
SUPERUSER_VARIABLES = ("POSTGRES_USER", "POSTGRES_PASSWORD")
SUPERUSER_NAMES = {"postgres"}
SECRET_NAME = re.compile(r"(PASSWORD|SECRET_KEY)$")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; $$ escapes.
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])[^}]*)?\}")
DOCKERIGNORE_REQUIRED = (".git", ".venv", "var", ".env")
RUNTIME_REQUIREMENTS = "requirements.txt"
DEVELOPMENT_REQUIREMENTS = "requirements-dev.txt"


# -- docker-compose.yml ---------------------------------------------------------


def compose_problems(compose, env_example_names, repo_root=PROJECT_ROOT):
    """Problems of a parsed compose document, as sentences; empty when it follows the rules."""
    services = (compose or {}).get("services") or {}
    if not services:
        return ["docker-compose.yml has no services"]
    problems = []
    one_shot = one_shot_services(services)
    for name, service in services.items():
        problems += healthcheck_problems(name, service, services, one_shot)
        problems += scaling_problems(name, service)
        problems += command_problems(name, service, repo_root)
        problems += database_uri_problems(name, service)
        problems += backup_volume_problems(name, service, compose)
        problems += hardening_problems(name, service, one_shot)
    problems += database_account_problems(services)
    problems += variable_problems(compose, env_example_names)
    return problems


def one_shot_services(services):
    """Services others wait for to *finish* (``service_completed_successfully``)."""
    return {
        target
        for service in services.values()
        for target, condition in depends_on(service).items()
        if condition == "service_completed_successfully"
    }


def depends_on(service):
    """``{service: condition}``; the short list form means ``service_started``."""
    declared = service.get("depends_on") or {}
    if isinstance(declared, list):
        return {target: "service_started" for target in declared}
    return {
        target: (spec or {}).get("condition", "service_started")
        for target, spec in declared.items()
    }


def has_healthcheck(service):
    check = service.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable") and check["test"] != ["NONE"]


def healthcheck_problems(name, service, services, one_shot):
    problems = []
    if name not in one_shot and not has_healthcheck(service):
        problems.append(f"service {name}: no healthcheck")
    for target, condition in depends_on(service).items():
        if target not in services:
            problems.append(f"service {name}: depends on unknown service {target}")
        elif condition == "service_healthy" and not has_healthcheck(services[target]):
            problems.append(
                f"service {name}: waits for {target} to be healthy, but {target} has no healthcheck"
            )
    return problems


def scaling_problems(name, service):
    problems = []
    if "container_name" in service:
        problems.append(f"service {name}: container_name prevents --scale")
    if service.get("ports") and name not in PUBLISHED_SERVICES:
        problems.append(
            f"service {name}: publishes ports; only "
            f"{', '.join(sorted(PUBLISHED_SERVICES))} may (and a fixed host port "
            "prevents --scale)"
        )
    return problems


def command_problems(name, service, repo_root):
    """Each ``-m module``, ``nameko run ... module``, ``-c file`` and ``module:app`` exists."""
    command = service.get("command")
    if not command or "build" not in service:
        return []
    words = command.split() if isinstance(command, str) else [str(word) for word in command]
    return [
        f"service {name}: command names {what}, which is not in the repository"
        for what in referenced_paths(words)
        if not any((repo_root / path).exists() for path in candidate_paths(what))
    ]


def referenced_paths(words):
    """Modules (dotted) and files (with a slash) that a command line names."""
    named = []
    for flag, value in zip(words, words[1:], strict=False):
        if flag in ("-m", "-c", "--config"):
            named.append(value)
    if words[:2] == ["nameko", "run"]:
        named += [
            word
            for word in words[2:]
            if not word.startswith("-")
            and word not in named
            and "." in word
            and "/" not in word
            and not word.endswith(".yaml")
        ]
    if words and words[0] == "gunicorn":
        named += [word.split(":")[0] for word in words if ":" in word and not word.startswith("-")]
    return named


def candidate_paths(name):
    if "/" in name or name.endswith((".yaml", ".yml", ".py")) and name.count(".") == 1:
        return [Path(name)]
    module = Path(*name.split("."))
    return [module.with_suffix(".py"), module / "__init__.py"]


def hardening_problems(name, service, one_shot):
    problems = []
    limits = ((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    if not limits.get("memory") and not service.get("mem_limit"):
        problems.append(f"service {name}: no memory limit (deploy.resources.limits.memory)")
    if "build" not in service:
        return problems
    if "ALL" not in [str(cap).upper() for cap in service.get("cap_drop") or []]:
        problems.append(f"service {name}: keeps Linux capabilities (cap_drop: [ALL])")
    if service.get("read_only") is not True:
        problems.append(f"service {name}: writable root file system (read_only: true)")
    if (
        name not in one_shot
        and has_healthcheck(service)
        and not (service.get("healthcheck") or {}).get("start_period")
    ):
        problems.append(f"service {name}: health check without start_period")
    return problems


def environment(service):
    declared = service.get("environment") or {}
    if isinstance(declared, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in declared)
    return {key: "" if value is None else str(value) for key, value in declared.items()}


def database_uri_problems(name, service):
    return [
        f"service {name}: {key} must use postgresql+pg8000:// (got {value.split(':')[0]})"
        for key, value in environment(service).items()
        if key.endswith("_DB_URI") and not value.startswith("postgresql+pg8000://")
    ]


def database_account_problems(services):
    """The services connect as the blog's role; the superuser stays in the postgres service."""
    problems = []
    database = services.get(DATABASE_SERVICE)
    database_reads = variables_read(database.get("environment")) if database else set()
    for name, service in services.items():
        if name == DATABASE_SERVICE:
            continue
        for variable in SUPERUSER_VARIABLES:
            if variable in variables_read(service):
                problems.append(
                    f"service {name}: reads ${{{variable}}}, PostgreSQL's superuser "
                    f"account, which only the {DATABASE_SERVICE} service may use"
                )
        for key, value in environment(service).items():
            if not key.endswith("_DB_URI") or "://" not in value:
                continue
            credentials = value.split("://", 1)[1].rpartition("@")[0]
            if credentials.split(":", 1)[0] in SUPERUSER_NAMES:
                problems.append(
                    f"service {name}: {key} connects as the superuser "
                    f"{credentials.split(':', 1)[0]}"
                )
            if database is not None:
                problems += [
                    f"service {name}: {key} uses ${{{variable}}}, which the {DATABASE_SERVICE} "
                    "service does not receive (its first-start script makes the role with it)"
                    for variable in sorted(variables_read(credentials) - database_reads)
                ]
    return problems


def variables_read(node):
    return {match.group(1) for value in scalars(node) for match in VARIABLE.finditer(value)}


def backup_volume_problems(name, service, compose):
    backup_dir = environment(service).get("BACKUP_DIR")
    if not backup_dir:
        return []
    targets = {volume_target(volume) for volume in service.get("volumes") or []}
    if backup_dir not in targets:
        return [f"service {name}: BACKUP_DIR {backup_dir} is not on a volume"]
    return []


def volume_target(volume):
    if isinstance(volume, dict):
        return volume.get("target")
    parts = volume.split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def variable_problems(compose, env_example_names):
    problems = []
    referenced = {}
    for value in scalars(compose):
        for match in VARIABLE.finditer(value):
            referenced.setdefault(match.group(1), set()).add(match.group(2) or "")
    for variable, operators in sorted(referenced.items()):
        if variable not in env_example_names:
            problems.append(f"${{{variable}}} is read but not documented in .env.example")
        if SECRET_NAME.search(variable) and operators != {":?"}:
            problems.append(
                f"${{{variable}}} is a secret: read it as ${{{variable}:?message}}, "
                "without a default"
            )
    for variable in sorted(set(env_example_names) - set(referenced)):
        problems.append(f"{variable} is in .env.example but docker-compose.yml never reads it")
    return problems


def scalars(node):
    """Every string in a parsed YAML document, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from scalars(key)
            yield from scalars(value)
    elif isinstance(node, list):
        for item in node:
            yield from scalars(item)
    elif isinstance(node, str):
        yield node


def parse_compose(text):
    """The compose document with every ``${VAR}`` left as written.

    nameko's ``setup_yaml_parser`` (run by every process that loads config.yaml)
    teaches ``yaml.SafeLoader`` to expand ``${VAR:default}`` while parsing, which
    would hide the variables these rules are about.
    """

    class ComposeLoader(yaml.SafeLoader):
        yaml_implicit_resolvers = {
            first: [(tag, regexp) for tag, regexp in resolvers if tag != "!env_var"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

    return yaml.load(text, Loader=ComposeLoader)  # noqa: S506 - a SafeLoader subclass


def env_example_names(text):
    return {
        line.split("=", 1)[0].strip()
        for line in text.splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }


# -- Dockerfile and .dockerignore -----------------------------------------------


def dockerfile_instructions(text):
    """``[(INSTRUCTION, arguments)]`` with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_problems(text):
    instructions = dockerfile_instructions(text)
    problems = []
    # ARG defaults declared before the first FROM may name the base image.
    arg_defaults, stages, bases = {}, set(), []
    for keyword, arguments in instructions:
        if keyword == "ARG" and not bases and "=" in arguments:
            arg_name, _, default = arguments.partition("=")
            arg_defaults[arg_name.strip()] = default.strip().strip('"')
        if keyword == "FROM":
            words = arguments.split()
            base = re.sub(
                r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
                lambda match: arg_defaults.get(match.group(1), match.group(0)),
                words[0],
            )
            if base not in stages:
                bases.append(base)
            if len(words) == 3 and words[1].upper() == "AS":
                stages.add(words[2])
    if not bases:
        problems.append("Dockerfile: no FROM")
    for base in bases:
        base_image = base.split()[0]
        tag = base_image.rpartition(":")[2] if ":" in base_image else ""
        if "@sha256:" not in base_image and (
            not tag or tag == "latest" or not re.search(r"\d", tag)
        ):
            problems.append(f"Dockerfile: base image {base_image} is not pinned to a version")
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("Dockerfile: the image runs as root (add USER with a non-root user)")
    for keyword, arguments in instructions:
        if keyword == "ADD" and re.search(r"\b(https?|ftp)://", arguments):
            problems.append(
                f"Dockerfile: ADD of a URL ({arguments}); fetch nothing at build "
                "time that requirements.txt does not pin"
            )
    if not any(
        keyword == "RUN" and re.search(r"pip install .*-r \S*requirements\.txt", arguments)
        for keyword, arguments in instructions
    ):
        problems.append("Dockerfile: requirements.txt is not installed (pip install -r)")
    if any(DEVELOPMENT_REQUIREMENTS in arguments for keyword, arguments in instructions):
        problems.append(
            f"Dockerfile: {DEVELOPMENT_REQUIREMENTS} reaches the image; it installs "
            f"{RUNTIME_REQUIREMENTS} alone"
        )
    return problems


def requirement_pins(text):
    """``(line, name, version)`` of each requirement line; version is None when not ``==``.

    Names are normalised as pip does (``Flask_WTF`` is ``flask-wtf``); comments,
    blank lines and ``-r`` includes are left out.
    """
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        name, separator, version = line.partition("==")
        yield (
            line,
            re.sub(r"[-_.]+", "-", name.strip()).lower(),
            version.strip() if separator and version.strip() else None,
        )


def requirements_problems(runtime_text, development_text):
    """Every package pinned with ``==`` in exactly one of the two files; dev builds on runtime."""
    problems, pinned_in = [], {}
    for file_name, text in (
        (RUNTIME_REQUIREMENTS, runtime_text),
        (DEVELOPMENT_REQUIREMENTS, development_text),
    ):
        for line, name, version in requirement_pins(text):
            if version is None:
                problems.append(f"{file_name}: {line} is not pinned with ==")
            elif name in pinned_in:
                problems.append(f"{file_name}: {name} is pinned in {pinned_in[name]} too")
            pinned_in.setdefault(name, file_name)
    if f"-r {RUNTIME_REQUIREMENTS}" not in development_text.splitlines():
        problems.append(f"{DEVELOPMENT_REQUIREMENTS}: does not include -r {RUNTIME_REQUIREMENTS}")
    return problems


def dockerignore_problems(text):
    entries = {
        line.strip().rstrip("/")
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    return [
        f".dockerignore: {entry} is not excluded from the build context"
        for entry in DOCKERIGNORE_REQUIRED
        if entry not in entries
    ]


def image_healthcheck_problems(dockerfile_text, compose):
    """The image has a HEALTHCHECK, or every long-running service built from it declares one."""
    if any(
        keyword == "HEALTHCHECK" and not arguments.upper().startswith("NONE")
        for keyword, arguments in dockerfile_instructions(dockerfile_text)
    ):
        return []
    services = (compose or {}).get("services") or {}
    one_shot = one_shot_services(services)
    return [
        f"service {name}: built from the Dockerfile, which has no HEALTHCHECK, "
        "and declares none itself"
        for name, service in services.items()
        if "build" in service and name not in one_shot and not has_healthcheck(service)
    ]


# -- command line ---------------------------------------------------------------


def all_problems(repo_root=PROJECT_ROOT):
    repo_root = Path(repo_root)
    compose = parse_compose((repo_root / "docker-compose.yml").read_text())
    dockerfile = (repo_root / "Dockerfile").read_text()
    names = env_example_names((repo_root / ".env.example").read_text())
    dockerignore = repo_root / ".dockerignore"
    return (
        compose_problems(compose, names, repo_root)
        + dockerfile_problems(dockerfile)
        + image_healthcheck_problems(dockerfile, compose)
        + dockerignore_problems(dockerignore.read_text() if dockerignore.exists() else "")
        + requirements_problems(
            (repo_root / RUNTIME_REQUIREMENTS).read_text(),
            (repo_root / DEVELOPMENT_REQUIREMENTS).read_text(),
        )
    )


def main():
    problems = all_problems()
    for problem in problems:
        print(problem)
    if problems:
        print(f"container files: {len(problems)} problem(s)")
        return 1
    print(
        "container files: Dockerfile, .dockerignore, docker-compose.yml, .env.example and "
        "the requirements follow the deployment rules"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
