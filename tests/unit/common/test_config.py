"""Reading settings from a parsed config: missing keys take the declared defaults, and
values arrive as the declared types whichever way they were written."""

import pytest

from common import config as project_config
from common.settings import SETTINGS_BY_NAME


def default(name):
    return SETTINGS_BY_NAME[name].default


def test_missing_settings_take_the_declared_defaults():
    assert project_config.rpc_timeout({}) == default("RPC_TIMEOUT") == 10
    assert project_config.token_ttl_seconds({}) == default("TOKEN_TTL_SECONDS") == 1209600
    assert project_config.session_lifetime_seconds({}) == 28800
    assert project_config.backup_settings({"BACKUP": {"KEEP": 2}}) == {
        "DIR": "var/backups",
        "KEEP": 2,
        "INTERVAL_SECONDS": 3600,
    }


def test_an_empty_value_takes_the_default():
    # ${FRONTEND_PUBLIC_URL:} and a variable set to nothing both read as YAML null.
    assert project_config.setting({"FRONTEND": {"PUBLIC_URL": None}}, "FRONTEND.PUBLIC_URL") == ""
    assert project_config.setting({"PROXY_HOPS": None}, "PROXY_HOPS") == 0


@pytest.mark.parametrize(
    "written, read",
    [
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("1", True),
        (True, True),
        ("false", False),
        ("no", False),
        ("0", False),
        (False, False),
    ],
)
def test_flags_read_the_words_of_yes(written, read):
    assert project_config.setting({"DEVELOPMENT_MODE": written}, "DEVELOPMENT_MODE") is read


def test_a_whole_number_of_seconds_stays_whole():
    # "did not answer within 1 seconds", as configured, not "1.0 seconds"
    assert repr(project_config.rpc_timeout({"RPC_TIMEOUT": 1})) == "1"
    assert repr(project_config.rpc_timeout({})) == "10"


def test_numbers_written_as_text_read_as_numbers():
    config = {"RPC_TIMEOUT": "2.5", "RATE_LIMITS": {"LOGIN_PER_ACCOUNT": "3"}}
    assert project_config.rpc_timeout(config) == 2.5
    assert project_config.setting(config, "RATE_LIMITS.LOGIN_PER_ACCOUNT") == 3


def test_an_undeclared_setting_is_a_key_error():
    with pytest.raises(KeyError):
        project_config.setting({}, "NOT_DECLARED")
