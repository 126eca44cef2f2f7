"""Loading ``config.yaml`` the way ``nameko run --config`` does, and reading its settings.

The gateway, the frontend and scripts read the same file as the services, with
the same ``${ENV_VAR:default}`` placeholders, so one file configures every
process. Each setting and its default are declared once, in ``common.settings``:
``setting`` and ``section`` read a parsed config with those defaults, so a config
that lacks a key (a test's, or an older file) behaves as ``config.yaml`` does.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from nameko.cli.main import setup_yaml_parser  # type: ignore[import-untyped]  # nameko has no type information

from common.settings import ENVIRONMENT_DEFAULTS, SETTINGS, SETTINGS_BY_NAME, SettingValue

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / str(ENVIRONMENT_DEFAULTS["BLOG_CONFIG"])

Config = Mapping[str, Any]
"""A parsed configuration: ``config.yaml``'s tree, or a test's dict of the same shape."""


def load_config(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Return the parsed config; ``path`` defaults to ``$BLOG_CONFIG`` or ``config.yaml``."""
    setup_yaml_parser()
    path = path or os.environ.get("BLOG_CONFIG") or DEFAULT_CONFIG_PATH
    with open(path) as config_file:
        loaded: dict[str, Any] = yaml.safe_load(config_file)
        return loaded


def setting(config: Config, name: str) -> SettingValue:
    """The setting ``name`` (``RATE_LIMITS.LOGIN_PER_ACCOUNT``) of ``config`` as its declared
    type; its declared default when ``config`` lacks it or leaves it empty."""
    declared = SETTINGS_BY_NAME[name]
    value: Any = config
    for key in declared.keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return declared.convert(declared.default if value is None else value)


def public_url(config: Config) -> str:
    """Where browsers reach the site (``FRONTEND.PUBLIC_URL``), without a trailing slash:
    absolute links use it, never the request's Host header, and an https one makes both web
    apps send HSTS (``web.proxies``). Empty: ``http://HOST:PORT`` of the frontend."""
    configured = str(setting(config, "FRONTEND.PUBLIC_URL")).strip().rstrip("/")
    if configured:
        return configured
    return f"http://{setting(config, 'FRONTEND.HOST')}:{setting(config, 'FRONTEND.PORT')}"


def section(config: Config, prefix: str) -> dict[str, SettingValue]:
    """Every declared setting under ``prefix`` (``GATEWAY``), by its last key: ``{"PORT": 8000, ...}``."""
    return {
        declared.keys[-1]: setting(config, declared.name)
        for declared in SETTINGS
        if declared.keys[:-1] == (prefix,)
    }


def rpc_timeout(config: Config) -> float:
    """Seconds any RPC may take (``RPC_TIMEOUT``): clients, and services calling services."""
    timeout = setting(config, "RPC_TIMEOUT")
    if isinstance(timeout, str):
        raise TypeError(f"RPC_TIMEOUT is {timeout!r}, not a number of seconds")
    return timeout


def token_ttl_seconds(config: Config) -> int:
    """How long a user's API token stays valid (``TOKEN_TTL_SECONDS``)."""
    return int(setting(config, "TOKEN_TTL_SECONDS"))


def session_lifetime_seconds(config: Config) -> int:
    """How long a browser session lasts after its last use (``SESSION_LIFETIME_SECONDS``)."""
    return int(setting(config, "SESSION_LIFETIME_SECONDS"))


def backup_settings(config: Config) -> dict[str, SettingValue]:
    """The ``BACKUP`` section with its defaults: ``{DIR, KEEP, INTERVAL_SECONDS}``."""
    return section(config, "BACKUP")
