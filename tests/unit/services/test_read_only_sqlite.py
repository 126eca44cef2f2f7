"""A SQLite file storage may not write: writes refused at once, and no connection
opened read-only kept once the file is writable again (the process test is
tests/integration/test_database_faults.py; these pin each piece on a plain file)."""

import os
import sqlite3
import stat
from unittest import mock

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from common.errors import ServiceUnavailable
from services.database import access
from services.database.access import DatabaseAccess, configure_sqlite
from services.database.file_modes import owner_only_sqlite_file


@pytest.fixture
def wal_file(tmp_path):
    """A WAL database with a table, held open (so its -wal and -shm files stay)."""
    path = tmp_path / "blog.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE article (title TEXT)")
    yield path
    holder.close()


def counted_engine(uri):
    engine = create_engine(uri)
    configure_sqlite(engine)
    connects = []
    event.listen(engine, "connect", lambda *_: connects.append(1))
    return engine, connects


def test_writes_to_a_read_only_file_are_refused_before_any_connection(wal_file):
    engine, connects = counted_engine(f"sqlite:///{wal_file}")
    database = DatabaseAccess(mock.Mock(), engine, "blog")
    with mock.patch.object(access, "sqlite_file_is_read_only", return_value=True):
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            with database.write():
                pass
        with pytest.raises(ServiceUnavailable, match="the blog database is read-only"):
            with database.bulk_write():
                pass
    assert connects == []


def test_a_connection_opened_while_the_file_is_read_only_is_not_kept(wal_file):
    engine, connects = counted_engine(f"sqlite:///{wal_file}")
    with mock.patch.object(access, "sqlite_file_is_read_only", return_value=True):
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert len(connects) == 2, "the read-only one closed at check-in, the next one kept"


def test_a_write_refused_as_read_only_replaces_the_pooled_connections(wal_file):
    # A connection SQLite opened read-only although the file looked writable.
    engine, connects = counted_engine(f"sqlite:///file:{wal_file}?mode=ro&uri=true")
    with pytest.raises(OperationalError, match="readonly database") as refused:
        with engine.connect() as connection:
            connection.execute(text("INSERT INTO article VALUES ('x')"))
    assert refused.value.connection_invalidated
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert len(connects) == 2


def test_a_read_only_sqlite_file_is_narrowed_never_widened(tmp_path):
    read_only, wide = tmp_path / "read-only.db", tmp_path / "wide.db"
    for path, mode in ((read_only, 0o444), (wide, 0o644)):
        path.touch()
        os.chmod(path, mode)
        owner_only_sqlite_file(f"sqlite:///{path}")
    assert stat.S_IMODE(read_only.stat().st_mode) == 0o400
    assert stat.S_IMODE(wide.stat().st_mode) == 0o600
