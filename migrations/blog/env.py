"""Alembic environment of this database; the shared steps live in services.migrations."""
from services.migrations import run_environment

run_environment()
