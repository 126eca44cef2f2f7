"""Fixtures of the integration tests: real RabbitMQ (nameko's ``rabbit_config``,
one virtual host per test), real databases (SQLite files, and PostgreSQL when
it answers on 127.0.0.1:5432), migrated with the project's Alembic migrations."""

import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.database import migrations
from services.database.models import BlogBase, UsersBase
from tests.support.postgres import postgres_reachable, unreachable_reason, users_and_blog_databases

PASSWORD = "correct horse battery"


def register(rpc, name):
    """Register ``name`` (email ``<name>@example.com``, password ``PASSWORD``) over RPC."""
    return rpc.users.register(username=name, email=f"{name}@example.com", password=PASSWORD)


def sqlite_uris(folder):
    return [f"sqlite:///{folder / 'users.db'}", f"sqlite:///{folder / 'blog.db'}"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_uris(request, tmp_path):
    """``{"users": uri, "blog": uri}`` of two fresh, migrated databases of one engine."""
    if request.param == "sqlite":
        uris = sqlite_uris(tmp_path)
        yield migrated(uris)
        return
    if not postgres_reachable():
        pytest.skip(unreachable_reason())
    with users_and_blog_databases() as uris:
        yield migrated(uris)


def migrated(uris):
    users_uri, blog_uri = uris
    migrations.upgrade("users", users_uri)
    migrations.upgrade("blog", blog_uri)
    return {"users": users_uri, "blog": blog_uri}


@pytest.fixture
def service_config(rabbit_config, database_uris, tmp_path):
    """nameko config for the services: this test's vhost and databases."""
    return services_config(rabbit_config, database_uris, tmp_path / "backups")


def services_config(rabbit_config, uris, backup_dir, **backup):
    """nameko config on ``rabbit_config``'s vhost for the databases ``uris``;
    ``backup`` overrides the ``BACKUP`` section (KEEP, INTERVAL_SECONDS)."""
    return {
        **rabbit_config,
        "DB_URIS": {
            f"storage:{UsersBase.__name__}": uris["users"],
            f"storage:{BlogBase.__name__}": uris["blog"],
        },
        "SECRET_KEY": "integration-secret-of-at-least-32-bytes",
        "TOKEN_TTL_SECONDS": 3600,
        "RPC_TIMEOUT": 10,
        "BACKUP": {"DIR": str(backup_dir), "KEEP": 3, "INTERVAL_SECONDS": 3600, **backup},
    }


@pytest.fixture
def make_databases(tmp_path):
    """``make_databases("sqlite" | "postgresql")``: a new pair of migrated databases
    (``{"users": uri, "blog": uri}``) each call, dropped at the end of the test."""
    with ExitStack() as cleanup:

        def make(engine):
            if engine == "sqlite":
                return migrated(sqlite_uris(Path(tempfile.mkdtemp(dir=tmp_path))))
            if not postgres_reachable():
                pytest.skip(unreachable_reason())
            return migrated(cleanup.enter_context(users_and_blog_databases()))

        yield make


@pytest.fixture
def config_for(rabbit_config, tmp_path):
    """``config_for(uris, **backup)``: service config for the databases ``uris``; all
    configs of one test share its vhost and backup directory."""
    return lambda uris, **backup: services_config(
        rabbit_config, uris, tmp_path / "backups", **backup
    )


@pytest.fixture
def rpc(service_config):
    """A standalone RPC client on this test's vhost."""
    with ClusterRpcProxy(service_config, timeout=20) as proxy:
        yield proxy
