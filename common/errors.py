"""The shared error set every service raises and every client understands.

Each class is registered with nameko's exception registry, so a client that
imports this module receives the same class back from a remote call instead
of a bare ``RemoteError``. The gateway and the frontend map these classes to
HTTP statuses in one place each.

Each class names the HTTP status it stands for (``http_status``), so the
gateway and the frontend share one mapping.

Exceptions cross RPC as their ``args``: every class keeps its constructor
arguments JSON-friendly so it can be rebuilt on the other side.
"""

from nameko.exceptions import deserialize_to_instance


class ConduitError(Exception):
    """Base of every expected error of the platform; ``message`` is safe to show a user."""

    http_status = 500

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


@deserialize_to_instance
class NotFound(ConduitError):
    """The named thing (user, article, comment, backup) does not exist."""

    http_status = 404


@deserialize_to_instance
class ValidationError(ConduitError):
    """Input was rejected; ``errors`` maps each field to its messages."""

    http_status = 422

    def __init__(self, errors):
        self.errors = {field: list(messages) for field, messages in errors.items()}
        super().__init__(errors)
        self.message = "; ".join(
            f"{field} {message}" for field, messages in self.errors.items() for message in messages
        )

    @classmethod
    def single(cls, field, message):
        return cls({field: [message]})


@deserialize_to_instance
class Conflict(ValidationError):
    """A uniqueness rule was broken (username taken, ...); a form error like any
    other validation error, hence the same 422 (as RealWorld clients expect)."""


@deserialize_to_instance
class PermissionDenied(ConduitError):
    """The caller is known but may not do this."""

    http_status = 403


@deserialize_to_instance
class Unauthenticated(ConduitError):
    """Credentials are missing, wrong, expired or revoked."""

    http_status = 401


@deserialize_to_instance
class TooManyRequests(ConduitError):
    """Too many attempts (logins, registrations) in a short time; ``retry_after`` is the
    number of seconds until the next attempt may succeed."""

    http_status = 429

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
        self.args = (message, self.retry_after)


@deserialize_to_instance
class ServiceUnavailable(ConduitError):
    """A service or database did not answer in time."""

    http_status = 503


class BrokerUnreachable(ServiceUnavailable):
    """The message broker itself could not be reached (raised by the RPC client, never
    sent over RPC): no service can answer."""


EXPECTED = (
    NotFound,
    ValidationError,
    PermissionDenied,
    Unauthenticated,
    TooManyRequests,
    ServiceUnavailable,
)
