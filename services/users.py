"""The users service: accounts, authentication, profiles and the follow graph.

Admins use it from ``nameko shell --config config.yaml``::

    >>> n.rpc.users.list_users()
    >>> n.rpc.users.ban_user("spammer")
    >>> n.rpc.users.delete_user("spammer")

It never opens a database: the storage service keeps the data.
"""

from typing import Any

from nameko.dependency_providers import Config
from nameko.events import EventDispatcher

from common.clock import Clock
from common.config import session_lifetime_seconds, token_ttl_seconds
from common.contract import (
    SESSION_ENDED,
    USER_DELETED,
    USER_FOLLOWED,
    USER_REGISTERED,
    USER_UNFOLLOWED,
    USER_UPDATED,
)
from common.errors import (
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unauthenticated,
    ValidationError,
)
from common.secret_keys import derived_key
from services.accounts import rate_limits, rules, schemas, sessions, tokens
from services.accounts.passwords import PasswordHashing, PasswordMinScore
from services.accounts.production_secret import RequireProductionSecret
from services.accounts.schemas import AdminUser, PrivateUser
from services.rpc.entrypoint import rpc
from services.rpc.request_log import RequestLog
from services.rpc.timed_proxy import TimedRpcProxy

TOO_MANY_ATTEMPTS = "too many attempts: try again in a few minutes"


