"""Row counts of the two databases, for admins (``storage.stats``)."""
from services.database import migrations, table_files


def database_stats(engines):
    """Per database: dialect, schema version and rows per table."""
    stats = {}
    for name, engine in engines.items():
        with table_files.snapshot(engine) as connection:
            stats[name] = {
                "dialect": engine.dialect.name,
                "schema_version": migrations.current_revision(connection),
                "tables": table_files.table_counts(
                    connection, migrations.BASES[name].metadata
                ),
            }
    return stats
