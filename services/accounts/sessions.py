"""Browser sessions of the frontend: opaque tokens whose hash the users database keeps.

A session token is ``sess.`` and 43 random URL-safe characters. Only its SHA-256 is
stored, so a copy of the database opens no session. A session ends when its browser
signs out, when the user signs out everywhere, changes password or is banned or
deleted, or after ``SESSION_LIFETIME_SECONDS`` without use (each use renews it).

Plain functions, testable without nameko; the time is passed in.
"""

import hashlib
import secrets

from common.errors import Unauthenticated
from common.timestamps import from_unix_time, isoformat, parse_isoformat

PREFIX = "sess."
RENEW_AFTER_SECONDS = 60
"""A session is renewed at most once a minute (each renewal is a database write)."""


def new_session_token():
    return PREFIX + secrets.token_urlsafe(32)


def is_session_token(token):
    return isinstance(token, str) and token.startswith(PREFIX)


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def expiry(now, lifetime):
    """The wire form of ``now + lifetime``."""
    return isoformat(from_unix_time(now + lifetime))


def check_session(found, now):
    """The user of a stored ``{session, user}``, or ``Unauthenticated`` when it has ended."""
    if found is None:
        raise Unauthenticated("the session has ended")
    session, user = found["session"], found["user"]
    if parse_isoformat(session["expires_at"]) <= from_unix_time(now):
        raise Unauthenticated("the session has expired")
    if user["banned"]:
        raise Unauthenticated("this account has been banned")
    if user["token_version"] != session["token_version"]:
        raise Unauthenticated("the session has been revoked")
    return user


def renewal_due(session, now, lifetime):
    """True when the session was last renewed more than a minute ago."""
    remaining = (parse_isoformat(session["expires_at"]) - from_unix_time(now)).total_seconds()
    return remaining < lifetime - RENEW_AFTER_SECONDS
