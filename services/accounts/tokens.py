"""Signed, expiring user tokens, bound to one account and revoked by bumping the
user's token version.

A token names the user id, the token generation (``ver``) and the account's
random key (``key``, made when the account is created and never shown): a
token of a deleted account is refused even if a later account got the same id.
Tokens carry an issuer and an audience, both checked.

Plain functions, testable without nameko; the time is passed in (the users
service's ``Clock``).
"""

import hmac

import jwt

from common.errors import Unauthenticated

TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name, not a password
TOKEN_ISSUER = "conduit-users"  # noqa: S105 - a claim value
TOKEN_AUDIENCE = "conduit"  # noqa: S105 - a claim value
REQUIRED_CLAIMS = ["sub", "exp", "ver", "iss", "aud"]


def issue_token(user_id, token_version, secret, ttl_seconds, now, account_key=None):
    """A signed token naming the user, the token generation, the account and the expiry."""
    claims = {
        "sub": str(user_id),
        "ver": token_version,
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUDIENCE,
        "iat": int(now),
        "exp": int(now + ttl_seconds),
    }
    if account_key is not None:
        claims["key"] = account_key
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def read_token(token, secret, now):
    """``(user_id, token_version)`` of a valid token, else ``Unauthenticated``."""
    claims = read_claims(token, secret, now)
    return claims["user_id"], claims["token_version"]


def read_claims(token, secret, now):
    """``{user_id, token_version, account_key}`` of a valid token, else ``Unauthenticated``.

    Signature, algorithm, issuer and audience are checked by PyJWT; time claims
    against ``now`` (the service's clock), not PyJWT's.
    """
    if not isinstance(token, str) or not token:
        raise Unauthenticated("a token is required")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],
            issuer=TOKEN_ISSUER,
            audience=TOKEN_AUDIENCE,
            options={"require": REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
        )
        user_id = int(claims["sub"])
        expires = float(claims["exp"])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise Unauthenticated("the token is invalid") from None
    if expires <= now:
        raise Unauthenticated("the token has expired")
    return {"user_id": user_id, "token_version": claims["ver"], "account_key": claims.get("key")}


def check_token_holder(record, token_version, account_key=None):
    """A token is revoked once its user is banned or its generation is superseded, and
    is never valid for another account than the one it was issued to."""
    if not _same_account(record.get("account_key"), account_key):
        raise Unauthenticated("the account no longer exists")
    if record["banned"]:
        raise Unauthenticated("this account has been banned")
    if record["token_version"] != token_version:
        raise Unauthenticated("the token has been revoked")


def _same_account(stored_key, token_key):
    if not isinstance(stored_key, str) or not isinstance(token_key, str):
        return False
    return hmac.compare_digest(stored_key, token_key)
