"""The users service: accounts, authentication, profiles and the follow graph.

Admins use it from ``nameko shell --config config.yaml``::

    >>> n.rpc.users.list_users()
    >>> n.rpc.users.ban_user("spammer")
    >>> n.rpc.users.delete_user("spammer")

It never opens a database: the storage service keeps the data.
"""
from nameko.dependency_providers import Config
from nameko.events import EventDispatcher
from nameko.rpc import rpc

from services.accounts import rules, schemas, tokens
from services.accounts.passwords import PasswordHashing
from services.clock import Clock
from services.errors import EXPECTED, NotFound, PermissionDenied, Unauthenticated
from services.rpc.request_log import RequestLog
from services.rpc.timed_proxy import TimedRpcProxy
from services.secret_keys import RequireProductionSecret, derived_key


class UsersService:
    name = "users"

    storage = TimedRpcProxy("storage")
    dispatch = EventDispatcher()
    config = Config()
    passwords = PasswordHashing()
    clock = Clock()
    request_log = RequestLog()
    production_secret = RequireProductionSecret()

    # -- accounts -----------------------------------------------------------

    @rpc(expected_exceptions=EXPECTED)
    def register(self, username, email, password):
        """Create an account and return it with a token.

        Every invalid field is reported at once in a ``ValidationError``; a taken
        username or email is a ``Conflict``. Dispatches ``user_registered``.
        """
        fields = rules.validate_registration(username, email, password)
        password_hash = self.passwords.hash(fields["password"])
        record = self.storage.users_create(fields["username"], fields["email"], password_hash)
        self.dispatch("user_registered", schemas.user_event(record))
        return schemas.private_user(record, self._token_for(record))

    @rpc(expected_exceptions=EXPECTED)
    def login(self, email, password):
        """Return the user with a fresh token for a correct email and password.

        Wrong credentials raise ``Unauthenticated`` without saying which part was
        wrong; a banned account raises ``PermissionDenied``.
        """
        if not isinstance(email, str) or not isinstance(password, str):
            raise Unauthenticated("email or password is invalid")
        credentials = self.storage.users_get_credentials(email.strip().lower())
        password_hash = credentials["password_hash"] if credentials else None
        if not self.passwords.verify(password_hash, password):
            raise Unauthenticated("email or password is invalid")
        record = credentials["user"]
        if record["banned"]:
            raise PermissionDenied("this account has been banned")
        return schemas.private_user(record, self._token_for(record))

    @rpc(expected_exceptions=EXPECTED)
    def verify_token(self, token):
        """The user a token belongs to; ``Unauthenticated`` if it is invalid or expired,
        or its user was banned, deleted or changed password since it was issued."""
        claims = tokens.read_claims(token, self._token_key(), self.clock())
        try:
            record = self.storage.users_get(user_id=claims["user_id"])
        except NotFound:
            raise Unauthenticated("the account no longer exists")
        tokens.check_token_holder(record, claims["token_version"], claims["account_key"])
        return schemas.private_user(record)

    @rpc(expected_exceptions=EXPECTED)
    def get_user(self, user_id):
        """The private record (email included) of a user by id."""
        return schemas.private_user(self.storage.users_get(user_id=user_id))

    @rpc(expected_exceptions=EXPECTED)
    def update_user(self, user_id, changes):
        """Change any of email, username, password, bio and image; returns the user with a
        fresh token. A blank username, email or password is left unchanged, and so is a
        password equal to the current one; a new password revokes every earlier token
        (the fresh one excepted). Dispatches ``user_updated``."""
        fields = rules.validate_changes(changes)
        password = fields.pop("password", None)
        if password is not None and not self._is_current_password(user_id, password):
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
        """Follow ``username``; following twice is harmless, following yourself is an error."""
        return self.storage.users_follow(follower_id, username)

    @rpc(expected_exceptions=EXPECTED)
    def unfollow_user(self, follower_id, username):
        """Stop following ``username``; returns the profile."""
        return self.storage.users_unfollow(follower_id, username)

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

    def _is_current_password(self, user_id, password):
        credentials = self.storage.users_get_credentials(user_id=user_id)
        return credentials is not None and self.passwords.verify(
            credentials["password_hash"], password)

    def _token_key(self):
        return derived_key(self.config, "tokens")

    def _token_for(self, record):
        return tokens.issue_token(
            record["id"],
            record["token_version"],
            self._token_key(),
            self.config.get("TOKEN_TTL_SECONDS", 14 * 24 * 3600),
            self.clock(),
            account_key=record["account_key"],
        )
