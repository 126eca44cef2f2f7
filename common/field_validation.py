"""Field-by-field validation shared by the account and article rules.

Every problem is collected per field before raising, so a form can show all
of them at once beside their fields.
"""

import re

from common.errors import ValidationError

CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")
"""C0 controls other than tab, newline and carriage return: invisible, and they make
XML (the Atom feeds) unparseable. NUL is refused for every query by storage
(``services.database.access``), with its own message."""


def refuse_control_characters(text):
    """``ValueError`` when ``text`` holds a C0 control other than tab, LF, CR (or NUL)."""
    if CONTROL_CHARACTERS.search(text):
        raise ValueError("must not contain control characters")
    return text


def validated(values, checks, required):
    """``values`` cleaned by ``checks[field](value, required)``, which raise ``ValueError``."""
    problems = {}
    cleaned = {}
    for field, value in values.items():
        try:
            cleaned[field] = checks[field](value, required)
        except ValueError as exc:
            problems.setdefault(field, []).append(str(exc))
    if problems:
        raise ValidationError(problems)
    return cleaned


def validated_changes(changes, checks, what):
    """A partial update: an object whose fields all have checks; unknown fields are errors."""
    if not isinstance(changes, dict):
        raise ValidationError.single(what, "must be an object")
    unknown = sorted(set(changes) - set(checks))
    if unknown:
        raise ValidationError({field: ["is not a field that can be changed"] for field in unknown})
    return validated(changes, checks, required=False)
