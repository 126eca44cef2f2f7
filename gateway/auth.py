"""The caller's identity from the ``Authorization`` header.

RealWorld clients send ``Token <jwt>``; many generic HTTP clients send
``Bearer <jwt>``: both are accepted. The users service verifies the token,
once per request. A header that is present but wrong is always a 401, even
on routes where authentication is optional, so a client learns that its
stored token is stale instead of silently seeing anonymous results.
"""

from flask import g, request

from common.errors import Unauthenticated
from web.rpc_access import rpc

ACCEPTED_SCHEMES = ("token", "bearer")


def current_user():
    """The verified caller (a users-service user dict); 401 without valid credentials."""
    user = optional_user()
    if user is None:
        raise Unauthenticated("authentication required: send 'Authorization: Token <jwt>'")
    return user


def optional_user():
    """The verified caller, or ``None`` when the request carries no ``Authorization`` header."""
    if "user" not in g:
        token = request_token()
        g.user = None if token is None else rpc().users.verify_token(token=token)
    return g.user


def optional_user_id():
    user = optional_user()
    return None if user is None else user["id"]


def request_token():
    """The token of the ``Authorization`` header, ``None`` without one."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() not in ACCEPTED_SCHEMES or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Token <jwt>' or 'Bearer <jwt>'")
    return token.strip()
