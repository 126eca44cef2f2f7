"""Fixtures of the unit tests of the two HTTP layers: the gateway's (test_gateway_*.py)
and the frontend's (test_frontend_*.py), each app wired to an in-memory ``FakeRpc``."""
import pytest

import frontend_helpers
import gateway_helpers
from fake_services import FakeRpc
from frontend.app import create_app as create_frontend_app
from gateway.app import create_app as create_gateway_app

APP_FACTORIES = {
    "test_gateway_": lambda rpc: create_gateway_app(gateway_helpers.UNIT_CONFIG, rpc=rpc),
    "test_frontend_": lambda rpc: create_frontend_app(frontend_helpers.UNIT_CONFIG, rpc=rpc),
}


@pytest.fixture
def fake_rpc():
    return FakeRpc()


@pytest.fixture
def app(request, fake_rpc):
    """The app a test module is named after (test_gateway_* or test_frontend_*)."""
    module_name = request.module.__name__.rpartition(".")[2]
    for prefix, create_app in APP_FACTORIES.items():
        if module_name.startswith(prefix):
            return create_app(fake_rpc)
    raise LookupError(f"no app for {module_name}: name it test_gateway_* or test_frontend_*")


@pytest.fixture
def client(app):
    return app.test_client()
