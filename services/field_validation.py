"""Field-by-field validation shared by the account and article rules.

Every problem is collected per field before raising, so a form can show all
of them at once beside their fields.
"""
from services.errors import ValidationError


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
