"""Account rules: validation messages per field, passwords and tokens."""

import jwt
import pytest
from argon2 import PasswordHasher

from common.errors import Unauthenticated, ValidationError
from services.accounts import rate_limits, tokens
from services.accounts import rules as account_rules
from services.accounts.passwords import Passwords
from services.users import UsersService

SECRET = "unit-test-secret-of-at-least-32-bytes"


def test_registration_is_normalised():
    fields = account_rules.validate_registration(" alice ", " Alice@Example.COM ", "correct horse")
    assert fields == {
        "username": "alice",
        "email": "alice@example.com",
        "password": "correct horse",
    }


def test_registration_reports_every_field_at_once():
    with pytest.raises(ValidationError) as caught:
        account_rules.validate_registration("a", "not-an-email", "short")
    assert caught.value.errors == {
        "username": ["must be 3 to 40 characters"],
        "email": ["is not a valid email address"],
        "password": ["must be 8 to 128 characters"],
    }


@pytest.mark.parametrize(
    "username, message",
    [
        ("", "can't be blank"),
        (None, "can't be blank"),
        (42, "must be a string"),
        ("bad name", "may contain only letters, digits, '_' and '-'"),
        ("x" * 41, "must be 3 to 40 characters"),
    ],
)
def test_username_messages(username, message):
    with pytest.raises(ValidationError) as caught:
        account_rules.validate_registration(username, "a@example.com", "password1")
    assert caught.value.errors == {"username": [message]}


def test_changes_reject_unknown_fields_and_bad_image():
    with pytest.raises(ValidationError) as caught:
        account_rules.validate_changes({"is_admin": True})
    assert caught.value.errors == {"is_admin": ["is not a field that can be changed"]}
    with pytest.raises(ValidationError) as caught:
        account_rules.validate_changes({"image": "javascript:alert(1)"})
    assert caught.value.errors == {"image": ["must be an http or https URL"]}


def test_changes_clear_bio_and_image_with_empty_strings():
    assert account_rules.validate_changes({"bio": "  ", "image": ""}) == {
        "bio": None,
        "image": None,
    }


def test_changes_leave_blank_username_email_and_password_unchanged():
    changes = {"username": "", "email": " ", "password": None, "bio": "hi"}
    assert account_rules.validate_changes(changes) == {"bio": "hi"}
    with pytest.raises(ValidationError) as caught:
        account_rules.validate_changes({"username": "x", "password": "short"})
    assert set(caught.value.errors) == {"username", "password"}


def test_passwords_verify_only_the_right_password():
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    password_hash = passwords.hash("correct horse")
    assert password_hash.startswith("$argon2id$")
    assert passwords.verify(password_hash, "correct horse")
    assert not passwords.verify(password_hash, "wrong horse")
    assert not passwords.verify(None, "correct horse")
    assert not passwords.verify("not a hash", "correct horse")


def test_token_round_trip():
    token = tokens.issue_token(7, 3, SECRET, ttl_seconds=60, now=1000)
    assert tokens.read_token(token, SECRET, now=1059) == (7, 3)


def test_token_expires():
    token = tokens.issue_token(7, 0, SECRET, ttl_seconds=60, now=1000)
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.read_token(token, SECRET, now=1060)


@pytest.mark.parametrize("token", ["", None, "garbage", tokens.issue_token(1, 0, "other", 60, 0)])
def test_bad_tokens_are_refused(token):
    with pytest.raises(Unauthenticated):
        tokens.read_token(token, SECRET, now=1)


def test_banned_or_superseded_tokens_are_revoked():
    key = "k" * 32
    tokens.check_token_holder({"banned": False, "token_version": 2, "account_key": key}, 2, key)
    with pytest.raises(Unauthenticated, match="banned"):
        tokens.check_token_holder({"banned": True, "token_version": 2, "account_key": key}, 2, key)
    with pytest.raises(Unauthenticated, match="revoked"):
        tokens.check_token_holder({"banned": False, "token_version": 3, "account_key": key}, 2, key)


@pytest.mark.parametrize("token_key", [None, "", "another account's key"])
def test_a_token_never_works_for_another_account_with_the_same_id(token_key):
    """Issue 12 (high): a deleted user's token must not open a later account that got its id."""
    record = {"banned": False, "token_version": 0, "account_key": "the new account's key"}
    with pytest.raises(Unauthenticated, match="no longer exists"):
        tokens.check_token_holder(record, 0, token_key)


def test_tokens_carry_and_check_issuer_and_audience():
    token = tokens.issue_token(7, 0, SECRET, 60, 1000, account_key="k")
    claims = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience="conduit", options={"verify_exp": False}
    )
    assert (claims["iss"], claims["aud"], claims["key"]) == ("conduit-users", "conduit", "k")
    for wrong in ({"iss": "someone-else"}, {"aud": "another-app"}, {"iss": None}, {"aud": None}):
        forged = {**claims, **wrong}
        forged = {name: value for name, value in forged.items() if value is not None}
        with pytest.raises(Unauthenticated, match="invalid"):
            tokens.read_claims(jwt.encode(forged, SECRET, algorithm="HS256"), SECRET, now=1001)


