"""The portable table format of backups: one JSON Lines file per table.

A database is read inside one snapshot transaction (``DatabaseAccess.snapshot``:
``REPEATABLE READ`` on PostgreSQL, one read transaction on SQLite in WAL mode),
so rows committed while the dump runs are not in it and the writers are never
blocked. Rows are
written in primary-key order, one JSON object per line, with timestamps as
ISO-8601 strings: the same file loads into SQLite or PostgreSQL. Work is done
in batches with ``eventlet.sleep(0)`` between them so the service's other
workers and its AMQP heartbeats keep running.

A restore is one write transaction per database (``DatabaseAccess.bulk_write``). On SQLite it does not yield:
another worker's write would then wait for the lock inside SQLite's busy
handler, which blocks the whole event loop (and so the restore) until it
times out.
"""

import hashlib
import json
import os
from datetime import datetime

import eventlet
from sqlalchemy import DateTime, delete, func, select, text, tuple_

BATCH_ROWS = 500


def table_counts(connection, metadata):
    """``{table: rows}`` for every table of ``metadata``."""
    return {
        table.name: connection.scalar(select(func.count()).select_from(table))
        for table in metadata.sorted_tables
    }


def dump_table(connection, table, path, on_rows):
    """Write ``table`` to ``path`` in primary-key order; returns ``{rows, sha256}``.

    ``on_rows(n)`` is called after each batch of ``n`` rows.
    """
    digest = hashlib.sha256()
    rows = 0
    with open(path, "wb") as output:
        for batch in table_batches(connection, table):
            data = b"".join(encode_row(table, row) for row in batch)
            output.write(data)
            digest.update(data)
            rows += len(batch)
            on_rows(len(batch))
            eventlet.sleep(0)
        output.flush()
        os.fsync(output.fileno())
    return {"rows": rows, "sha256": digest.hexdigest()}


def table_batches(connection, table):
    """Lists of at most ``BATCH_ROWS`` rows, by primary key (keyset pagination)."""
    key = list(table.primary_key.columns)
    query = select(table).order_by(*key).limit(BATCH_ROWS)
    batch = connection.execute(query).mappings().all()
    while batch:
        yield batch
        last = tuple(batch[-1][column.name] for column in key)
        batch = connection.execute(query.where(tuple_(*key) > tuple_(*last))).mappings().all()


def encode_row(table, row):
    values = {column.name: encode_value(row[column.name]) for column in table.columns}
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def encode_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def decode_row(table, line):
    values = json.loads(line)
    for column in table.columns:
        if isinstance(column.type, DateTime) and values.get(column.name) is not None:
            values[column.name] = datetime.fromisoformat(values[column.name])
    return values


def file_digest(path):
    """``{rows, sha256}`` of a table file as it is on disk."""
    digest = hashlib.sha256()
    rows = 0
    with open(path, "rb") as data:
        for line in data:
            digest.update(line)
            rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def clear_tables(connection, metadata):
    """Delete every row, children before parents."""
    for table in reversed(metadata.sorted_tables):
        connection.execute(delete(table))


def load_table(connection, table, path, on_rows):
    """Insert the rows of a table file in batches; returns the number inserted."""
    rows = 0
    with open(path, "rb") as data:
        batch = []
        for line in data:
            batch.append(decode_row(table, line))
            if len(batch) == BATCH_ROWS:
                rows += insert_batch(connection, table, batch, on_rows)
                batch = []
        rows += insert_batch(connection, table, batch, on_rows)
    return rows


def insert_batch(connection, table, batch, on_rows):
    if batch:
        connection.execute(table.insert(), batch)
        on_rows(len(batch))
        if connection.dialect.name != "sqlite":
            eventlet.sleep(0)
    return len(batch)


def reset_sequences(connection, metadata):
    """On PostgreSQL, move each id sequence past the highest restored id."""
    if connection.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "  # noqa: S608 - names from the models
                f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                f"FROM {table.name}"
            )
        )
