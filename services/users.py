"""The users service: accounts, authentication, profiles and the follow graph.

Admins use it from ``nameko shell --config config.yaml``::

    >>> n.rpc.users.list_users()
    >>> n.rpc.users.ban_user("spammer")
    >>> n.rpc.users.delete_user("spammer")

It never opens a database: the storage service keeps the data.
"""
from nameko.dependency_providers import Config
from nameko.events import EventDispatcher

from services.accounts import rate_limits, rules, schemas, sessions, tokens
from services.accounts.passwords import PasswordHashing, PasswordMinScore
from services.clock import Clock
from services.config import session_lifetime_seconds, token_ttl_seconds
from services.errors import (
    EXPECTED, NotFound, PermissionDenied, TooManyRequests, Unauthenticated, ValidationError,
)
from services.rpc.entrypoint import rpc
from services.rpc.request_log import RequestLog
from services.rpc.timed_proxy import TimedRpcProxy
from services.secret_keys import RequireProductionSecret, derived_key


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

    @rpc(expected_exceptions=EXPECTED)
    def register(self, username, email, password, client_address=None):
        """Create an account and return it with a token.

        Every invalid field is reported at once in a ``ValidationError``; a taken
        username or email is a ``Conflict``. Attempts are limited per email and per
        ``client_address`` (the web tier passes the caller's): ``TooManyRequests``.
        Dispatches ``user_registered``.
        """
        fields = rules.validate_registration(username, email, password)
        rules.refuse_guessable_password(fields["password"], (fields["username"], fields["email"]),
                                        self.password_min_score)
        self._count_attempt(rate_limits.register_counters(
            self.config, fields["email"], client_address))
        password_hash = self.passwords.hash(fields["password"])
        record = self.storage.users_create(fields["username"], fields["email"], password_hash)
        self.dispatch("user_registered", schemas.user_event(record))
        return schemas.private_user(record, self._token_for(record))

    @rpc(expected_exceptions=EXPECTED)
    def login(self, email, password, client_address=None):
        """Return the user with a fresh token for a correct email and password.

        Wrong credentials raise ``Unauthenticated`` without saying which part was
        wrong; a banned account raises ``PermissionDenied``. Attempts are limited per
        email and per ``client_address``, right or wrong: ``TooManyRequests``.
        """
        if not isinstance(email, str) or not isinstance(password, str):
            raise Unauthenticated("email or password is invalid")
        email = email.strip().lower()
        self._count_attempt(rate_limits.login_counters(self.config, email, client_address))
        credentials = self.storage.users_get_credentials(email)
        password_hash = credentials["password_hash"] if credentials else None
        if not self.passwords.verify(password_hash, password):
            raise Unauthenticated("email or password is invalid")
        record = credentials["user"]
        if record["banned"]:
            raise PermissionDenied("this account has been banned")
        return schemas.private_user(record, self._token_for(record))

    @rpc(expected_exceptions=EXPECTED)
    def verify_token(self, token):
        """The user a token (or a browser session token) belongs to; ``Unauthenticated`` if
        it is invalid, expired or ended, or its user was banned, deleted or changed
        password since it was issued. A session in use is renewed."""
        if sessions.is_session_token(token):
            return self._verify_session(token)
        return schemas.private_user(self._verified_token_holder(token))

    # -- browser sessions ---------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def start_session(self, token):
        """Open a browser session for the holder of a valid token (what ``login``,
        ``register`` or ``update_user`` just returned): ``{token, expires_in}``, where
        ``token`` is the session token the frontend keeps in its cookie and passes to
        ``verify_token``. It lasts ``SESSION_LIFETIME_SECONDS`` from its last use."""
        record = self._verified_token_holder(token)
        session_token = sessions.new_session_token()
        lifetime = session_lifetime_seconds(self.config)
        self.storage.users_session_create(
            record["id"], sessions.token_hash(session_token), record["token_version"],
            sessions.expiry(self.clock(), lifetime),
        )
        return {"token": session_token, "expires_in": lifetime}

    @rpc(expected_exceptions=EXPECTED)
    def end_session(self, token):
        """End one browser session (sign out); ending an unknown session is harmless.
        Dispatches ``session_ended``, so no web process answers from a cached check of it."""
        if sessions.is_session_token(token):
            self.storage.users_session_delete(sessions.token_hash(token), self.clock())
            self.dispatch("session_ended", {})

    @rpc(expected_exceptions=EXPECTED)
    def end_all_sessions(self, token):
        """Sign out everywhere: end every browser session of the token's user (this one
        included) and revoke every token issued to them so far."""
        user = self.verify_token(token)
        record = self.storage.users_end_all_sessions(user["id"])
        self.dispatch("user_updated", schemas.user_event(record))
        return {"id": record["id"]}

    def _verify_session(self, token):
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
            raise Unauthenticated("the account no longer exists")
        tokens.check_token_holder(record, claims["token_version"], claims["account_key"])
        return record

    @rpc(expected_exceptions=EXPECTED)
    def get_user(self, user_id):
        """The private record (email included) of a user by id."""
        return schemas.private_user(self.storage.users_get(user_id=user_id))

    @rpc(expected_exceptions=EXPECTED)
    def update_user(self, user_id, changes, current_password=None):
        """Change any of email, username, password, bio and image; returns the user with a
        fresh token. A blank username, email or password is left unchanged, and so is a
        password equal to the current one; a new password revokes every earlier token
        (the fresh one excepted). With ``current_password`` (the frontend sends it to
        change an email or password) nothing changes unless it is right: a
        ``ValidationError`` on ``current_password``. Dispatches ``user_updated``."""
        fields = rules.validate_changes(changes)
        if current_password is not None:
            self._require_current_password(user_id, current_password)
        password = fields.pop("password", None)
        if password is not None and not self._is_current_password(user_id, password):
            rules.refuse_guessable_password(password, (fields.get("username"), fields.get("email")),
                                            self.password_min_score)
            fields["password_hash"] = self.passwords.hash(password)
            fields["bump_token_version"] = True
        record = self.storage.users_update(user_id, fields)
        self.dispatch("user_updated", schemas.user_event(record))
        return schemas.private_user(record, self._token_for(record))

    # -- profiles and follows -----------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def get_profile(self, username, viewer_id=None):
        """The public profile of ``username``; ``following`` is relative to ``viewer_id``."""
        return self.storage.users_profile(username, viewer_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_profiles(self, user_ids, viewer_id=None):
        """Profiles of many users in one call (unknown ids are left out)."""
        return self.storage.users_profiles(list(user_ids), viewer_id)

    @rpc(expected_exceptions=EXPECTED)
    def follow_user(self, follower_id, username):
        """Follow ``username``; following twice is harmless, following yourself is an error.
        Dispatches ``user_followed``."""
        profile = self.storage.users_follow(follower_id, username)
        self.dispatch("user_followed", {"follower_id": follower_id, "followee_id": profile["id"]})
        return profile

    @rpc(expected_exceptions=EXPECTED)
    def unfollow_user(self, follower_id, username):
        """Stop following ``username``; returns the profile. Dispatches ``user_unfollowed``."""
        profile = self.storage.users_unfollow(follower_id, username)
        self.dispatch("user_unfollowed",
                      {"follower_id": follower_id, "followee_id": profile["id"]})
        return profile

    @rpc(expected_exceptions=EXPECTED)
    def following_ids(self, user_id):
        """Ids of the users ``user_id`` follows (the blog's feed uses it)."""
        return self.storage.users_following_ids(user_id)

    # -- admin --------------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def list_users(self, limit=50, offset=0, query=None):
        """Admin: users by id with ``banned`` and the total count; ``query`` searches
        usernames and emails."""
        page = self.storage.users_list(limit, offset, query)
        return {
            "users": [schemas.admin_user(record) for record in page["users"]],
            "users_count": page["users_count"],
        }

    @rpc(expected_exceptions=EXPECTED)
    def ban_user(self, username):
        """Admin: ban a user; their tokens stop working at once and they cannot sign in."""
        record = self.storage.users_set_banned(username, True)
        self.dispatch("user_updated", schemas.user_event(record))
        return schemas.admin_user(record)

    @rpc(expected_exceptions=EXPECTED)
    def unban_user(self, username):
        """Admin: lift a ban (earlier tokens stay revoked; the user signs in again)."""
        record = self.storage.users_set_banned(username, False)
        self.dispatch("user_updated", schemas.user_event(record))
        return schemas.admin_user(record)

    @rpc(expected_exceptions=EXPECTED)
    def delete_user(self, username):
        """Admin: delete a user and their follows. Dispatches ``user_deleted``, on which
        the blog service removes their articles, comments and favorites."""
        deleted = self.storage.users_delete(username)
        self.dispatch("user_deleted", schemas.user_event(deleted))
        return deleted

    def _require_current_password(self, user_id, password):
        record = self.storage.users_get(user_id=user_id)
        self._count_attempt(rate_limits.login_counters(self.config, record["email"], None))
        if not isinstance(password, str) or not self._is_current_password(user_id, password):
            raise ValidationError.single("current_password", "is wrong")

    def _is_current_password(self, user_id, password):
        credentials = self.storage.users_get_credentials(user_id=user_id)
        return credentials is not None and self.passwords.verify(
            credentials["password_hash"], password)

    def _count_attempt(self, counters):
        if not counters:
            return
        limits = rate_limits.settings(self.config)
        answer = self.storage.users_count_attempts(
            counters, limits["WINDOW_SECONDS"], self.clock())
        if not answer["allowed"]:
            raise TooManyRequests(
                "too many attempts: try again in a few minutes", answer["retry_after"])

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
