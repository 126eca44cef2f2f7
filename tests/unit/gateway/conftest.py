"""The gateway's app over the fake services, for the tests of its HTTP layer."""

import pytest

from gateway.app import create_app

UNIT_CONFIG = {"AMQP_URI": "memory://", "GATEWAY": {"MAX_BODY_BYTES": 4096, "CORS_ORIGINS": "*"}}


@pytest.fixture
def app(fake_rpc):
    return create_app(UNIT_CONFIG, rpc=fake_rpc)
