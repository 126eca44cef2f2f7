"""The real system for end-to-end tests: one stack per database engine for the
whole session. Every test that uses ``stack`` runs on SQLite files and again on
two PostgreSQL databases (skipped, with the reason, when PostgreSQL does not
answer): only the URIs differ."""
import pytest

from tests.postgres import postgres_reachable, unreachable_reason, users_and_blog_databases
from tests.stack import Stack


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def stack(request, tmp_path_factory):
    """RabbitMQ (own vhost), storage, users, blog, gateway and frontend as processes."""
    workdir = tmp_path_factory.mktemp(f"stack-{request.param}")
    if request.param == "sqlite":
        yield from running(Stack(workdir))
        return
    if not postgres_reachable():
        pytest.skip(unreachable_reason())
    with users_and_blog_databases() as (users_uri, blog_uri):
        yield from running(Stack(workdir, users_db_uri=users_uri, blog_db_uri=blog_uri))


def running(stack):
    stack.start_all()
    try:
        yield stack
    finally:
        stack.stop_all()
