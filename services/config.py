"""Loading ``config.yaml`` the way ``nameko run --config`` does.

The gateway, the frontend and scripts read the same file as the services, with
the same ``${ENV_VAR:default}`` placeholders, so one file configures every
process.
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
