"""Limits on login and registration attempts, per account, per client address and per
account and address together.

Counters live in the users database (``storage.users_count_attempts``), so every
instance of the users service sees the same counts. A window is fixed
(``RATE_LIMITS.WINDOW_SECONDS``, 5 minutes by default). Keys are hashes, so the table
holds no email or address.

Password guessing (sign-in, and the current-password check of a settings change) is
limited without handing anyone a lock-out of someone else's account:

* every attempt counts per client address (``LOGIN_PER_ADDRESS``, any account) and per
  account and address together (``LOGIN_PER_ACCOUNT_AND_ADDRESS``);
* wrong passwords also count per account, from every address (``LOGIN_PER_ACCOUNT``).
  An account past that number is slowed down, not closed: each address then gets
  ``LOGIN_SLOWED_PER_ACCOUNT_AND_ADDRESS`` attempts on it per window, so an address that
  has not been guessing still signs in with the right password, while a guesser with
  many addresses gets that many guesses per address.
"""

import hashlib

from common.config import section


def settings(config):
    """The ``RATE_LIMITS`` section with its declared defaults."""
    return section(config, "RATE_LIMITS")


def counter(kind, value, limit=None, add=1):
    """A counter of ``kind`` for ``value`` (hashed); ``add=0`` only reads it."""
    digest = hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()
    return {"key": f"{kind}:{digest}", "limit": limit, "add": add}


def login_counters(config, email, client_address):
    """What a password attempt on ``email`` counts before the password is checked: the
    attempt per address and per account and address, and (read only) the account's wrong
    passwords so far. A caller without an address (a script) counts as the address ``""``."""
    limits = settings(config)
    counters = [
        counter(
            "login-account-address",
            f"{email}\0{client_address or ''}",
            limits["LOGIN_PER_ACCOUNT_AND_ADDRESS"],
        ),
        counter("login-failures", email, add=0),
    ]
    if client_address:
        counters.append(counter("login-address", client_address, limits["LOGIN_PER_ADDRESS"]))
    return counters


def login_allowed(config, counters, answer):
    """Whether the attempt counted by ``login_counters`` may check its password: no limit
    passed, and when the account is slowed down (``LOGIN_PER_ACCOUNT`` wrong passwords in
    the window), this address's attempts on it within the slowed allowance."""
    limits = settings(config)
    pair, failures = (answer["counts"][each["key"]] for each in counters[:2])
    if not answer["allowed"]:
        return False
    slowed = failures >= limits["LOGIN_PER_ACCOUNT"]
    return not slowed or pair <= limits["LOGIN_SLOWED_PER_ACCOUNT_AND_ADDRESS"]


def failure_counters(email):
    """What a wrong password counts: one more wrong password on the account."""
    return [counter("login-failures", email)]


def register_counters(config, email, client_address):
    limits = settings(config)
    counters = [counter("register-account", email, limits["REGISTER_PER_ACCOUNT"])]
    if client_address:
        counters.append(counter("register-address", client_address, limits["REGISTER_PER_ADDRESS"]))
    return counters
