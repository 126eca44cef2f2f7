"""Alembic migrations of the two databases, applied by code and by ``make run``.

Each database has its own migration environment (``migrations/users`` and
``migrations/blog``) because they are separate databases with separate
histories. ``python -m services.database.migrations upgrade`` applies both, reading the
URIs from ``config.yaml``.
"""

import sys

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import engine_from_config, pool

from common.config import PROJECT_ROOT, load_config
from services.database.file_modes import owner_only_sqlite_file
from services.database.models import BlogBase, UsersBase

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
BASES = {"users": UsersBase, "blog": BlogBase}


def config_key(db_name):
    """The ``DB_URIS`` key nameko-sqlalchemy reads for this database."""
    return f"storage:{BASES[db_name].__name__}"


def alembic_config(db_name, uri):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR / db_name))
    config.set_main_option("sqlalchemy.url", uri)
    config.attributes["target_metadata"] = BASES[db_name].metadata
    return config


def upgrade(db_name, uri, revision="head"):
    """Bring the database at ``uri`` to ``revision`` (the newest by default)."""
    owner_only_sqlite_file(uri)
    command.upgrade(alembic_config(db_name, uri), revision)


def head_revision(db_name):
    """The newest revision the code knows for this database."""
    return ScriptDirectory(str(MIGRATIONS_DIR / db_name)).get_current_head()


def current_revision(connection):
    """The revision the connected database is at, or ``None`` when unmigrated."""
    return MigrationContext.configure(connection).get_current_revision()


def run_environment():
    """Body of each database's ``env.py``: run the migrations online."""
    config = context.config
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=config.attributes["target_metadata"],
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


def upgrade_all(config):
    for db_name in BASES:
        upgrade(db_name, config["DB_URIS"][config_key(db_name)])


def main(argv):
    if argv[1:] != ["upgrade"]:
        sys.exit("usage: python -m services.database.migrations upgrade")
    upgrade_all(load_config())


if __name__ == "__main__":
    main(sys.argv)
