"""A database that cannot be reached is a clear ``ServiceUnavailable`` naming it,
reported by ``health()``, while the other database keeps working; the admin
operations (backup, stats, restore) reach ``blogadmin`` as that clear message
too, not as a ``RemoteError`` traceback."""

import io

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from admin import blogadmin
from common.errors import ServiceUnavailable
from rpc_client.client import RpcClient
from services.database import migrations
from services.storage import StorageService
from tests.integration.conftest import migrated, services_config, sqlite_uris

CLOSED_PORT_URI = "postgresql+pg8000://postgres@127.0.0.1:9/nowhere"


def storage_config(rabbit_config, tmp_path, users_uri):
    """Storage on a migrated SQLite blog database and ``users_uri``; backups in ``tmp_path``."""
    blog_uri = f"sqlite:///{tmp_path / 'blog.db'}"
    migrations.upgrade("blog", blog_uri)
    return services_config(
        rabbit_config,
        {"users": users_uri, "blog": blog_uri},
        tmp_path / "backups",
        KEEP=1,
        INTERVAL_SECONDS=0,
    )


@pytest.fixture
def storage_without_users_database(container_factory, rabbit_config, tmp_path):
    config = storage_config(rabbit_config, tmp_path, CLOSED_PORT_URI)
    container = container_factory(StorageService, config)
    container.start()
    return config


def test_unreachable_database_is_a_clear_error(storage_without_users_database):
    with ClusterRpcProxy(storage_without_users_database, timeout=20) as rpc:
        with pytest.raises(ServiceUnavailable, match="the users database is unavailable"):
            rpc.storage.users_get(user_id=1)
        with pytest.raises(ServiceUnavailable, match="the users database is unavailable"):
            rpc.storage.users_create(username="a", email="a@example.com", password_hash="x")
        health = rpc.storage.health()
        assert health["users"]["ok"] is False and health["users"]["error"]
        assert health["blog"]["ok"] is True
        assert rpc.storage.blog_list_tags() == []


def test_outage_during_backup_stats_and_restore_reaches_blogadmin_as_a_clear_message(
    container_factory, rabbit_config, tmp_path, capsys
):
    users_uri = migrated(sqlite_uris(tmp_path))["users"]
    healthy = container_factory(StorageService, storage_config(rabbit_config, tmp_path, users_uri))
    healthy.start()
    config = storage_config(rabbit_config, tmp_path, CLOSED_PORT_URI)
    client = RpcClient(config, timeout=20)
    try:
        assert blogadmin.main(["backup"], rpc=client, out=io.StringIO()) == 0
        backup_id = client.storage.list_backups()[0]["id"]
        healthy.stop()
        container_factory(StorageService, config).start()
        capsys.readouterr()
        for command in (["backup"], ["stats"], ["restore", backup_id, "--yes"]):
            assert blogadmin.main(command, rpc=client, out=io.StringIO()) == 2, command
            assert capsys.readouterr().err.splitlines()[-1] == (
                "error: the users database is unavailable"
            ), command
    finally:
        client.close()
