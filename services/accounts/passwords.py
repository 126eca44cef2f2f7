"""Password hashing (argon2id) and the password strength setting: the users service's
dependency providers."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool
from nameko.extensions import DependencyProvider

from services.accounts.rules import password_min_score


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


class PasswordHashing(DependencyProvider):
    """argon2 hashing run in a native thread: hashing takes tens of
    milliseconds of CPU, which would otherwise block the event loop and let
    AMQP heartbeats lapse."""

    def setup(self):
        self.passwords = Passwords()

    def get_dependency(self, worker_ctx):
        return self

    def hash(self, password):
        return tpool.execute(self.passwords.hash, password)

    def verify(self, password_hash, password):
        return tpool.execute(self.passwords.verify, password_hash, password)


class PasswordMinScore(DependencyProvider):
    """The configured ``PASSWORD_MIN_SCORE``, checked when the container is set up: a
    service configured with an invalid one does not start."""

    def setup(self):
        self.min_score = password_min_score(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.min_score
