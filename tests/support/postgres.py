"""Temporary PostgreSQL databases for tests, when a server answers (trust auth).

Used by the integration fixtures and the end-to-end PostgreSQL stack; tests
skip with the reason from ``unreachable_reason()`` when no server answers.
"""

import os
import socket
import uuid
from contextlib import contextmanager

import pg8000.native

POSTGRES_HOST = os.environ.get("POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("POSTGRES_PORT", "5432"))
POSTGRES_USER = os.environ.get("POSTGRES_USER", "postgres")


def postgres_reachable():
    try:
        with socket.create_connection((POSTGRES_HOST, POSTGRES_PORT), timeout=1):
            return True
    except OSError:
        return False


def unreachable_reason():
    return f"PostgreSQL is not reachable on {POSTGRES_HOST}:{POSTGRES_PORT}"


def postgres_uri(database):
    return f"postgresql+pg8000://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database}"


@contextmanager
def postgres_databases(*names):
    """Create empty PostgreSQL databases named ``names`` and drop them afterwards."""
    admin = pg8000.native.Connection(
        POSTGRES_USER, host=POSTGRES_HOST, port=POSTGRES_PORT, database="postgres"
    )
    try:
        for name in names:
            admin.run(f'CREATE DATABASE "{name}"')
        yield [postgres_uri(name) for name in names]
    finally:
        for name in names:
            admin.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def users_and_blog_databases():
    """A uniquely named pair of empty databases: ``(users_uri, blog_uri)``."""
    suffix = uuid.uuid4().hex[:8]
    with postgres_databases(f"test_users_{suffix}", f"test_blog_{suffix}") as uris:
        yield uris
