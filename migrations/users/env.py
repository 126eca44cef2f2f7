"""Alembic environment of this database; the shared steps live in services.database.migrations."""

from services.database.migrations import run_environment

run_environment()
