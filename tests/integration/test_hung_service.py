"""A downstream service that hangs or has never started is ``ServiceUnavailable``
(503 at the web tier): after ``RPC_TIMEOUT`` instead of waiting forever
(nameko's own ``RpcProxy`` has no timeout), and at once instead of a
``RemoteError`` (500) when its queue does not exist yet."""

import time

import eventlet
import pytest
from nameko.rpc import rpc

from common.errors import ServiceUnavailable
from services.blog import BlogService
from tests.integration.conftest import migrated, sqlite_uris


class HungStorageService:
    """Stands in for the storage service and never answers in time."""

    name = "storage"

    @rpc
    def blog_create_article(self, *args, **kwargs):
        eventlet.sleep(30)


@pytest.fixture
def database_uris(tmp_path):
    """SQLite only: the behaviour under test is the RPC timeout, not the database."""
    return migrated(sqlite_uris(tmp_path))


def test_blog_gives_up_on_a_hung_storage_service(runner_factory, service_config, rpc):
    config = {**service_config, "RPC_TIMEOUT": 1}
    runner = runner_factory(config, BlogService, HungStorageService)
    runner.start()
    started = time.monotonic()
    with pytest.raises(
        ServiceUnavailable, match="the storage service did not answer within 1 seconds"
    ):
        rpc.blog.create_article(author_id=1, title="T", description="D", body="B")
    assert time.monotonic() - started < 5


def test_blog_reports_a_storage_that_never_started_as_unavailable(
    runner_factory, service_config, rpc
):
    """At the first start on a broker, blog may consume before storage has declared its
    queue: nameko's ``UnknownService`` must reach the gateway as a 503, not a 500."""
    runner = runner_factory(service_config, BlogService)
    runner.start()
    with pytest.raises(ServiceUnavailable, match="the storage service is not running"):
        rpc.blog.list_tags()
