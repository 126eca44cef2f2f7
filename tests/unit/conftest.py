"""Fixtures of every unit test folder: ``fake_rpc``, the services behind the fake RPC
seam (``fake_services.FakeRpc``). The apps over it are chosen by folder: ``gateway/``
and ``frontend/`` each have a conftest.py with ``app`` and ``client``."""
import pytest

from tests.unit.fake_services import FakeRpc


@pytest.fixture
def fake_rpc():
    fake = FakeRpc()
    yield fake
    fake.close()
