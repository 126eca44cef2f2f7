"""Row counts of the two databases, for admins (``storage.stats``)."""

from services.database import migrations, table_files


def database_stats(databases):
    """Per database of ``databases`` (name -> ``DatabaseAccess``): dialect, schema
    version and rows per table."""
    stats = {}
    for name, database in databases.items():
        with database.snapshot() as connection:
            stats[name] = {
                "dialect": database.dialect,
                "schema_version": migrations.current_revision(connection),
                "tables": table_files.table_counts(connection, migrations.BASES[name].metadata),
            }
    return stats
