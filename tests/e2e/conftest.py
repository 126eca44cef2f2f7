"""The real system for end-to-end tests: one stack for the whole session."""
import pytest

from tests.stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """RabbitMQ (own vhost), storage, users, blog, gateway and frontend as processes."""
    running = Stack(tmp_path_factory.mktemp("stack")).start_all()
    yield running
    running.stop_all()