@pytest.mark.parametrize(
    "password",
    [
        "password123",
        "12345678",
        "qwertyuiop",
        "iloveyou1",
        "passwordpassword",
        "aaaaaaaaaaaa",
    ],
)
def test_common_and_guessable_passwords_are_refused(password):
    with pytest.raises(ValidationError) as caught:
        account_rules.refuse_guessable_password(password)
    assert list(caught.value.errors) == ["password"]
    assert caught.value.errors["password"][0].startswith("is too common or too easy to guess")


def test_a_password_made_of_the_username_or_email_is_refused():
    with pytest.raises(ValidationError):
        account_rules.refuse_guessable_password("zebulon77", ("zebulon77", "zeb@example.com"))
    with pytest.raises(ValidationError):
        account_rules.refuse_guessable_password("quintessa1", ("q", "quintessa1@example.com"))


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "analytical engine", "secret-pass", "K7#q-tundra-" + "x" * 120],
)
def test_unpredictable_passwords_pass(password):
    assert account_rules.refuse_guessable_password(password) == password


# -- issue 20: password guessing is slowed per account, limited per account and address ---


def login_answer(config, email, address, pair_attempts, account_failures):
    """``login_allowed`` for the ``pair_attempts``-th attempt of ``address`` on ``email``
    when the account has had ``account_failures`` wrong passwords in the window."""
    counters = rate_limits.login_counters(config, email, address)
    counts = {counters[0]["key"]: pair_attempts, counters[1]["key"]: account_failures}
    if address:
        counts[counters[2]["key"]] = pair_attempts
    allowed = pair_attempts <= rate_limits.settings(config)["LOGIN_PER_ACCOUNT_AND_ADDRESS"]
    return rate_limits.login_allowed(
        config, counters, {"allowed": allowed, "retry_after": 60, "counts": counts}
    )


def test_an_account_under_guessing_is_slowed_down_not_closed():
    config = {
        "RATE_LIMITS": {
            "LOGIN_PER_ACCOUNT": 10,
            "LOGIN_PER_ACCOUNT_AND_ADDRESS": 10,
            "LOGIN_SLOWED_PER_ACCOUNT_AND_ADDRESS": 3,
        }
    }
    assert login_answer(config, "ann@example.com", "203.0.113.7", 10, 9)
    assert not login_answer(config, "ann@example.com", "203.0.113.7", 11, 10)
    # the account had ten wrong passwords: an address that has not been guessing still
    # gets its few attempts, a guesser only those few per address
    assert login_answer(config, "ann@example.com", "198.51.100.1", 1, 500)
    assert login_answer(config, "ann@example.com", "198.51.100.1", 3, 500)
    assert not login_answer(config, "ann@example.com", "198.51.100.1", 4, 500)


def test_the_counters_of_an_account_and_address_are_apart_from_other_pairs():
    keys = {
        rate_limits.login_counters({}, email, address)[0]["key"]
        for email in ("ann@example.com", "bob@example.com")
        for address in ("203.0.113.7", "198.51.100.1", None)
    }
    assert len(keys) == 6


def test_min_score_0_turns_the_guessability_check_off():
    assert account_rules.refuse_guessable_password("password123", min_score=0) == "password123"
    assert (
        account_rules.refuse_guessable_password("password123", ("password123",), min_score=0)
        == "password123"
    )


def test_a_higher_min_score_refuses_what_the_default_accepts():
    assert account_rules.refuse_guessable_password("secret-pass") == "secret-pass"
    with pytest.raises(ValidationError):
        account_rules.refuse_guessable_password("secret-pass", min_score=4)


@pytest.mark.parametrize(
    "configured, score",
    [
        ({}, account_rules.DEFAULT_PASSWORD_MIN_SCORE),
        ({"PASSWORD_MIN_SCORE": 0}, 0),
        ({"PASSWORD_MIN_SCORE": 4}, 4),
        ({"PASSWORD_MIN_SCORE": " 3 "}, 3),
    ],
)
def test_password_min_score_is_read_from_the_config(configured, score):
    assert account_rules.password_min_score(configured) == score


@pytest.mark.parametrize("value", [-1, 5, 2.5, "strong", "", None, True, [2]])
def test_an_invalid_password_min_score_is_refused_with_what_is_allowed(value):
    with pytest.raises(ValueError, match=r"PASSWORD_MIN_SCORE must be a whole number from 0 to 4"):
        account_rules.password_min_score({"PASSWORD_MIN_SCORE": value})


def test_the_users_service_refuses_to_start_with_an_invalid_password_min_score():
    class Container:
        service_name = "users"
        config = {"PASSWORD_MIN_SCORE": 7}

    container = Container()  # a provider holds its container weakly
    provider = UsersService.password_min_score.bind(container, "password_min_score")
    with pytest.raises(ValueError, match="PASSWORD_MIN_SCORE .* not 7"):
        provider.setup()
    container.config = {"PASSWORD_MIN_SCORE": 0}
    provider.setup()
    assert provider.get_dependency(worker_ctx=None) == 0
