"""Issue 12 on the real services, broker and databases (SQLite and PostgreSQL): ids are
never reused, and nothing issued to a deleted account opens a later one."""

import time

import pytest
import sqlalchemy as sa
from nameko.testing.services import replace_dependencies
from nameko.testing.utils import get_container

from common.errors import Unauthenticated, ValidationError
from services.blog import BlogService
from services.database import migrations
from services.storage import StorageService
from services.users import UsersService

PASSWORD = "correct horse battery"

WINDOW_SECONDS = 300


class FixedClock:
    """A users service's clock that stands at ``now`` (the start of a rate-limit window)
    until the test moves it: attempts are counted in one window, and sessions expire,
    when the test says, however long it takes on the wall clock."""

    def __init__(self):
        self.now = int(time.time()) // WINDOW_SECONDS * WINDOW_SECONDS

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def runner(runner_factory, service_config):
    runner = runner_factory(service_config, StorageService, UsersService, BlogService)
    runner.start()
    return runner


def register(rpc, name):
    return rpc.users.register(username=name, email=f"{name}@example.com", password=PASSWORD)


def test_the_id_of_a_deleted_user_is_never_given_again(runner, rpc):
    register(rpc, "alice")
    bob = register(rpc, "bob")
    rpc.users.delete_user(username="bob")
    carol = register(rpc, "carol")
    assert carol["id"] > bob["id"]


def test_a_deleted_users_token_never_opens_the_next_account(runner, rpc):
    alice = register(rpc, "alice")
    rpc.users.delete_user(username="alice")
    register(rpc, "mallory")
    with pytest.raises(Unauthenticated):
        rpc.users.verify_token(token=alice["token"])


def test_a_token_names_its_account_even_when_an_id_comes_back(runner, rpc, database_uris):
    """Even if an id were reused (a restore of an old backup, a hand-edited database), the
    account key in the token tells the accounts apart."""
    alice = register(rpc, "alice")
    rpc.users.delete_user(username="alice")
    engine = sa.create_engine(database_uris["users"])
    with engine.begin() as connection:  # a new account forced onto alice's old id
        connection.execute(
            sa.text(
                "INSERT INTO users (id, username, email, password_hash, banned, token_version, "
                "account_key, created_at, updated_at) VALUES (:id, 'mallory', 'm@example.com', "
                "'x', false, 0, :key, '2026-01-01', '2026-01-01')"
            ),
            {"id": alice["id"], "key": "f" * 32},
        )
    engine.dispose()
    with pytest.raises(Unauthenticated, match="no longer exists"):
        rpc.users.verify_token(token=alice["token"])


def test_the_migration_keeps_users_and_follows_and_gives_each_a_key(tmp_path):
    uri = f"sqlite:///{tmp_path / 'users.db'}"
    migrations.upgrade("users", uri, "0001")
    engine = sa.create_engine(uri)
    with engine.begin() as connection:
        for name in ("a", "b", "c"):
            connection.execute(
                sa.text(
                    "INSERT INTO users (username, email, password_hash, banned, token_version, "
                    "created_at, updated_at) VALUES (:name, :email, 'h', 0, 0, '2026-01-01', "
                    "'2026-01-01')"
                ),
                {"name": name, "email": f"{name}@example.com"},
            )
        connection.execute(sa.text("INSERT INTO follows VALUES (1, 3, '2026-01-01')"))
    migrations.upgrade("users", uri)
    with engine.begin() as connection:
        rows = connection.execute(sa.text("SELECT id, account_key FROM users ORDER BY id")).all()
        assert [row.id for row in rows] == [1, 2, 3]
        assert len({row.account_key for row in rows}) == 3
        assert all(len(row.account_key) == 32 for row in rows)
        assert connection.execute(sa.text("SELECT * FROM follows")).all()[0][:2] == (1, 3)
        connection.execute(sa.text("DELETE FROM follows"))
        connection.execute(sa.text("DELETE FROM users WHERE id = 3"))
        connection.execute(
            sa.text(
                "INSERT INTO users (username, email, password_hash, banned, token_version, "
                "account_key, created_at, updated_at) VALUES ('d', 'd@example.com', 'h', 0, 0, "
                "'k', '2026-01-01', '2026-01-01')"
            )
        )
        assert connection.execute(sa.text("SELECT max(id) FROM users")).scalar() == 4
    engine.dispose()


