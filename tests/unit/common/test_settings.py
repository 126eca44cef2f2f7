"""Every setting declared in ``common/settings.py`` is the one ``config.yaml``,
``docker-compose.yml``, ``.env.example`` and the docs' settings tables speak of,
with the same variable and default.

Each check returns what disagrees, naming the file to change, so that adding a
setting to the declaration tells what else to update; the planted tests show it.
"""

import re

import pytest
import yaml

from common import config as project_config
from common.config import section, setting
from common.settings import (
    COMPOSE_OVERRIDES,
    ENVIRONMENT_ONLY,
    SETTINGS,
    Setting,
    text_of,
)
from scripts import settings_table

ROOT = project_config.PROJECT_ROOT
PLACEHOLDER = re.compile(r"^\$\{(?P<variable>[A-Z0-9_]+):(?P<default>.*)\}$")
COMPOSE_REFERENCE = re.compile(
    r"\$\{(?P<variable>[A-Za-z0-9_]+)(?:(?P<kind>:-|:\?)(?P<rest>[^}]*))?\}"
)
BLOG_IMAGE_PREFIX = "${BLOG_IMAGE"


class PlaceholderLoader(yaml.SafeLoader):
    """Reads YAML leaving each ``${VAR:default}`` as written (nameko's loader resolves them)."""


for tag in ("!env_var", "!raw_env_var"):
    PlaceholderLoader.add_constructor(tag, lambda loader, node: loader.construct_scalar(node))


def placeholders(tree, path=()):
    """``{"GATEWAY.PORT": ("GATEWAY_PORT", "8000"), ...}`` for every placeholder in ``tree``."""
    found = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            found.update(placeholders(value, (*path, key)))
        elif isinstance(value, str) and (match := PLACEHOLDER.match(value)):
            found[".".join((*path, key))] = (match["variable"], match["default"])
    return found


def config_yaml_problems(settings, text):
    written = placeholders(yaml.load(text, Loader=PlaceholderLoader))
    declared = {entry.name: (entry.variable, entry.default_text) for entry in settings}
    problems = [
        f"config.yaml lacks {name}: ${{{variable}:{default}}}"
        for name, (variable, default) in declared.items()
        if name not in written
    ]
    problems += [
        f"config.yaml has {name}, which common/settings.py does not declare"
        for name in written
        if name not in declared
    ]
    problems += [
        f"config.yaml's {name} is ${{{written[name][0]}:{written[name][1]}}}, "
        f"common/settings.py declares ${{{variable}:{default}}}"
        for name, (variable, default) in declared.items()
        if name in written and written[name] != (variable, default)
    ]
    return problems


def compose_defaults(settings, environment_only, overrides, compose):
    """The default compose gives each declared variable: none for those it requires
    (``${VAR:?...}``), else its override, else the declared one."""
    defaults = {entry.variable: entry.default_text for entry in settings}
    defaults.update(
        {
            entry.variable: None if entry.default is None else text_of(entry.default)
            for entry in environment_only
        }
    )
    defaults.update({variable: value for variable, (value, _) in overrides.items()})
    defaults.update(
        {
            match["variable"]: None
            for match in COMPOSE_REFERENCE.finditer(compose)
            if match["kind"] == ":?" and match["variable"] in defaults
        }
    )
    return defaults


