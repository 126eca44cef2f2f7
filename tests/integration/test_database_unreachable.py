"""A database that cannot be reached is a clear ``ServiceUnavailable`` naming it,
reported by ``health()``, while the other database keeps working."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.database import migrations
from services.errors import ServiceUnavailable
from services.storage import StorageService
from services.database.models import BlogBase, UsersBase

CLOSED_PORT_URI = "postgresql+pg8000://postgres@127.0.0.1:9/nowhere"


@pytest.fixture
def storage_without_users_database(container_factory, rabbit_config, tmp_path):
    blog_uri = f"sqlite:///{tmp_path / 'blog.db'}"
    migrations.upgrade("blog", blog_uri)
    config = {
        **rabbit_config,
        "DB_URIS": {
            f"storage:{UsersBase.__name__}": CLOSED_PORT_URI,
            f"storage:{BlogBase.__name__}": blog_uri,
        },
        "BACKUP": {"DIR": str(tmp_path / "backups"), "KEEP": 1, "INTERVAL_SECONDS": 0},
    }
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