class UsersService:
    name = "users"

    storage = TimedRpcProxy("storage")
    dispatch = EventDispatcher()
    config = Config()
    passwords = PasswordHashing()
    password_min_score = PasswordMinScore()
    clock = Clock()
    request_log = RequestLog()
    production_secret = RequireProductionSecret()

    # -- accounts -----------------------------------------------------------

    @rpc
    def register(
        self, username: str, email: str, password: str, client_address: str | None = None
    ) -> PrivateUser:
        """Create an account and return it with a token.

        Every invalid field is reported at once in a ``ValidationError``; a taken
        username or email is a ``Conflict``. Attempts, refused ones included, are limited
        per email and per ``client_address`` (the web tier passes the caller's), so that
        probing which emails are registered is slow: ``TooManyRequests``.
        Dispatches ``user_registered``.
        """
        self._count_attempt(
            rate_limits.register_counters(
                self.config, email.strip().lower() if isinstance(email, str) else "", client_address
            )
        )
        fields = rules.validate_registration(username, email, password)
        rules.refuse_guessable_password(
            fields["password"], (fields["username"], fields["email"]), self.password_min_score
        )
        password_hash = self.passwords.hash(fields["password"])
        record = self.storage.users_create(fields["username"], fields["email"], password_hash)
        self.dispatch(USER_REGISTERED.name, schemas.user_event(record))
        return schemas.private_user(record, self._token_for(record))

    @rpc
    def login(self, email: str, password: str, client_address: str | None = None) -> PrivateUser:
        """Return the user with a fresh token for a correct email and password.

        Wrong credentials raise ``Unauthenticated`` without saying which part was
        wrong; a banned account raises ``PermissionDenied``. Attempts are limited per
        ``client_address`` and per email and address, and an email with many wrong
        passwords is slowed down (``services.accounts.rate_limits``): ``TooManyRequests``.
        """
        if not isinstance(email, str) or not isinstance(password, str):
            raise Unauthenticated("email or password is invalid")
        email = email.strip().lower()
        self._limit_password_attempt(email, client_address)
        credentials = self.storage.users_get_credentials(email)
        password_hash = credentials["password_hash"] if credentials else None
        if not self._password_matches(email, password_hash, password):
            raise Unauthenticated("email or password is invalid")
        record = credentials["user"]
        if record["banned"]:
            raise PermissionDenied("this account has been banned")
        return schemas.private_user(record, self._token_for(record))

    @rpc
    def verify_token(self, token: str) -> PrivateUser:
        """The user an API token belongs to; ``Unauthenticated`` if it is invalid or
        expired, its user was banned, deleted or changed password since it was issued, or
        it is a browser session token (those open only the frontend: ``verify_session``)."""
        if sessions.is_session_token(token):
            raise Unauthenticated("a browser session is not an API token")
        return schemas.private_user(self._verified_token_holder(token))

    # -- browser sessions ---------------------------------------------------
    #
    # Only the frontend's broker account may call these: a session token copied out of a
    # browser's cookie opens no API (``verify_token`` refuses it).

    @rpc
    def verify_session(self, token: str) -> PrivateUser:
        """The user a browser session token belongs to; ``Unauthenticated`` if the session
        ended or expired, or its user was banned, deleted or changed password since it
        started. A session in use is renewed."""
        return self._verify_session(token)

    @rpc
    def start_session(self, token: str) -> dict[str, Any]:
        """Open a browser session for the holder of a valid token (what ``login``,
        ``register`` or ``update_user`` just returned): ``{token, expires_in}``, where
        ``token`` is the session token the frontend keeps in its cookie and passes to
        ``verify_session``. It lasts ``SESSION_LIFETIME_SECONDS`` from its last use."""
        record = self._verified_token_holder(token)
        session_token = sessions.new_session_token()
        lifetime = session_lifetime_seconds(self.config)
        self.storage.users_session_create(
            record["id"],
            sessions.token_hash(session_token),
            record["token_version"],
            sessions.expiry(self.clock(), lifetime),
        )
        return {"token": session_token, "expires_in": lifetime}

    @rpc
    def end_session(self, token: str) -> None:
        """End one browser session (sign out); ending an unknown session is harmless.
        Dispatches ``session_ended``, so no web process answers from a cached check of it."""
        if sessions.is_session_token(token):
            self.storage.users_session_delete(sessions.token_hash(token), self.clock())
            self.dispatch(SESSION_ENDED.name, {})

    @rpc
    def end_all_sessions(self, token: str) -> dict[str, int]:
        """Sign out everywhere: end every browser session of the session token's user (this
        one included) and revoke every token issued to them so far."""
        user = self._verify_session(token)
        record = self.storage.users_end_all_sessions(user["id"])
        self.dispatch(USER_UPDATED.name, schemas.user_event(record))
        return {"id": record["id"]}

    def _verify_session(self, token):
        if not sessions.is_session_token(token):
            raise Unauthenticated("a browser session token is required")
        now = self.clock()
        token_hash = sessions.token_hash(token)
        found = self.storage.users_session_get(token_hash)
        user = sessions.check_session(found, now)
        lifetime = session_lifetime_seconds(self.config)
        if sessions.renewal_due(found["session"], now, lifetime):
            self.storage.users_session_renew(token_hash, sessions.expiry(now, lifetime))
        return schemas.private_user(user)

    def _verified_token_holder(self, token):
        claims = tokens.read_claims(token, self._token_key(), self.clock())
        try:
            record = self.storage.users_get(user_id=claims["user_id"])
        except NotFound:
            raise Unauthenticated("the account no longer exists") from None
        tokens.check_token_holder(record, claims["token_version"], claims["account_key"])
        return record

    @rpc
    def get_user(self, user_id: int) -> PrivateUser:
        """The private record (email included) of a user by id."""
        return schemas.private_user(self.storage.users_get(user_id=user_id))

    @rpc
    def update_user(
        self,
        user_id: int,
        changes: dict[str, Any],
        current_password: str | None = None,
        client_address: str | None = None,
    ) -> PrivateUser:
        """Change any of email, username, password, bio and image; returns the user with a
        fresh token. A blank username, email or password is left unchanged, and so is an
        email or password equal to the current one (RealWorld clients send the email on
        every save, a password manager may fill in the password). A new email or password
        needs ``current_password``: a ``ValidationError`` on it when missing or wrong. Each
        password check counts against the sign-in limits of the email and
        ``client_address`` (``TooManyRequests``). A new password must not be guessable,
        also from the username and email, and revokes every earlier token (the fresh one
        excepted). Dispatches ``user_updated``."""
        fields = rules.validate_changes(changes)
        current = self.storage.users_get(user_id=user_id)
        password = fields.pop("password", None)
        if (
            password is not None
            and current_password is None
            and self._is_current_password(current, password, client_address)
        ):
            password = None
        new_email = fields.get("email", current["email"]) != current["email"]
        if new_email or password is not None or current_password is not None:
            self._require_current_password(current, current_password, client_address)
        if password is not None and password != current_password:
            rules.refuse_guessable_password(
                password,
                (
                    current["username"],
                    current["email"],
                    fields.get("username"),
                    fields.get("email"),
                ),
                self.password_min_score,
            )
            fields["password_hash"] = self.passwords.hash(password)
            fields["bump_token_version"] = True
        record = self.storage.users_update(user_id, fields)
        self.dispatch(USER_UPDATED.name, schemas.user_event(record))
        return schemas.private_user(record, self._token_for(record))

    # -- profiles and follows -----------------------------------------------

    @rpc
    def get_profile(self, username: str, viewer_id: int | None = None) -> dict[str, Any]:
        """The public profile of ``username``; ``following`` is relative to ``viewer_id``."""
        return self.storage.users_profile(username, viewer_id)

    @rpc
    def get_profiles(
        self, user_ids: list[int], viewer_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Profiles of many users in one call (unknown ids are left out)."""
        return self.storage.users_profiles(list(user_ids), viewer_id)

    @rpc
    def follow_user(self, follower_id: int, username: str) -> dict[str, Any]:
        """Follow ``username``; following twice is harmless, following yourself is an error.
        Dispatches ``user_followed``."""
        profile = self.storage.users_follow(follower_id, username)
        self.dispatch(
            USER_FOLLOWED.name, {"follower_id": follower_id, "followee_id": profile["id"]}
        )
        return profile

    @rpc
    def unfollow_user(self, follower_id: int, username: str) -> dict[str, Any]:
        """Stop following ``username``; returns the profile. Dispatches ``user_unfollowed``."""
        profile = self.storage.users_unfollow(follower_id, username)
        self.dispatch(
            USER_UNFOLLOWED.name, {"follower_id": follower_id, "followee_id": profile["id"]}
        )
        return profile

    @rpc
    def following_ids(self, user_id: int) -> list[int]:
        """Ids of the users ``user_id`` follows (the blog's feed uses it)."""
        return self.storage.users_following_ids(user_id)

    # -- admin --------------------------------------------------------------

    @rpc
    def list_users(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> dict[str, Any]:
        """Admin: users by id with ``banned`` and the total count; ``query`` searches
        usernames and emails."""
        page = self.storage.users_list(limit, offset, query)
        return {
            "users": [schemas.admin_user(record) for record in page["users"]],
            "users_count": page["users_count"],
        }

    @rpc
    def ban_user(self, username: str) -> AdminUser:
        """Admin: ban a user; their tokens stop working at once and they cannot sign in."""
        record = self.storage.users_set_banned(username, True)
        self.dispatch(USER_UPDATED.name, schemas.user_event(record))
        return schemas.admin_user(record)

    @rpc
    def unban_user(self, username: str) -> AdminUser:
        """Admin: lift a ban (earlier tokens stay revoked; the user signs in again)."""
        record = self.storage.users_set_banned(username, False)
        self.dispatch(USER_UPDATED.name, schemas.user_event(record))
        return schemas.admin_user(record)

    @rpc
    def delete_user(self, username: str) -> dict[str, Any]:
        """Admin: delete a user and their follows. Dispatches ``user_deleted``, on which
        the blog service removes their articles, comments and favorites."""
        deleted = self.storage.users_delete(username)
        self.dispatch(USER_DELETED.name, schemas.user_event(deleted))
        return deleted

    def _require_current_password(self, record, password, client_address):
        if not isinstance(password, str) or not password:
            raise ValidationError.single(
                "current_password", "is needed to change the email or password"
            )
        if not self._is_current_password(record, password, client_address):
            raise ValidationError.single("current_password", "is wrong")

    def _is_current_password(self, record, password, client_address):
        """Whether ``password`` is the account's, within the limits on password guessing."""
        self._limit_password_attempt(record["email"], client_address)
        credentials = self.storage.users_get_credentials(user_id=record["id"])
        return self._password_matches(record["email"], credentials["password_hash"], password)

    def _limit_password_attempt(self, email, client_address):
        """``TooManyRequests`` when this attempt on ``email`` from ``client_address`` is
        past the limits on password guessing; else it is counted."""
        counters = rate_limits.login_counters(self.config, email, client_address)
        answer = self._count(counters)
        if not rate_limits.login_allowed(self.config, counters, answer):
            raise TooManyRequests(TOO_MANY_ATTEMPTS, answer["retry_after"])

    def _password_matches(self, email, password_hash, password):
        """Whether ``password`` matches; a wrong one counts against the account."""
        if self.passwords.verify(password_hash, password):
            return True
        self._count(rate_limits.failure_counters(email))
        return False

    def _count_attempt(self, counters):
        answer = self._count(counters)
        if not answer["allowed"]:
            raise TooManyRequests(TOO_MANY_ATTEMPTS, answer["retry_after"])

    def _count(self, counters):
        limits = rate_limits.settings(self.config)
        return self.storage.users_count_attempts(counters, limits["WINDOW_SECONDS"], self.clock())

    def _token_key(self):
        return derived_key(self.config, "tokens")

    def _token_for(self, record):
        return tokens.issue_token(
            record["id"],
            record["token_version"],
            self._token_key(),
            token_ttl_seconds(self.config),
            self.clock(),
            account_key=record["account_key"],
        )
