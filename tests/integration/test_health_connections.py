"""The gateway's /healthz on a real broker with the three services running: its checks
go through the gateway's pooled client, so a flood of them opens no broker connection."""

import amqp
import pytest

from gateway.app import create_app
from services.blog import BlogService
from services.storage import StorageService
from services.users import UsersService


@pytest.fixture
def gateway(runner_factory, service_config):
    runner_factory(service_config, StorageService, UsersService, BlogService).start()
    app = create_app({**service_config, "READ_CACHE_SECONDS": 0, "GATEWAY": {"HEALTH_TIMEOUT": 10}})
    yield app.test_client()
    app.extensions["health_rpc"].close()
    app.extensions["rpc"].close()


def test_many_health_checks_open_no_new_broker_connection(gateway, monkeypatch):
    assert gateway.get("/healthz").status_code == 200  # the pool's one connection opens
    opened = []
    connect = amqp.Connection.connect

    def counted(connection, *args, **kwargs):
        opened.append(connection.host)
        return connect(connection, *args, **kwargs)

    monkeypatch.setattr(amqp.Connection, "connect", counted)
    statuses = [gateway.get("/healthz").status_code for _ in range(20)]

    assert statuses == [200] * 20
    assert opened == []
