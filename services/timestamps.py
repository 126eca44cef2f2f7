"""The one wire format of a time: ISO-8601 UTC with milliseconds and a ``Z``."""
from datetime import datetime, timezone


def isoformat(moment):
    """``2026-11-23T18:57:52.123Z`` for a naive-UTC or aware datetime."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_isoformat(text):
    """The naive-UTC datetime of a string made by ``isoformat``."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
