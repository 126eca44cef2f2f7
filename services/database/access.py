"""The database dependency of the storage service.

Built on nameko-sqlalchemy's ``Database`` provider (engine per container,
sessions per worker) and adds what the two databases need:

* a pool with pre-ping, so a connection the server dropped is replaced
  instead of failing a request;
* on SQLite: WAL mode (readers never block the writer), enforced foreign
  keys, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so
  concurrent writers queue instead of failing with "database is locked";
* one transaction per use case through ``read()`` and ``write()``;
* a clear ``ServiceUnavailable`` when the database cannot be reached;
* text with a NUL character refused as a ``ValidationError`` on every engine:
  PostgreSQL cannot hold one and fails the query, SQLite would store it.
"""
import logging
from contextlib import contextmanager

from nameko_sqlalchemy import Database
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from services.database.file_modes import owner_only_sqlite_file
from services.errors import ServiceUnavailable, ValidationError

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10000
WRITE_OPTION = "blog_write_transaction"


class StorageDatabase(Database):
    """One of the two databases, injected as a ``DatabaseAccess``."""

    def __init__(self, declarative_base, label):
        super().__init__(declarative_base, engine_options={"pool_pre_ping": True})
        self.label = label

    def setup(self):
        owner_only_sqlite_file(self.container.config["DB_URIS"][self._db_uri_key()])
        super().setup()
        refuse_nul_characters(self.engine)
        if self.engine.dialect.name == "sqlite":
            configure_sqlite(self.engine)

    def _db_uri_key(self):
        return f"{self.container.service_name}:{self.declarative_base.__name__}"

    def get_dependency(self, worker_ctx):
        wrapper = super().get_dependency(worker_ctx)
        return DatabaseAccess(wrapper, self.engine, self.label)


class DatabaseAccess:
    """What a storage worker sees of one database: transactions and the engine."""

    def __init__(self, wrapper, engine, label):
        self._wrapper = wrapper
        self.engine = engine
        self.label = label

    @contextmanager
    def read(self):
        """A session for a read-only use case."""
        with self._transaction(write=False) as session:
            yield session

    @contextmanager
    def write(self):
        """A session whose changes commit together at the end, or not at all."""
        with self._transaction(write=True) as session:
            yield session

    @contextmanager
    def _transaction(self, write):
        session = self._wrapper.get_session()
        try:
            session.connection(execution_options={WRITE_OPTION: write})
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            if is_unavailable(exc):
                log.error("%s database error: %s", self.label, exc)
                raise ServiceUnavailable(f"the {self.label} database is unavailable")
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def is_unavailable(exc):
    """Cannot connect, connection lost, or locked for too long: not the request's fault."""
    return isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated


def refuse_nul_characters(engine):
    """No query runs with a NUL character in a text parameter (a lookup or a write)."""

    @event.listens_for(engine, "before_cursor_execute")
    def on_execute(_connection, _cursor, _statement, parameters, _context, _executemany):
        if any("\x00" in text for text in _texts_in(parameters)):
            raise ValidationError.single("text", "must not contain NUL characters")


def _texts_in(parameters):
    """Every string among a statement's parameters (a dict, a sequence, or a list of those)."""
    if isinstance(parameters, str):
        yield parameters
    elif isinstance(parameters, dict):
        for value in parameters.values():
            yield from _texts_in(value)
    elif isinstance(parameters, (list, tuple)):
        for value in parameters:
            yield from _texts_in(value)


def configure_sqlite(engine):
    """WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for writes."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
