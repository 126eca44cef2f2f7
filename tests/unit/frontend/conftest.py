"""The frontend's app over the fake services, for the tests of its pages."""

import pytest

from frontend.app import create_app

UNIT_CONFIG = {
    "SECRET_KEY": "unit-test-secret",
    "FRONTEND": {"PAGE_SIZE": 3, "PUBLIC_URL": "http://localhost"},
}


@pytest.fixture
def app(fake_rpc):
    return create_app(UNIT_CONFIG, rpc=fake_rpc)
