"""Rules of articles and comments: validation, slugs, who may change what.

Plain functions, testable without nameko.
"""

import re
import unicodedata

from common.errors import PermissionDenied, ValidationError
from common.field_validation import refuse_control_characters, validated, validated_changes

TITLE_MAX = 255
DESCRIPTION_MAX = 1000
BODY_MAX = 100_000
COMMENT_MAX = 10_000
TAG_MAX = 64
TAGS_PER_ARTICLE = 10
SLUG_MAX = 80
PAGE_LIMIT_MAX = 100
OFFSET_MAX = 2**31 - 1
"""Larger offsets overflow the databases' integers, so they are a field error rather than
a database error; no list is that long."""
IDEMPOTENCY_KEY_MAX = 100


def slugify(title):
    """``"Héllo, World!"`` -> ``"hello-world"``; never empty, at most 80 characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "article"


def validate_new_article(title, description, body, tag_list):
    return validated(
        {"title": title, "description": description, "body": body, "tag_list": tag_list},
        ARTICLE_CHECKS,
        required=True,
    )


def validate_article_changes(changes):
    return validated_changes(changes, ARTICLE_CHECKS, "article")


def _text_check(limit):
    def check(value, required):
        if value is None and not required:
            raise ValueError("can't be empty")
        if not isinstance(value, str):
            raise ValueError("can't be blank" if value is None else "must be a string")
        value = value.strip()
        if not value:
            raise ValueError("can't be blank")
        refuse_control_characters(value)
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    return check


def check_tag_list(value, required=False):
    """Tags trimmed, de-duplicated in order; at most 10 of at most 64 characters."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ValueError("must be a list of strings")
    tags = list(dict.fromkeys(" ".join(tag.split()) for tag in value if tag.strip()))
    if len(tags) > TAGS_PER_ARTICLE:
        raise ValueError(f"may have at most {TAGS_PER_ARTICLE} tags")
    for tag in tags:
        refuse_control_characters(tag)
    if any(len(tag) > TAG_MAX for tag in tags):
        raise ValueError(f"tags must be at most {TAG_MAX} characters")
    return tags


ARTICLE_CHECKS = {
    "title": _text_check(TITLE_MAX),
    "description": _text_check(DESCRIPTION_MAX),
    "body": _text_check(BODY_MAX),
    "tag_list": check_tag_list,
}


def validate_comment(body):
    try:
        return _text_check(COMMENT_MAX)(body, True)
    except ValueError as exc:
        raise ValidationError.single("body", str(exc)) from None


def validate_idempotency_key(key):
    """A blank key (an empty ``Idempotency-Key`` header) is no key: ``None``; a key has at
    most 100 characters (what storage keeps)."""
    if key is None:
        return None
    if not isinstance(key, str):
        raise ValidationError.single("idempotency_key", "must be a string")
    if not key.strip():
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError.single(
            "idempotency_key", f"must be at most {IDEMPOTENCY_KEY_MAX} characters"
        )
    return key


def validate_page(limit, offset):
    """``(limit, offset)`` as integers; limit 1..100, offset 0..2147483647."""
    problems = {}
    if not _is_int(limit) or not 1 <= limit <= PAGE_LIMIT_MAX:
        problems["limit"] = [f"must be a whole number from 1 to {PAGE_LIMIT_MAX}"]
    if not _is_int(offset) or not 0 <= offset <= OFFSET_MAX:
        problems["offset"] = [f"must be a whole number from 0 to {OFFSET_MAX}"]
    if problems:
        raise ValidationError(problems)
    return limit, offset


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def require_author(applied, what):
    """A conditional write by author that did not apply means someone else's item."""
    if not applied:
        raise PermissionDenied(f"only the author can change this {what}")
