"""Signed, expiring user tokens, revoked by bumping the user's token version.

Plain functions, testable without nameko; the time is passed in (the users
service's ``Clock``).
"""
import jwt

from services.errors import Unauthenticated

TOKEN_ALGORITHM = "HS256"


def issue_token(user_id, token_version, secret, ttl_seconds, now):
    """A signed token naming the user, the token generation and the expiry."""
    claims = {
        "sub": str(user_id),
        "ver": token_version,
        "iat": int(now),
        "exp": int(now + ttl_seconds),
    }
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def read_token(token, secret, now):
    """``(user_id, token_version)`` of a valid token, else ``Unauthenticated``.

    Time claims are checked against ``now`` (the service's clock), not PyJWT's.
    """
    if not isinstance(token, str) or not token:
        raise Unauthenticated("a token is required")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["sub", "exp", "ver"], "verify_exp": False, "verify_iat": False},
        )
        user_id = int(claims["sub"])
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthenticated("the token is invalid")
    if claims["exp"] <= now:
        raise Unauthenticated("the token has expired")
    return user_id, claims["ver"]


def check_token_holder(record, token_version):
    """A token is revoked once its user is banned or its generation is superseded."""
    if record["banned"]:
        raise Unauthenticated("this account has been banned")
    if record["token_version"] != token_version:
        raise Unauthenticated("the token has been revoked")