# -- browser sessions (issue 12, medium) ------------------------------------------


def test_an_ended_session_never_works_again(runner, rpc):
    alice = register(rpc, "alice")
    started = rpc.users.start_session(token=alice["token"])
    assert started["token"].startswith("sess.") and started["expires_in"] > 0
    assert rpc.users.verify_session(token=started["token"])["id"] == alice["id"]
    rpc.users.end_session(token=started["token"])
    with pytest.raises(Unauthenticated, match="ended"):
        rpc.users.verify_session(token=started["token"])
    rpc.users.end_session(token=started["token"])  # twice is harmless


def test_signing_out_everywhere_ends_every_session_and_token(runner, rpc):
    alice = register(rpc, "alice")
    here = rpc.users.start_session(token=alice["token"])["token"]
    elsewhere = rpc.users.start_session(token=alice["token"])["token"]
    bob = register(rpc, "bob")
    bobs = rpc.users.start_session(token=bob["token"])["token"]

    rpc.users.end_all_sessions(token=here)

    for ended in (here, elsewhere):
        with pytest.raises(Unauthenticated):
            rpc.users.verify_session(token=ended)
    with pytest.raises(Unauthenticated):
        rpc.users.verify_token(token=alice["token"])
    assert rpc.users.verify_session(token=bobs)["username"] == "bob"


def test_a_password_change_ban_or_delete_ends_sessions(runner, rpc):
    alice = register(rpc, "alice")
    session = rpc.users.start_session(token=alice["token"])["token"]
    rpc.users.update_user(
        user_id=alice["id"], changes={"password": "another password"}, current_password=PASSWORD
    )
    with pytest.raises(Unauthenticated, match="revoked"):
        rpc.users.verify_session(token=session)
    bob = register(rpc, "bob")
    session = rpc.users.start_session(token=bob["token"])["token"]
    rpc.users.ban_user(username="bob")
    with pytest.raises(Unauthenticated):
        rpc.users.verify_session(token=session)
    carol = register(rpc, "carol")
    session = rpc.users.start_session(token=carol["token"])["token"]
    rpc.users.delete_user(username="carol")
    register(rpc, "mallory")
    with pytest.raises(Unauthenticated):
        rpc.users.verify_session(token=session)


def test_a_session_cannot_be_started_from_a_forged_or_session_token(runner, rpc):
    alice = register(rpc, "alice")
    session = rpc.users.start_session(token=alice["token"])["token"]
    for token in ("sess.guessed", session, alice["token"] + "x"):
        with pytest.raises(Unauthenticated):
            rpc.users.start_session(token=token)


@pytest.fixture
def short_sessions(runner_factory, service_config, clock):
    config = {**service_config, "SESSION_LIFETIME_SECONDS": 2}
    runner = runner_factory(config, StorageService, UsersService, BlogService)
    replace_dependencies(get_container(runner, UsersService), clock=clock)
    runner.start()
    return runner


def test_an_idle_session_expires(short_sessions, rpc, clock):
    alice = register(rpc, "alice")
    session = rpc.users.start_session(token=alice["token"])["token"]
    assert rpc.users.verify_session(token=session)["id"] == alice["id"]
    clock.now += 2.5
    with pytest.raises(Unauthenticated, match="expired"):
        rpc.users.verify_session(token=session)


# -- rate limits (issue 12, medium) -------------------------------------------------


@pytest.fixture
def two_users_instances(container_factory, service_config, clock):
    """Storage and blog once, the users service twice (on ``clock``): instances share the
    work."""
    config = {
        **service_config,
        "RATE_LIMITS": {
            "WINDOW_SECONDS": WINDOW_SECONDS,
            "LOGIN_PER_ACCOUNT": 5,
            "LOGIN_PER_ADDRESS": 8,
            "REGISTER_PER_ACCOUNT": 5,
            "REGISTER_PER_ADDRESS": 3,
        },
    }
    for service in (StorageService, BlogService, UsersService, UsersService):
        container = container_factory(service, config)
        if service is UsersService:
            replace_dependencies(container, clock=clock)
        container.start()


