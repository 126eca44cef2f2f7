"""The one ``SECRET_KEY`` of the configuration, and the keys derived from it.

Tokens (users service), browser sessions and CSRF tokens (frontend) each sign
with their own key, derived from the one secret with HMAC-SHA256 and a purpose
label, so a value signed for one purpose is never accepted for another.

The default secret in ``config.yaml`` is public: a process that signs
anything refuses to start with it unless the configuration says it runs in
development mode (``DEVELOPMENT_MODE: true``, which ``make run`` and the test
harness set).
"""

import hashlib
import hmac

from common.config import setting
from common.settings import SETTINGS_BY_NAME

DEFAULT_SECRET_KEY = SETTINGS_BY_NAME["SECRET_KEY"].default
PURPOSES = ("tokens", "sessions", "csrf")


class InsecureConfiguration(RuntimeError):
    """The configuration is not safe to run outside development."""


def development_mode(config):
    """True when the configuration says this is a development machine."""
    return bool(setting(config, "DEVELOPMENT_MODE"))


def secret_key(config):
    """The configured secret, refused when it is the public default outside development."""
    secret = config.get("SECRET_KEY")
    if not secret:
        raise InsecureConfiguration("SECRET_KEY is not set")
    if secret == DEFAULT_SECRET_KEY and not development_mode(config):
        raise InsecureConfiguration(
            "SECRET_KEY is the public default of config.yaml: set SECRET_KEY to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(48))'), or set "
            "DEVELOPMENT_MODE=true on a development machine"
        )
    return secret


def derived_key(config, purpose):
    """The key for ``purpose`` (tokens, sessions, csrf): HMAC-SHA256 of the label under the
    secret, as hex."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}")
    secret = secret_key(config).encode()
    return hmac.new(secret, f"conduit {purpose} key".encode(), hashlib.sha256).hexdigest()