def compose_problems(settings, environment_only, overrides, text):
    defaults = compose_defaults(settings, environment_only, overrides, text)
    problems = []
    used = set()
    for match in COMPOSE_REFERENCE.finditer(text):
        variable, kind, rest = match["variable"], match["kind"], match["rest"]
        used.add(variable)
        if variable not in defaults:
            problems.append(
                f"docker-compose.yml reads {variable}, which common/settings.py does not declare"
            )
        elif kind != ":?" and defaults[variable] is None:
            problems.append(f"docker-compose.yml must require {variable} with ${{{variable}:?...}}")
        elif kind == ":-" and rest != defaults[variable]:
            problems.append(
                f"docker-compose.yml's default of {variable} is {rest!r}, "
                f"common/settings.py's {defaults[variable]!r} (a deliberate "
                "difference goes into COMPOSE_OVERRIDES with its reason)"
            )
    problems += [
        f"COMPOSE_OVERRIDES names {variable}, which docker-compose.yml does not read"
        for variable in overrides
        if variable not in used
    ]
    parts = yaml.load(text, Loader=PlaceholderLoader)["services"]
    problems += [
        f"docker-compose.yml gives {name} the variable {variable}, which "
        "common/settings.py does not declare"
        for name, part in parts.items()
        if str(part.get("image", "")).startswith(BLOG_IMAGE_PREFIX)
        for variable in part.get("environment", {})
        if variable not in defaults
    ]
    return problems


def env_example_problems(settings, environment_only, overrides, text):
    defaults = compose_defaults(settings, environment_only, overrides, read("docker-compose.yml"))
    problems = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        variable, _, value = line.partition("=")
        if variable not in defaults:
            problems.append(
                f".env.example names {variable}, which common/settings.py does not declare"
            )
        elif value != (defaults[variable] or ""):
            problems.append(
                f".env.example shows {variable}={value}, compose's default is "
                f"{defaults[variable]!r}"
            )
    return problems


def readme_problems(settings, text):
    """Each row of the README's configuration table: its variables and their defaults."""
    defaults = {entry.variable: entry.default_text for entry in settings}
    table = text.split("## Configuration", 1)[1].split("\n\n")[2]
    problems = []
    for row in table.splitlines()[2:]:
        variables, shown = (re.findall(r"`([^`]*)`", cell) for cell in row.split("|")[1:3])
        if [defaults.get(variable) for variable in variables] != shown:
            problems.append(
                f"README.md's row of {', '.join(variables)} shows {shown}, "
                f"common/settings.py declares "
                f"{[defaults.get(variable) for variable in variables]}"
            )
    return problems


def read(name):
    return (ROOT / name).read_text()


def test_config_yaml_holds_exactly_the_declared_settings():
    assert config_yaml_problems(SETTINGS, read("config.yaml")) == []


def test_config_yaml_without_the_environment_reads_every_declared_default(monkeypatch):
    for declared in SETTINGS:
        monkeypatch.delenv(declared.variable, raising=False)
    loaded = project_config.load_config(project_config.DEFAULT_CONFIG_PATH)
    for declared in SETTINGS:
        assert setting(loaded, declared.name) == declared.default, declared.name


def test_compose_reads_declared_variables_with_their_defaults():
    assert (
        compose_problems(SETTINGS, ENVIRONMENT_ONLY, COMPOSE_OVERRIDES, read("docker-compose.yml"))
        == []
    )


def test_env_example_names_declared_variables_with_compose_defaults():
    assert (
        env_example_problems(SETTINGS, ENVIRONMENT_ONLY, COMPOSE_OVERRIDES, read(".env.example"))
        == []
    )


def test_the_deployment_page_holds_the_generated_tables():
    page = settings_table.DEPLOYMENT_DOC.read_text()
    assert settings_table.rewritten(page) == page, "run python scripts/settings_table.py"


def test_readme_table_shows_declared_defaults():
    assert readme_problems(SETTINGS, read("README.md")) == []


PLANTED = Setting("FRONTEND.PLANTED", "FRONTEND_PLANTED", 3, int, "a setting only this test has")


def test_a_setting_declared_alone_is_named_in_config_yaml_s_problems():
    assert config_yaml_problems((*SETTINGS, PLANTED), read("config.yaml")) == [
        "config.yaml lacks FRONTEND.PLANTED: ${FRONTEND_PLANTED:3}"
    ]