def test_login_attempts_per_account_are_limited_across_instances(two_users_instances, rpc):
    from common.errors import TooManyRequests

    register(rpc, "alice")
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            rpc.users.login(email="alice@example.com", password="wrong guess")
    with pytest.raises(TooManyRequests) as caught:
        rpc.users.login(email="alice@example.com", password=PASSWORD)  # even the right one
    assert caught.value.retry_after == WINDOW_SECONDS
    # another account is not limited by alice's
    register(rpc, "bob")
    assert rpc.users.login(email="bob@example.com", password=PASSWORD)["username"] == "bob"


def test_the_counts_start_again_in_the_next_window(two_users_instances, rpc, clock):
    from common.errors import TooManyRequests

    register(rpc, "alice")
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            rpc.users.login(email="alice@example.com", password="wrong guess")
    clock.now += WINDOW_SECONDS - 1
    with pytest.raises(TooManyRequests) as caught:
        rpc.users.login(email="alice@example.com", password=PASSWORD)
    assert caught.value.retry_after == 1
    clock.now += 1
    assert rpc.users.login(email="alice@example.com", password=PASSWORD)["username"] == "alice"


def test_login_and_registration_per_address_are_limited(two_users_instances, rpc):
    from common.errors import TooManyRequests

    for number in range(3):
        rpc.users.register(
            username=f"user{number}",
            email=f"user{number}@example.com",
            password=PASSWORD,
            client_address="203.0.113.7",
        )
    with pytest.raises(TooManyRequests):
        rpc.users.register(
            username="user9",
            email="user9@example.com",
            password=PASSWORD,
            client_address="203.0.113.7",
        )
    assert (
        rpc.users.register(
            username="user8",
            email="user8@example.com",
            password=PASSWORD,
            client_address="198.51.100.1",
        )["username"]
        == "user8"
    )
    for number in range(8):
        with pytest.raises(Unauthenticated):
            rpc.users.login(
                email=f"nobody{number}@example.com", password="x", client_address="203.0.113.7"
            )
    with pytest.raises(TooManyRequests):
        rpc.users.login(email="user0@example.com", password=PASSWORD, client_address="203.0.113.7")


# -- no lock-out of others, limited probing (issue 20) ------------------------------------


@pytest.fixture
def low_limits(runner_factory, service_config, clock):
    config = {
        **service_config,
        "RATE_LIMITS": {
            "WINDOW_SECONDS": WINDOW_SECONDS,
            "LOGIN_PER_ACCOUNT": 4,
            "LOGIN_PER_ACCOUNT_AND_ADDRESS": 6,
            "LOGIN_SLOWED_PER_ACCOUNT_AND_ADDRESS": 3,
            "LOGIN_PER_ADDRESS": 100,
            "REGISTER_PER_ACCOUNT": 50,
            "REGISTER_PER_ADDRESS": 4,
        },
    }
    runner = runner_factory(config, StorageService, UsersService, BlogService)
    replace_dependencies(get_container(runner, UsersService), clock=clock)
    runner.start()
    return runner


def login_answers(rpc, email, password, address, times):
    """What ``times`` sign-ins answer: the user's id, 401 or 429."""
    from common.errors import TooManyRequests

    answers = []
    for _ in range(times):
        try:
            answers.append(
                rpc.users.login(email=email, password=password, client_address=address)["id"]
            )
        except Unauthenticated:
            answers.append(401)
        except TooManyRequests:
            answers.append(429)
    return answers


