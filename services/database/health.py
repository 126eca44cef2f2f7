"""The health of one database, as ``storage.health()`` reports it."""

from sqlalchemy import text

from services.database import migrations


def database_health(database, db_name):
    """``{ok, schema_version, schema_head, error}`` of one database (a ``DatabaseAccess``);
    an outage is reported as ``error``, never raised."""
    head = migrations.head_revision(db_name)
    try:
        with database.snapshot() as connection:
            connection.execute(text("SELECT 1"))
            version = migrations.current_revision(connection)
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return {"ok": False, "schema_version": None, "schema_head": head, "error": str(exc)}
    error = None if version == head else f"schema at {version}, code expects {head}"
    return {"ok": error is None, "schema_version": version, "schema_head": head, "error": error}