def test_a_setting_in_config_yaml_alone_is_named():
    text = read("config.yaml") + "PLANTED: ${PLANTED:1}\n"
    assert config_yaml_problems(SETTINGS, text) == [
        "config.yaml has PLANTED, which common/settings.py does not declare"
    ]


def test_a_default_changed_in_one_place_is_named_everywhere():
    changed = tuple(
        Setting(s.name, s.variable, 20, s.type, s.help) if s.variable == "RPC_TIMEOUT" else s
        for s in SETTINGS
    )
    assert config_yaml_problems(changed, read("config.yaml")) == [
        "config.yaml's RPC_TIMEOUT is ${RPC_TIMEOUT:10}, common/settings.py declares "
        "${RPC_TIMEOUT:20}"
    ]
    assert compose_problems(
        changed, ENVIRONMENT_ONLY, COMPOSE_OVERRIDES, read("docker-compose.yml")
    ) == [
        "docker-compose.yml's default of RPC_TIMEOUT is '10', common/settings.py's '20' "
        "(a deliberate difference goes into COMPOSE_OVERRIDES with its reason)"
    ]
    assert env_example_problems(
        changed, ENVIRONMENT_ONLY, COMPOSE_OVERRIDES, read(".env.example")
    ) == [".env.example shows RPC_TIMEOUT=10, compose's default is '20'"]
    assert readme_problems(changed, read("README.md")) == [
        "README.md's row of RPC_TIMEOUT shows ['10'], common/settings.py declares ['20']"
    ]


def test_undeclared_variables_in_compose_and_env_example_are_named():
    compose = read("docker-compose.yml").replace(
        "LOG_LEVEL: ${LOG_LEVEL:-INFO}", "LOG_LEVEL: ${LOG_LEVEL:-INFO}\n  PLANTED: ${PLANTED:-1}"
    )
    assert compose_problems(SETTINGS, ENVIRONMENT_ONLY, COMPOSE_OVERRIDES, compose) == [
        "docker-compose.yml reads PLANTED, which common/settings.py does not declare",
        *(
            f"docker-compose.yml gives {part} the variable PLANTED, which common/settings.py "
            "does not declare"
            for part in ("storage", "users", "blog", "gateway", "frontend")
        ),
    ]
    assert env_example_problems(
        SETTINGS, ENVIRONMENT_ONLY, COMPOSE_OVERRIDES, read(".env.example") + "PLANTED=1\n"
    ) == [".env.example names PLANTED, which common/settings.py does not declare"]


def test_a_secret_compose_must_be_given_without_a_default():
    compose = read("docker-compose.yml").replace(
        "${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD in .env}", "${RABBITMQ_PASSWORD:-guest}"
    )
    assert "docker-compose.yml must require RABBITMQ_PASSWORD with ${RABBITMQ_PASSWORD:?...}" in (
        compose_problems(SETTINGS, ENVIRONMENT_ONLY, COMPOSE_OVERRIDES, compose)
    )


def test_a_stale_compose_override_is_named():
    overrides = {**COMPOSE_OVERRIDES, "GATEWAY_PORT": ("9000", "a planted reason")}
    assert compose_problems(SETTINGS, ENVIRONMENT_ONLY, overrides, read("docker-compose.yml")) == [
        "COMPOSE_OVERRIDES names GATEWAY_PORT, which docker-compose.yml does not read"
    ]


@pytest.mark.parametrize("declared", SETTINGS, ids=lambda declared: declared.name)
def test_each_setting_reads_as_its_declared_type(declared):
    default = setting({}, declared.name)
    kinds = (int, float) if declared.type is float else declared.type
    assert default == declared.default and isinstance(default, kinds)


def test_a_section_holds_every_declared_key_with_configured_values_converted():
    assert section({"BACKUP": {"KEEP": "2"}}, "BACKUP") == {
        "DIR": "var/backups",
        "KEEP": 2,
        "INTERVAL_SECONDS": 3600,
    }
