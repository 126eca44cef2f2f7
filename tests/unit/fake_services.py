"""The services behind the unit tests of the gateway, the frontend and the admin CLI:
the real users, blog and storage services in this process, with only the RPC faked.

``FakeRpc`` is called like ``rpc_client.client.RpcClient``: ``rpc.users.login(...)``,
``rpc.with_context({...}).users.login(...)`` or ``rpc.call("users", "login", ...)``.
Behind it each service is its real class (``worker_factory``), so answers, rules and
errors are the services' own: the storage service runs on two SQLite databases made by
the project's migrations (once per test run, copied for each fake), an answer crosses
every hop as JSON as it would over the wire, and ``users.user_deleted`` reaches the
blog service at once. What differs from production is only what makes tests quick and
repeatable: argon2 at its cheapest and a clock that stands still at ``NOW``, so the
same user always gets the same token.

Every call through the fake seam is recorded in ``calls``. ``down = True`` makes every
call fail the way the real client does when a service is not running;
``fail_next(service, method, error)`` makes one call raise ``error``;
``answer(service, method, answer)`` makes a method answer ``answer`` from now on (or
raise it, if it is an exception). ``rpc.<service>._implementation`` is the service.
"""

import atexit
import json
import shutil
import tempfile
from collections import namedtuple
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from nameko.testing.services import worker_factory
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from common import contract
from common.errors import ServiceUnavailable
from services.accounts.passwords import Passwords
from services.accounts.rules import DEFAULT_PASSWORD_MIN_SCORE
from services.backups.folder import BackupDirectory
from services.blog import BlogService
from services.database import migrations
from services.database.access import DatabaseAccess, configure_sqlite, refuse_nul_characters
from services.storage import StorageService
from services.users import UsersService

NOW = 1_767_323_045.678
"""The fake's clock: 2026-01-02T03:04:05.678Z."""

USERS_CONFIG = {"SECRET_KEY": "unit-tests-secret-of-at-least-32-bytes", "TOKEN_TTL_SECONDS": 3600}
FAST_PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

Call = namedtuple("Call", "service method kwargs context")


class FakeRpc:
    def __init__(self):
        self.down = False
        self.calls = []
        self.failures = {}
        self._folder = tempfile.TemporaryDirectory(prefix="fake-services-")
        storage, self._engines = _storage(Path(self._folder.name))
        events = _Events()
        users = worker_factory(
            UsersService,
            storage=_Wire(storage),
            dispatch=events.source("users"),
            config=USERS_CONFIG,
            passwords=FAST_PASSWORDS,
            clock=lambda: NOW,
            password_min_score=DEFAULT_PASSWORD_MIN_SCORE,
        )
        blog = worker_factory(
            BlogService, storage=_Wire(storage), request_key=None, dispatch=events.source("blog")
        )
        events.handlers[("users", "user_deleted")] = blog.handle_user_deleted
        self.users = _Service(self, "users", users)
        self.blog = _Service(self, "blog", blog)
        self.storage = _Service(self, "storage", storage)

    timeout = 10

    def call(self, service_name, method_name, context=None, deadline=None, **kwargs):
        self.calls.append(Call(service_name, method_name, kwargs, context))
        if self.down:
            raise ServiceUnavailable(f"the {service_name} service is not running")
        failure = self.failures.pop((service_name, method_name), None)
        if failure is not None:
            raise failure
        implementation = getattr(self, service_name)._implementation
        return _over_the_wire(getattr(implementation, method_name)(**kwargs))

    def with_context(self, context, deadline=None):
        return _WithContext(self, context)

    def fail_next(self, service_name, method_name, error):
        self.failures[(service_name, method_name)] = error

    def answer(self, service_name, method_name, answer):
        def method(**_kwargs):
            if isinstance(answer, Exception):
                raise answer
            return answer

        setattr(getattr(self, service_name)._implementation, method_name, method)

    def token_of(self, user_id):
        """The token the users service gives this user now (its clock stands still)."""
        users = self.users._implementation
        return users._token_for(users.storage.users_get(user_id=user_id))

    def last_call(self, service_name, method_name):
        return [call for call in self.calls if call[:2] == (service_name, method_name)][-1]

    def close(self):
        for engine in self._engines:
            engine.dispose()
        self._folder.cleanup()


class _Service:
    """``rpc.<service>.<method>(**kwargs)``, recorded like ``rpc.call``."""

    def __init__(self, fake, name, implementation, context=None):
        self._fake = fake
        self._name = name
        self._implementation = implementation
        self._context = context

    def __getattr__(self, method_name):
        if method_name.startswith("_"):
            raise AttributeError(method_name)

        def call(**kwargs):
            return self._fake.call(self._name, method_name, context=self._context, **kwargs)

        return call


class _WithContext:
    def __init__(self, fake, context):
        self._fake = fake
        self._context = context

    def __getattr__(self, service_name):
        service = getattr(self._fake, service_name)
        return _Service(self._fake, service_name, service._implementation, self._context)


class _Wire:
    """A service as another service reaches it over RPC (``TimedRpcProxy``)."""

    def __init__(self, service):
        self._service = service

    def __getattr__(self, method_name):
        method = getattr(self._service, method_name)
        return lambda *args, **kwargs: _over_the_wire(method(*args, **kwargs))


class _Events:
    """Each service's ``EventDispatcher``: an event goes at once to the handlers of it.
    Each event must be one its service dispatches by the contract, with exactly the
    payload fields the contract declares."""

    def __init__(self):
        self.handlers = {}

    def source(self, service_name):
        declared = {event.name: event for event in contract.dispatched_by(service_name)}

        def dispatch(event_type, payload):
            assert set(payload) == set(declared[event_type].payload), (event_type, payload)
            handler = self.handlers.get((service_name, event_type))
            if handler is not None:
                handler(_over_the_wire(payload))

        return dispatch


def _over_the_wire(answer):
    return json.loads(json.dumps(answer))


def _storage(folder):
    """The storage service on copies of the migrated databases, in ``folder``."""
    databases, engines = {}, []
    for name, template in _migrated_databases().items():
        path = folder / f"{name}.db"
        shutil.copyfile(template, path)
        engine = create_engine(f"sqlite:///{path}")
        refuse_nul_characters(engine)
        configure_sqlite(engine)
        engines.append(engine)
        databases[name] = DatabaseAccess(_Sessions(engine), engine, name)
    backups = BackupDirectory(folder / "backups", keep=10, interval=0)
    backups.path.mkdir()
    storage = worker_factory(
        StorageService,
        users_db=databases["users"],
        blog_db=databases["blog"],
        backups=backups,
        clock=lambda: NOW,
    )
    return storage, engines


class _Sessions:
    """What nameko-sqlalchemy's ``Database`` gives a worker: ``get_session()``."""

    def __init__(self, engine):
        self.get_session = sessionmaker(bind=engine)


@cache
def _migrated_databases():
    """``{name: path}`` of the two databases, migrated once per test run."""
    folder = Path(tempfile.mkdtemp(prefix="fake-services-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    paths = {name: folder / f"{name}.db" for name in migrations.BASES}
    for name, path in paths.items():
        migrations.upgrade(name, f"sqlite:///{path}")
    return paths
