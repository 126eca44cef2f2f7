"""Rules of user accounts: what a username, email, password, bio and image may be.

Plain functions, testable without nameko. Validation collects every problem
per field before raising, so a form can show them all at once.
"""

import re

from zxcvbn import zxcvbn

from common.errors import ValidationError
from common.field_validation import refuse_control_characters, validated, validated_changes
from common.settings import SETTINGS_BY_NAME

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USERNAME_LENGTH = (3, 40)
PASSWORD_LENGTH = (8, 128)
EMAIL_MAX_LENGTH = 254
BIO_MAX_LENGTH = 2000
IMAGE_MAX_LENGTH = 2048
# Settings forms (the RealWorld clients') send "" for the fields a user left alone.
UNCHANGED_WHEN_BLANK = ("username", "email", "password")


def validate_registration(username, email, password):
    """Normalised ``{username, email, password}``, or ``ValidationError`` per field."""
    return validated(
        {"username": username, "email": email, "password": password}, CHECKS, required=True
    )


DEFAULT_PASSWORD_MIN_SCORE = int(SETTINGS_BY_NAME["PASSWORD_MIN_SCORE"].default)
"""The lowest zxcvbn score (0 to 4) a new password needs unless ``PASSWORD_MIN_SCORE``
says otherwise. 0 and 1 are guessed within about a million tries (common passwords,
keyboard walks, names with digits, the username or email itself), which NIST SP 800-63B
says to refuse; a setting of 0 turns the check off (a demo, a client's test suite) while
the length limits stay."""
PASSWORD_SCORED_LENGTH = 72
"""zxcvbn's cost grows with length; a longer password is scored on its first 72 characters (its limit)."""


def password_min_score(config):
    """``PASSWORD_MIN_SCORE`` of ``config``: a whole number from 0 to 4, else ``ValueError``."""
    value = config.get("PASSWORD_MIN_SCORE", DEFAULT_PASSWORD_MIN_SCORE)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ValueError(
            f"PASSWORD_MIN_SCORE must be a whole number from 0 to 4 (the zxcvbn score a new "
            f"password needs; 0 turns the guessability check off), not {value!r}"
        )
    return value


def refuse_guessable_password(password, user_inputs=(), min_score=DEFAULT_PASSWORD_MIN_SCORE):
    """``ValidationError`` on ``password`` when zxcvbn scores it below ``min_score``: common
    or easy to guess, also from the account's own username and email (``user_inputs``)."""
    if min_score == 0:
        return password
    inputs = [value for value in user_inputs if isinstance(value, str) and value]
    for value in list(inputs):
        inputs.extend(part for part in re.split(r"[@._-]+", value) if part)
    result = zxcvbn(password[:PASSWORD_SCORED_LENGTH], user_inputs=inputs)
    if result["score"] >= min_score:
        return password
    warning = (result.get("feedback") or {}).get("warning") or ""
    message = "is too common or too easy to guess: choose a longer, less predictable one"
    if warning:
        message += f" ({warning.rstrip('.')})"
    raise ValidationError.single("password", message)


def validate_changes(changes):
    """Normalised profile changes; unknown fields are an error, not ignored.

    A blank username, email or password means "unchanged"; a blank bio or image clears it.
    """
    if isinstance(changes, dict):
        changes = {
            field: value
            for field, value in changes.items()
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
    return refuse_control_characters(value)
