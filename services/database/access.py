"""The database dependency of the storage service.

Built on nameko-sqlalchemy's ``Database`` provider (engine per container,
sessions per worker) and adds what the two databases need:

* a pool with pre-ping, so a connection the server dropped is replaced
  instead of failing a request;
* on SQLite: WAL mode (readers never block the writer), enforced foreign
  keys, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so
  concurrent writers queue instead of failing with "database is locked";
* one transaction per use case through ``read()`` and ``write()`` (sessions),
  ``rows()`` (a connection, for the hot reads of columns), and ``snapshot()``
  and ``bulk_write()`` (connections, for backups, restore, stats and health);
* a clear ``ServiceUnavailable`` when the database cannot be reached, for every
  one of those (``outage_as_unavailable``, the one place that decides it);
* on SQLite, a database file this process may not write (permissions taken away,
  a read-only file system) refuses writes at once, whatever connection a worker
  gets, and storage writes again once the file is writable, without a restart
  (``sqlite_file_is_read_only`` and ``configure_sqlite``);
* text with a NUL character refused as a ``ValidationError`` on every engine:
  PostgreSQL cannot hold one and fails the query, SQLite would store it.
"""

import logging
import os
import sqlite3
from contextlib import contextmanager

from nameko_sqlalchemy import Database
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from common.errors import ServiceUnavailable, ValidationError
from services.database.file_modes import owner_only_sqlite_file

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10000
WRITE_TRANSACTION_OPTION = "write_transaction"
"""Execution option marking a transaction that will write (``BEGIN IMMEDIATE`` on SQLite)."""


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
    """What a storage worker sees of one database: transactions, never the engine."""

    def __init__(self, wrapper, engine, label):
        self._wrapper = wrapper
        self._engine = engine
        self.label = label

    @property
    def dialect(self):
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @contextmanager
    def read(self):
        """A session for a read-only use case."""
        with self._transaction(write=False) as session:
            yield session

    @contextmanager
    def rows(self):
        """A connection in one read transaction, for reads that select columns, never
        ORM objects. The ORM's work per statement (its execution context, the identity
        map) costs more than SQLite takes to run the small statements of a page of
        articles; the hot reads (lists, one article, comments, tags, profiles, token
        checks) skip it."""
        with outage_as_unavailable(self.label), self._engine.connect() as connection:
            with connection.begin():
                yield connection

    @contextmanager
    def write(self):
        """A session whose changes commit together at the end, or not at all."""
        with self._transaction(write=True) as session:
            yield session

    @contextmanager
    def snapshot(self):
        """A connection whose reads all see the database as of its first read
        (``REPEATABLE READ`` on PostgreSQL, one read transaction on SQLite)."""
        with outage_as_unavailable(self.label), self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    @contextmanager
    def bulk_write(self):
        """A connection in one write transaction (``BEGIN IMMEDIATE`` on SQLite), for
        work on whole tables such as a restore."""
        self._refuse_writes_when_read_only()
        with outage_as_unavailable(self.label), self._engine.connect() as connection:
            connection = connection.execution_options(**{WRITE_TRANSACTION_OPTION: True})
            with connection.begin():
                yield connection

    @contextmanager
    def _transaction(self, write):
        if write:
            self._refuse_writes_when_read_only()
        with outage_as_unavailable(self.label):
            session = self._wrapper.get_session()
            try:
                session.connection(execution_options={WRITE_TRANSACTION_OPTION: write})
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def _refuse_writes_when_read_only(self):
        """A SQLite file made read-only refuses writes now: a connection opened before
        keeps its write access (the kernel checks permissions when a file is opened),
        so SQLite alone would take some writes and refuse others."""
        if sqlite_file_is_read_only(self._engine):
            log.error("%s database refuses writes: its file is read-only", self.label)
            raise ServiceUnavailable(f"the {self.label} database is read-only")


@contextmanager
def outage_as_unavailable(label):
    """The one place a database outage becomes ``ServiceUnavailable`` naming the database:
    unreachable, refusing connections, or refusing writes (read-only)."""
    try:
        yield
    except DBAPIError as exc:
        if is_read_only(exc):
            log.error("%s database refuses writes: %s", label, exc)
            raise ServiceUnavailable(f"the {label} database is read-only") from exc
        if is_unavailable(exc):
            log.error("%s database error: %s", label, exc)
            raise ServiceUnavailable(f"the {label} database is unavailable") from exc
        raise


UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57", "58")
"""PostgreSQL error classes that are the server's state, not the request: connection
exception, insufficient resources (too many connections, disk full), operator
intervention (shutting down, terminated by an admin), system error."""
READ_ONLY_SQLSTATE = "25006"


def is_unavailable(exc):
    """Cannot connect, connection lost, refused or locked for too long: not the request's
    fault. pg8000 reports a server's refusal (a database not accepting connections,
    shutting down, too many clients) as a ``ProgrammingError`` with a FATAL severity."""
    if isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated:
        return True
    details = _postgres_error(exc)
    return details.get("S") in ("FATAL", "PANIC") or str(details.get("C", "")).startswith(
        UNAVAILABLE_SQLSTATE_CLASSES
    )


def is_read_only(exc):
    """The database takes no writes now (a PostgreSQL standby or read-only setting, a
    read-only SQLite file): the request was fine, the database cannot take it."""
    if _postgres_error(exc).get("C") == READ_ONLY_SQLSTATE:
        return True
    return "readonly database" in str(exc.orig)


def _postgres_error(exc):
    """pg8000's error fields (``{"S": severity, "C": sqlstate, "M": message}``), or ``{}``."""
    args = getattr(exc.orig, "args", ())
    return args[0] if args and isinstance(args[0], dict) else {}


def sqlite_file_is_read_only(engine):
    """True when ``engine`` is on a SQLite file that exists and this process may not
    write (its permissions, or a read-only file system); False for other engines."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return False
    path = engine.url.database
    effective = os.access in os.supports_effective_ids
    return os.path.exists(path) and not os.access(path, os.W_OK, effective_ids=effective)


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


OPENED_READ_ONLY = "opened_read_only"
"""Pool entry info: the connection was opened while its file was read-only."""


def configure_sqlite(engine):
    """WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for writes; no connection
    opened read-only outlives the file's return to writable.

    SQLite opens a file it may not write read-only, and the connection stays so for
    good; while any such connection is open, the process shares its read-only WAL
    index (-shm) with every connection it opens on that file, new ones included. So a
    connection opened while the file is read-only is closed when it goes back to the
    pool (the next one is opened afresh: cheap on SQLite), and a write refused as
    read-only by a connection that looked writable (the file changed while it was
    being opened) replaces every pooled connection, as a lost connection does."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        record.info[OPENED_READ_ONLY] = sqlite_file_is_read_only(engine)
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        write = connection.get_execution_options().get(WRITE_TRANSACTION_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection, record):
        if dbapi_connection is not None and record.info.get(OPENED_READ_ONLY):
            record.invalidate()

    @event.listens_for(engine, "handle_error")
    def on_error(context):
        if is_sqlite_read_only(context.original_exception):
            context.is_disconnect = True


def is_sqlite_read_only(error):
    """SQLite's "attempt to write a readonly database" (``SQLITE_READONLY`` and its
    variants: a file opened read-only, a read-only WAL index, a moved file)."""
    return isinstance(error, sqlite3.Error) and "readonly database" in str(error)
