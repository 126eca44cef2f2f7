"""The users service's entrypoints with mocked storage, dispatcher and clock."""

import pytest
from nameko.testing.services import worker_factory

from common.errors import NotFound, PermissionDenied, Unauthenticated, ValidationError
from common.secret_keys import derived_key
from services.accounts import tokens
from services.accounts.rules import DEFAULT_PASSWORD_MIN_SCORE
from services.users import UsersService
from tests.unit.fake_services import FAST_PASSWORDS

CONFIG = {"SECRET_KEY": "unit-test-secret-of-at-least-32-bytes", "TOKEN_TTL_SECONDS": 3600}
TOKEN_KEY = derived_key(CONFIG, "tokens")
ACCOUNT_KEY = "a1" * 16
NOW = 1_800_000_000


def record(**overrides):
    base = {
        "id": 1,
        "username": "alice",
        "email": "alice@example.com",
        "bio": None,
        "image": None,
        "banned": False,
        "token_version": 0,
        "account_key": ACCOUNT_KEY,
        "created_at": "2026-11-23T10:00:00.000Z",
        "updated_at": "2026-11-23T10:00:00.000Z",
    }
    return {**base, **overrides}


def first_attempts(counters, window_seconds, now):
    """Storage's answer to the first attempt under ``counters`` in a window."""
    return {
        "allowed": True,
        "retry_after": window_seconds,
        "counts": {counter["key"]: counter["add"] for counter in counters},
    }


@pytest.fixture
def service():
    clock = lambda: NOW  # noqa: E731 - a constant clock, read as one
    service = worker_factory(
        UsersService,
        config=CONFIG,
        clock=clock,
        passwords=FAST_PASSWORDS,
        password_min_score=DEFAULT_PASSWORD_MIN_SCORE,
    )
    service.storage.users_count_attempts.side_effect = first_attempts
    service.storage.users_get.return_value = record()
    return service


def test_register_hashes_the_password_and_announces_the_user(service):
    service.storage.users_create.return_value = record()
    user = service.register("alice", "Alice@example.com", "correct horse")
    username, email, password_hash = service.storage.users_create.call_args.args
    assert (username, email) == ("alice", "alice@example.com")
    assert FAST_PASSWORDS.verify(password_hash, "correct horse")
    service.dispatch.assert_called_once_with("user_registered", {"id": 1, "username": "alice"})
    assert tokens.read_token(user["token"], TOKEN_KEY, NOW) == (1, 0)
    assert "password_hash" not in user and "token_version" not in user
    assert "account_key" not in user


def test_register_validates_before_touching_storage(service):
    with pytest.raises(ValidationError):
        service.register("alice", "nope", "correct horse")
    service.storage.users_create.assert_not_called()
    service.dispatch.assert_not_called()


def test_login_with_the_right_password(service):
    service.storage.users_get_credentials.return_value = {
        "user": record(),
        "password_hash": FAST_PASSWORDS.hash("correct horse"),
    }
    user = service.login(" ALICE@example.com", "correct horse")
    service.storage.users_get_credentials.assert_called_once_with("alice@example.com")
    assert user["username"] == "alice" and user["token"]


@pytest.mark.parametrize(
    "credentials", [None, {"user": record(), "password_hash": "$argon2id$bad"}]
)
def test_login_failures_do_not_say_which_part_was_wrong(service, credentials):
    service.storage.users_get_credentials.return_value = credentials
    with pytest.raises(Unauthenticated, match="email or password is invalid"):
        service.login("alice@example.com", "wrong password")


def test_banned_user_cannot_sign_in(service):
    service.storage.users_get_credentials.return_value = {
        "user": record(banned=True),
        "password_hash": FAST_PASSWORDS.hash("correct horse"),
    }
    with pytest.raises(PermissionDenied, match="banned"):
        service.login("alice@example.com", "correct horse")


def test_verify_token_returns_the_user(service):
    token = tokens.issue_token(1, 0, TOKEN_KEY, 60, NOW, account_key=ACCOUNT_KEY)
    service.storage.users_get.return_value = record()
    assert service.verify_token(token)["username"] == "alice"


