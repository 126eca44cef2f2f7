"""Fixtures of every unit test folder: ``fake_rpc``, the services behind the fake RPC
seam (``fake_services.FakeRpc``), and ``client``, a test client of the folder's
``app``: ``gateway/`` and ``frontend/`` each have a conftest.py with their ``app``."""

import pytest

from tests.unit.fake_services import FakeRpc


@pytest.fixture
def fake_rpc():
    fake = FakeRpc()
    yield fake
    fake.close()


@pytest.fixture
def client(app):
    return app.test_client()
