"""Limits on login and registration attempts, per account and per client address.

Counters live in the users database (``storage.users_count_attempts``), so every
instance of the users service sees the same counts. A window is fixed
(``RATE_LIMITS.WINDOW_SECONDS``, 5 minutes by default); every attempt counts,
successful or not. Keys are hashes, so the table holds no email or address.
"""
import hashlib

from common.config import section


def settings(config):
    """The ``RATE_LIMITS`` section with its declared defaults."""
    return section(config, "RATE_LIMITS")


def counter(kind, value, limit):
    digest = hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()
    return {"key": f"{kind}:{digest}", "limit": limit}


def login_counters(config, email, client_address):
    limits = settings(config)
    counters = [counter("login-account", email, limits["LOGIN_PER_ACCOUNT"])]
    if client_address:
        counters.append(counter("login-address", client_address, limits["LOGIN_PER_ADDRESS"]))
    return counters


def register_counters(config, email, client_address):
    limits = settings(config)
    counters = [counter("register-account", email, limits["REGISTER_PER_ACCOUNT"])]
    if client_address:
        counters.append(
            counter("register-address", client_address, limits["REGISTER_PER_ADDRESS"]))
    return counters
