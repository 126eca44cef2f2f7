"""Issue 12 on the real services, broker and databases (SQLite and PostgreSQL): ids are
never reused, and nothing issued to a deleted account opens a later one."""
import pytest
import sqlalchemy as sa

from services.blog import BlogService
from services.database import migrations
from services.errors import Unauthenticated
from services.storage import StorageService
from services.users import UsersService

PASSWORD = "correct horse battery"


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
        connection.execute(sa.text(
            "INSERT INTO users (id, username, email, password_hash, banned, token_version, "
            "account_key, created_at, updated_at) VALUES (:id, 'mallory', 'm@example.com', "
            "'x', false, 0, :key, '2026-01-01', '2026-01-01')"), {"id": alice["id"], "key": "f" * 32})
    engine.dispose()
    with pytest.raises(Unauthenticated, match="no longer exists"):
        rpc.users.verify_token(token=alice["token"])


def test_the_migration_keeps_users_and_follows_and_gives_each_a_key(tmp_path):
    uri = f"sqlite:///{tmp_path / 'users.db'}"
    migrations.upgrade("users", uri, "0001")
    engine = sa.create_engine(uri)
    with engine.begin() as connection:
        for name in ("a", "b", "c"):
            connection.execute(sa.text(
                "INSERT INTO users (username, email, password_hash, banned, token_version, "
                "created_at, updated_at) VALUES (:name, :email, 'h', 0, 0, '2026-01-01', "
                "'2026-01-01')"), {"name": name, "email": f"{name}@example.com"})
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
        connection.execute(sa.text(
            "INSERT INTO users (username, email, password_hash, banned, token_version, "
            "account_key, created_at, updated_at) VALUES ('d', 'd@example.com', 'h', 0, 0, "
            "'k', '2026-01-01', '2026-01-01')"))
        assert connection.execute(sa.text("SELECT max(id) FROM users")).scalar() == 4
    engine.dispose()
