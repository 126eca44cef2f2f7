"""The defaults of config.yaml (with no environment variable set) are the code's
defaults, so a setting has one default whichever way a process is configured."""
import re

import pytest

from common import config as project_config
from services.accounts import rules as account_rules


@pytest.fixture
def defaults_of_config_yaml(monkeypatch):
    for name in ("RPC_TIMEOUT", "TOKEN_TTL_SECONDS", "BACKUP_DIR", "BACKUP_KEEP",
                 "BACKUP_INTERVAL_SECONDS", "PASSWORD_MIN_SCORE"):
        monkeypatch.delenv(name, raising=False)
    return project_config.load_config(project_config.DEFAULT_CONFIG_PATH)


def test_config_yaml_defaults_are_the_code_defaults(defaults_of_config_yaml):
    assert defaults_of_config_yaml["RPC_TIMEOUT"] == project_config.DEFAULT_RPC_TIMEOUT_SECONDS
    assert defaults_of_config_yaml["TOKEN_TTL_SECONDS"] == project_config.DEFAULT_TOKEN_TTL_SECONDS
    assert defaults_of_config_yaml["BACKUP"] == project_config.DEFAULT_BACKUP
    assert account_rules.password_min_score(defaults_of_config_yaml) == \
        account_rules.DEFAULT_PASSWORD_MIN_SCORE


def test_missing_settings_take_the_defaults():
    assert project_config.rpc_timeout({}) == project_config.DEFAULT_RPC_TIMEOUT_SECONDS
    assert project_config.token_ttl_seconds({}) == project_config.DEFAULT_TOKEN_TTL_SECONDS
    assert project_config.backup_settings({"BACKUP": {"KEEP": 2}}) == {
        **project_config.DEFAULT_BACKUP, "KEEP": 2}


@pytest.mark.parametrize("variable, default", [
    ("RPC_TIMEOUT", project_config.DEFAULT_RPC_TIMEOUT_SECONDS),
    ("TOKEN_TTL_SECONDS", project_config.DEFAULT_TOKEN_TTL_SECONDS),
    ("BACKUP_KEEP", project_config.DEFAULT_BACKUP["KEEP"]),
    ("BACKUP_INTERVAL_SECONDS", project_config.DEFAULT_BACKUP["INTERVAL_SECONDS"]),
])
def test_compose_defaults_are_the_code_defaults(variable, default):
    compose = (project_config.PROJECT_ROOT / "docker-compose.yml").read_text()
    found = set(re.findall(rf"\${{{variable}:-([^}}]*)}}", compose))
    assert found <= {str(default)}, f"{variable}: compose says {found}, the code {default}"
