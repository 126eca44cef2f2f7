"""Time, the one way: naive UTC datetimes inside the code and the databases, and
one wire format, ISO-8601 UTC with milliseconds and a ``Z``."""

from datetime import datetime, timezone


def utc_now():
    """The current time as a naive UTC datetime (what the databases store)."""
    return as_naive_utc(datetime.now(timezone.utc))


def from_unix_time(seconds):
    """The naive UTC datetime of a Unix time (what the ``Clock`` dependency gives)."""
    return as_naive_utc(datetime.fromtimestamp(seconds, timezone.utc))


def as_naive_utc(moment):
    """A naive datetime is taken as UTC already; an aware one is converted to UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def isoformat(moment):
    """``2026-11-23T18:57:52.123Z`` for a naive-UTC or aware datetime."""
    return as_naive_utc(moment).isoformat(timespec="milliseconds") + "Z"


def parse_isoformat(text):
    """The naive-UTC datetime of an ISO-8601 string such as ``isoformat`` makes."""
    return as_naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