@pytest.mark.parametrize(
    "stored, message",
    [
        (record(banned=True), "banned"),
        (record(token_version=1), "revoked"),
        (NotFound("user 1 not found"), "no longer exists"),
    ],
)
def test_verify_token_fails_at_once_for_banned_changed_or_deleted_users(service, stored, message):
    token = tokens.issue_token(1, 0, TOKEN_KEY, 60, NOW, account_key=ACCOUNT_KEY)
    if isinstance(stored, Exception):
        service.storage.users_get.side_effect = stored
    else:
        service.storage.users_get.return_value = stored
    with pytest.raises(Unauthenticated, match=message):
        service.verify_token(token)


def test_verify_token_fails_once_expired(service):
    token = tokens.issue_token(1, 0, TOKEN_KEY, 60, NOW - 61, account_key=ACCOUNT_KEY)
    with pytest.raises(Unauthenticated, match="expired"):
        service.verify_token(token)
    service.storage.users_get.assert_not_called()


def credentials(password):
    return {"user": record(), "password_hash": FAST_PASSWORDS.hash(password)}


def test_new_password_revokes_earlier_tokens(service):
    service.storage.users_get_credentials.return_value = credentials("the old password")
    service.storage.users_update.return_value = record(token_version=1)
    user = service.update_user(
        1, {"password": "a new password", "bio": "hi"}, current_password="the old password"
    )
    user_id, changes = service.storage.users_update.call_args.args
    assert changes["bump_token_version"] is True and changes["bio"] == "hi"
    assert FAST_PASSWORDS.verify(changes["password_hash"], "a new password")
    assert "password" not in changes
    assert tokens.read_token(user["token"], TOKEN_KEY, NOW) == (1, 1)
    service.dispatch.assert_called_once_with("user_updated", {"id": 1, "username": "alice"})


def test_sending_the_current_password_again_changes_and_revokes_nothing(service):
    """A password manager may fill in a RealWorld settings form's password field."""
    service.storage.users_get_credentials.return_value = credentials("the same password")
    service.storage.users_update.return_value = record(bio="hi")

    user = service.update_user(1, {"password": "the same password", "bio": "hi"})

    service.storage.users_get_credentials.assert_called_once_with(user_id=1)
    assert service.storage.users_update.call_args.args[1] == {"bio": "hi"}
    assert tokens.read_token(user["token"], TOKEN_KEY, NOW) == (1, 0)


def test_blank_username_email_and_password_are_left_unchanged(service):
    service.storage.users_update.return_value = record()

    service.update_user(1, {"username": "", "email": "  ", "password": "", "bio": "hi"})

    service.storage.users_get_credentials.assert_not_called()
    assert service.storage.users_update.call_args.args[1] == {"bio": "hi"}


def test_profile_changes_without_password_keep_tokens(service):
    service.storage.users_update.return_value = record(bio="hi")
    service.update_user(1, {"bio": "hi"})
    assert service.storage.users_update.call_args.args[1] == {"bio": "hi"}


def test_delete_user_announces_it(service):
    service.storage.users_delete.return_value = {"id": 1, "username": "alice"}
    assert service.delete_user("alice") == {"id": 1, "username": "alice"}
    service.dispatch.assert_called_once_with("user_deleted", {"id": 1, "username": "alice"})


def test_admin_list_shows_ban_state(service):
    service.storage.users_list.return_value = {"users": [record(banned=True)], "users_count": 1}
    listing = service.list_users()
    assert listing["users_count"] == 1 and listing["users"][0]["banned"] is True


def test_a_deleted_users_token_never_opens_a_later_account_with_the_same_id(service):
    """Issue 12 (high): the token names account 1 *and* its key; a new account 1 has another."""
    token = tokens.issue_token(1, 0, TOKEN_KEY, 60, NOW, account_key=ACCOUNT_KEY)
    service.storage.users_get.return_value = record(account_key="b2" * 16, username="mallory")
    with pytest.raises(Unauthenticated, match="no longer exists"):
        service.verify_token(token)


def test_tokens_are_signed_with_the_derived_token_key_not_the_secret_itself(service):
    service.storage.users_create.return_value = record()
    user = service.register("alice", "alice@example.com", "correct horse")
    with pytest.raises(Unauthenticated):
        tokens.read_token(user["token"], CONFIG["SECRET_KEY"], NOW)
    assert tokens.read_token(user["token"], TOKEN_KEY, NOW) == (1, 0)