def test_a_guessing_address_does_not_lock_the_owner_out(low_limits, rpc):
    alice = register(rpc, "alice")
    attacker, second_attacker, owner = "203.0.113.66", "203.0.113.67", "198.51.100.20"

    assert login_answers(rpc, alice["email"], "wrong guess", attacker, 8) == [401] * 4 + [429] * 4

    # the owner signs in from an address that has not been guessing, and changes the password
    assert login_answers(rpc, alice["email"], PASSWORD, owner, 1) == [alice["id"]]
    changed = rpc.users.update_user(
        user_id=alice["id"],
        changes={"password": "new staple gun"},
        current_password=PASSWORD,
        client_address=owner,
    )
    assert rpc.users.verify_token(token=changed["token"])["id"] == alice["id"]
    assert login_answers(rpc, alice["email"], "new staple gun", owner, 1) == [alice["id"]]
    # the attacker stays limited, even with the right password, and another address of
    # theirs gets the few guesses of a slowed-down account
    assert login_answers(rpc, alice["email"], "new staple gun", attacker, 1) == [429]
    assert login_answers(rpc, alice["email"], "wrong guess", second_attacker, 5) == [
        401,
        401,
        401,
        429,
        429,
    ]


def test_probing_which_emails_are_registered_is_limited_per_address(low_limits, rpc):
    """Refused registrations count: taken emails and invalid fields alike."""
    from common.errors import Conflict, TooManyRequests

    register(rpc, "alice")
    prober = "203.0.113.9"
    for number in range(2):
        with pytest.raises(Conflict):
            rpc.users.register(
                username=f"probe{number}",
                email="alice@example.com",
                password=PASSWORD,
                client_address=prober,
            )
        with pytest.raises(ValidationError):
            rpc.users.register(
                username="x",
                email=f"probe{number}@example.com",
                password=PASSWORD,
                client_address=prober,
            )
    with pytest.raises(TooManyRequests):
        rpc.users.register(
            username="probe9", email="probe9@example.com", password=PASSWORD, client_address=prober
        )
    assert (
        rpc.users.register(
            username="carol",
            email="carol@example.com",
            password=PASSWORD,
            client_address="198.51.100.1",
        )["username"]
        == "carol"
    )


def test_the_settings_answer_no_email_question_without_the_password(low_limits, rpc):
    """A stolen token cannot probe emails through the settings: a new email needs the
    current password, and each check counts against the sign-in limits."""
    from common.errors import Conflict, TooManyRequests

    register(rpc, "alice")
    bob = register(rpc, "bob")
    with pytest.raises(ValidationError) as caught:
        rpc.users.update_user(user_id=bob["id"], changes={"email": "alice@example.com"})
    assert set(caught.value.errors) == {"current_password"}
    for _ in range(6):
        with pytest.raises(Conflict):
            rpc.users.update_user(
                user_id=bob["id"],
                changes={"email": "alice@example.com"},
                current_password=PASSWORD,
                client_address="203.0.113.9",
            )
    with pytest.raises(TooManyRequests):
        rpc.users.update_user(
            user_id=bob["id"],
            changes={"email": "alice@example.com"},
            current_password=PASSWORD,
            client_address="203.0.113.9",
        )


# -- files readable by their owner only (issue 12, low) -------------------------------


def test_database_files_and_backups_are_owner_only(runner, rpc, service_config, database_uris):
    import os
    import stat
    from pathlib import Path

    register(rpc, "alice")
    summary = rpc.storage.backup()
    backup_root = Path(service_config["BACKUP"]["DIR"])

    def mode(path):
        return stat.S_IMODE(os.stat(path).st_mode)

    assert mode(backup_root) == 0o700
    for root, _folders, files in os.walk(backup_root / summary["id"]):
        assert mode(root) == 0o700, root
        for name in files:
            assert mode(os.path.join(root, name)) == 0o600, name
    for uri in database_uris.values():
        if uri.startswith("sqlite"):
            path = uri.removeprefix("sqlite:///")
            for candidate in (path, f"{path}-wal", f"{path}-shm"):
                if os.path.exists(candidate):
                    assert mode(candidate) == 0o600, candidate


def test_a_sqlite_file_made_by_migration_is_owner_only_whatever_the_umask(tmp_path):
    import os
    import stat

    previous = os.umask(0o022)
    try:
        migrations.upgrade("users", f"sqlite:///{tmp_path / 'fresh.db'}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "fresh.db").st_mode) == 0o600
