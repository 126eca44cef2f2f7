"""Rules of user accounts: validation, password hashing and tokens.

Plain functions and classes, testable without nameko. Validation collects
every problem per field before raising, so a form can show them all at once.
"""
import re

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.errors import Unauthenticated
from services.field_validation import validated, validated_changes

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME_LENGTH = (3, 40)
PASSWORD_LENGTH = (8, 128)
EMAIL_MAX_LENGTH = 254
BIO_MAX_LENGTH = 2000
IMAGE_MAX_LENGTH = 2048
TOKEN_ALGORITHM = "HS256"
# Settings forms (the RealWorld clients') send "" for the fields a user left alone.
UNCHANGED_WHEN_BLANK = ("username", "email", "password")


def validate_registration(username, email, password):
    """Normalised ``{username, email, password}``, or ``ValidationError`` per field."""
    return validated(
        {"username": username, "email": email, "password": password}, CHECKS, required=True
    )


def validate_changes(changes):
    """Normalised profile changes; unknown fields are an error, not ignored.

    A blank username, email or password means "unchanged"; a blank bio or image clears it.
    """
    if isinstance(changes, dict):
        changes = {
            field: value for field, value in changes.items()
            if not (field in UNCHANGED_WHEN_BLANK and _is_blank(value))
        }
    return validated_changes(changes, CHECKS, "user")


def check_username(value, required=True):
    value = _text(value, required).strip()
    low, high = USERNAME_LENGTH
    if not low <= len(value) <= high:
        raise ValueError(f"must be {low} to {high} characters")
    if not USERNAME_PATTERN.match(value):
        raise ValueError("may contain only letters, digits, '_' and '-'")
    return value


def check_email(value, required=True):
    value = _text(value, required).strip().lower()
    if len(value) > EMAIL_MAX_LENGTH or not EMAIL_PATTERN.match(value):
        raise ValueError("is not a valid email address")
    return value


def check_password(value, required=True):
    value = _text(value, required)
    low, high = PASSWORD_LENGTH
    if not low <= len(value) <= high:
        raise ValueError(f"must be {low} to {high} characters")
    return value


def check_bio(value, required=False):
    """Optional: ``None`` or blank clears it."""
    if _is_blank(value):
        return None
    value = _text(value, required).strip()
    if len(value) > BIO_MAX_LENGTH:
        raise ValueError(f"must be at most {BIO_MAX_LENGTH} characters")
    return value


def check_image(value, required=False):
    """Optional http(s) URL: ``None`` or blank clears it."""
    if _is_blank(value):
        return None
    value = _text(value, required).strip()
    if len(value) > IMAGE_MAX_LENGTH or not re.match(r"^https?://\S+$", value):
        raise ValueError("must be an http or https URL")
    return value


CHECKS = {
    "username": check_username,
    "email": check_email,
    "password": check_password,
    "bio": check_bio,
    "image": check_image,
}


def _is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value, required):
    if value is None or value == "":
        raise ValueError("can't be blank" if required else "can't be empty")
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


class Passwords:
    """argon2id hashing. Verifying an unknown email still costs a hash, so
    response times do not tell which emails are registered."""

    def __init__(self, hasher=None):
        self.hasher = hasher or PasswordHasher()
        self._decoy_hash = self.hasher.hash("decoy password for unknown emails")

    def hash(self, password):
        return self.hasher.hash(password)

    def verify(self, password_hash, password):
        """True when ``password`` matches; a missing hash is checked against a decoy."""
        if not password_hash:
            self._matches(self._decoy_hash, password)
            return False
        return self._matches(password_hash, password)

    def _matches(self, password_hash, password):
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


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