def test_register_refuses_a_common_password_beside_its_field(service):
    with pytest.raises(ValidationError) as caught:
        service.register("alice", "alice@example.com", "password123")
    assert set(caught.value.errors) == {"password"}
    service.storage.users_create.assert_not_called()


def test_with_password_min_score_0_a_common_password_is_accepted_the_length_still_checked():
    service = worker_factory(
        UsersService,
        config=CONFIG,
        clock=lambda: NOW,
        passwords=FAST_PASSWORDS,
        password_min_score=0,
    )
    service.storage.users_create.return_value = record()
    service.register("alice", "alice@example.com", "password123")
    assert FAST_PASSWORDS.verify(service.storage.users_create.call_args.args[2], "password123")
    with pytest.raises(ValidationError) as caught:
        service.register("alice", "alice@example.com", "pass123")
    assert caught.value.errors["password"] == ["must be 8 to 128 characters"]


def test_a_new_password_must_not_be_guessable(service):
    service.storage.users_get_credentials.return_value = credentials("the old password")
    with pytest.raises(ValidationError) as caught:
        service.update_user(1, {"password": "qwertyuiop"}, current_password="the old password")
    assert set(caught.value.errors) == {"password"}
    service.storage.users_update.assert_not_called()


def test_the_current_password_is_checked_when_sent(service):
    service.storage.users_get_credentials.return_value = credentials("the old password")
    with pytest.raises(ValidationError) as caught:
        service.update_user(1, {"email": "new@example.com"}, current_password="a wrong guess")
    assert caught.value.errors == {"current_password": ["is wrong"]}
    service.storage.users_update.assert_not_called()
    service.storage.users_update.return_value = record(email="new@example.com")
    service.update_user(1, {"email": "new@example.com"}, current_password="the old password")
    service.storage.users_update.assert_called_once()


# -- issue 20: sessions are not API tokens, credentials need the current password ----------


def test_an_api_token_check_refuses_a_browser_session(service):
    with pytest.raises(Unauthenticated, match="not an API token"):
        service.verify_token("sess." + "x" * 43)
    service.storage.users_session_get.assert_not_called()


def test_a_session_check_refuses_an_api_token(service):
    token = tokens.issue_token(1, 0, TOKEN_KEY, 60, NOW, account_key=ACCOUNT_KEY)
    with pytest.raises(Unauthenticated, match="session"):
        service.verify_session(token)
    with pytest.raises(Unauthenticated, match="session"):
        service.end_all_sessions(token)
    service.storage.users_end_all_sessions.assert_not_called()


@pytest.mark.parametrize(
    "changes", [{"email": "new@example.com"}, {"password": "a brand new password"}]
)
def test_a_new_email_or_password_needs_the_current_password(service, changes):
    service.storage.users_get_credentials.return_value = credentials("the old password")
    with pytest.raises(ValidationError) as caught:
        service.update_user(1, changes)
    assert caught.value.errors == {
        "current_password": ["is needed to change the email or password"]
    }
    service.storage.users_update.assert_not_called()


def test_the_unchanged_email_a_realworld_client_sends_needs_no_password(service):
    service.storage.users_update.return_value = record(bio="hi")
    service.update_user(1, {"email": "Alice@Example.com", "password": "", "bio": "hi"})
    service.storage.users_get_credentials.assert_not_called()
    assert service.storage.users_update.call_args.args[1] == {
        "email": "alice@example.com",
        "bio": "hi",
    }


@pytest.mark.parametrize(
    "username, email, password",
    [
        ("zebulon77", "zeb@example.com", "zebulon77"),
        ("q", "quintessa1@example.com", "quintessa1"),
    ],
)
def test_a_password_made_of_the_unchanged_username_or_email_is_refused(
    service, username, email, password
):
    """Issue 20 (6): registration and settings both know the account's username and email."""
    service.storage.users_get.return_value = record(username=username, email=email)
    service.storage.users_get_credentials.return_value = credentials("the old password")
    with pytest.raises(ValidationError) as caught:
        service.update_user(
            1, {"password": password, "bio": "hi"}, current_password="the old password"
        )
    assert set(caught.value.errors) == {"password"}
    service.storage.users_update.assert_not_called()
