"""Loading ``config.yaml`` the way ``nameko run --config`` does.

The gateway, the frontend and scripts read the same file as the services, with
the same ``${ENV_VAR:default}`` placeholders, so one file configures every
process.

The defaults of the settings more than one part reads live here, once; the
``${ENV_VAR:default}`` placeholders of ``config.yaml`` name the same values
(``tests/unit/common/test_config.py`` keeps them equal).
"""
import os
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config.yaml"


def load_config(path=None):
    """Return the parsed config; ``path`` defaults to ``$BLOG_CONFIG`` or ``config.yaml``."""
    setup_yaml_parser()
    path = path or os.environ.get("BLOG_CONFIG") or DEFAULT_CONFIG_PATH
    with open(path) as config_file:
        return yaml.safe_load(config_file)


DEFAULT_RPC_TIMEOUT_SECONDS = 10
DEFAULT_TOKEN_TTL_SECONDS = 14 * 24 * 3600
DEFAULT_SESSION_LIFETIME_SECONDS = 8 * 3600
DEFAULT_BACKUP = {"DIR": "var/backups", "KEEP": 10, "INTERVAL_SECONDS": 3600}


def public_url(config):
    """Where browsers reach the site (``FRONTEND.PUBLIC_URL``), without a trailing slash:
    absolute links use it, never the request's Host header, and an https one makes both web
    apps send HSTS (``web.proxies``). Empty: ``http://HOST:PORT`` of the frontend."""
    frontend_config = config.get("FRONTEND") or {}
    configured = str(frontend_config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if configured:
        return configured
    host = frontend_config.get("HOST", "127.0.0.1")
    return f"http://{host}:{frontend_config.get('PORT', 8080)}"


def rpc_timeout(config):
    """Seconds any RPC may take (``RPC_TIMEOUT``): clients, and services calling services."""
    return config.get("RPC_TIMEOUT", DEFAULT_RPC_TIMEOUT_SECONDS)


def token_ttl_seconds(config):
    """How long a user's API token stays valid (``TOKEN_TTL_SECONDS``)."""
    return int(config.get("TOKEN_TTL_SECONDS", DEFAULT_TOKEN_TTL_SECONDS))


def session_lifetime_seconds(config):
    """How long a browser session lasts after its last use (``SESSION_LIFETIME_SECONDS``)."""
    return int(config.get("SESSION_LIFETIME_SECONDS", DEFAULT_SESSION_LIFETIME_SECONDS))


def backup_settings(config):
    """The ``BACKUP`` section with its defaults: ``{DIR, KEEP, INTERVAL_SECONDS}``."""
    return {**DEFAULT_BACKUP, **(config.get("BACKUP") or {})}
