"""Issue 12 (medium): the public default secret stops the processes that sign anything,
outside development mode; tokens, sessions and CSRF tokens use separate derived keys."""

import pytest

from common.config import load_config
from common.secret_keys import (
    DEFAULT_SECRET_KEY,
    InsecureConfiguration,
    derived_key,
    secret_key,
)
from frontend.app import create_app
from services.accounts.production_secret import RequireProductionSecret
from services.users import UsersService


def test_the_default_in_config_yaml_is_the_one_refused(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DEVELOPMENT_MODE", raising=False)
    config = load_config()
    assert config["SECRET_KEY"] == DEFAULT_SECRET_KEY
    with pytest.raises(InsecureConfiguration, match="public default"):
        secret_key(config)


@pytest.mark.parametrize("mode", ["true", "1", "yes", True])
def test_development_mode_allows_the_default(mode):
    assert secret_key({"SECRET_KEY": DEFAULT_SECRET_KEY, "DEVELOPMENT_MODE": mode})


@pytest.mark.parametrize("mode", ["false", "", None, "no"])
def test_anything_else_refuses_it(mode):
    with pytest.raises(InsecureConfiguration):
        secret_key({"SECRET_KEY": DEFAULT_SECRET_KEY, "DEVELOPMENT_MODE": mode})


def test_a_missing_secret_is_refused_even_in_development():
    with pytest.raises(InsecureConfiguration):
        secret_key({"DEVELOPMENT_MODE": "true"})


def test_the_frontend_refuses_to_start_with_the_default():
    with pytest.raises(InsecureConfiguration):
        create_app({"SECRET_KEY": DEFAULT_SECRET_KEY}, rpc=object())
    assert create_app({"SECRET_KEY": DEFAULT_SECRET_KEY, "DEVELOPMENT_MODE": "true"}, rpc=object())


def test_the_users_service_checks_the_secret_when_its_container_is_set_up():
    provider = UsersService.production_secret
    assert isinstance(provider, RequireProductionSecret)

    class Container:
        service_name = "users"
        config = {"SECRET_KEY": DEFAULT_SECRET_KEY}

    container = Container()
    bound = provider.bind(container, "production_secret")  # a copy: the class keeps its own
    with pytest.raises(InsecureConfiguration):
        bound.setup()
    assert provider.container is None


def test_each_purpose_has_its_own_key_and_none_is_the_secret():
    config = {"SECRET_KEY": "a production secret of at least thirty-two bytes"}
    keys = {purpose: derived_key(config, purpose) for purpose in ("tokens", "sessions", "csrf")}
    assert len(set(keys.values())) == 3
    assert config["SECRET_KEY"] not in keys.values()
    assert derived_key(config, "tokens") == keys["tokens"]  # stable across processes


def test_the_frontend_signs_sessions_and_csrf_with_derived_keys():
    config = {"SECRET_KEY": "a production secret of at least thirty-two bytes"}
    app = create_app(config, rpc=object())
    assert app.config["SECRET_KEY"] == derived_key(config, "sessions")
    assert app.config["WTF_CSRF_SECRET_KEY"] == derived_key(config, "csrf")
