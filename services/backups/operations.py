"""Backups of the two databases: create, list, verify, restore.

A backup is a directory ``BACKUP.DIR/<id>/`` holding ``manifest.json`` (see
``services.backups.manifest``) and one JSON Lines file per table
(``users/users.jsonl``, ``blog/articles.jsonl``..., see
``services.database.table_files``). A backup is written under ``.<id>.partial``
and renamed when complete, so a directory with a backup id is always whole.

Restore verifies the backup first, requires each target database to be
migrated to the backup's schema version, and refuses to replace existing rows
unless ``confirm`` is true. One backup or restore runs at a time per backup
folder, whichever storage instance runs it; ``Progress`` tells how far it is.
"""
import json
import shutil
from contextlib import ExitStack

from services.backups.folder import prune
from services.backups.manifest import (
    FORMAT,
    MANIFEST,
    backup_summary,
    file_problems,
    new_backup_id,
    read_manifest,
    total_rows,
    verified_manifest,
)
from services.database import migrations, table_files
from services.database.file_modes import owner_only_tree
from services.errors import ValidationError
from services.timestamps import isoformat


def create_backup(backups, engines, now):
    """Snapshot every database of ``engines`` (name -> engine) into a new backup,
    then apply retention. Returns the backup's summary."""
    backup_id = new_backup_id(now)
    partial = backups.path / f".{backup_id}.partial"
    with backups.progress.running("backup", backup_id) as progress:
        partial.mkdir()
        try:
            manifest = {"format": FORMAT, "id": backup_id, "created_at": isoformat(now),
                        "databases": {}}
            for name, engine in engines.items():
                manifest["databases"][name] = dump_database(engine, name, partial, progress)
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2))
            owner_only_tree(partial)
            partial.rename(backups.path / backup_id)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    prune(backups)
    return backup_summary(manifest, backups.path / backup_id)


def dump_database(engine, name, folder, progress):
    """Write one database's tables from one snapshot; returns its manifest entry."""
    metadata = migrations.BASES[name].metadata
    (folder / name).mkdir()
    with table_files.snapshot(engine) as connection:
        counts = table_files.table_counts(connection, metadata)
        progress.add_total(sum(counts.values()))
        tables = {}
        for table in metadata.sorted_tables:
            relative = f"{name}/{table.name}.jsonl"
            written = table_files.dump_table(
                connection, table, folder / relative, progress.advance
            )
            if written["rows"] != counts[table.name]:
                raise RuntimeError(f"{name}.{table.name} changed during its snapshot")
            tables[table.name] = {"file": relative, **written}
        version = migrations.current_revision(connection)
    return {"dialect": engine.dialect.name, "schema_version": version, "tables": tables}


def list_backups(backups):
    """Summaries of the complete backups, newest first."""
    summaries = []
    for backup_id in backups.backup_ids():
        folder = backups.path / backup_id
        try:
            summaries.append(backup_summary(read_manifest(folder), folder))
        except ValidationError as exc:
            summaries.append({"id": backup_id, "error": "; ".join(exc.errors["backup"])})
    return summaries


def verify_backup(backups, backup_id):
    """``{id, ok, problems}``: the manifest is readable and every file matches it."""
    folder = backups.folder(backup_id)
    try:
        problems = file_problems(folder, read_manifest(folder))
    except ValidationError as exc:
        problems = exc.errors["backup"]
    return {"id": backup_id, "ok": not problems, "problems": problems}


def restore_backup(backups, engines, backup_id, confirm=False):
    """Replace the databases' rows with the backup's; returns rows restored per database."""
    folder = backups.folder(backup_id)
    manifest = verified_manifest(folder)
    for name, engine in engines.items():
        check_restore_target(engine, name, manifest, confirm)
    with backups.progress.running("restore", backup_id) as progress, ExitStack() as transactions:
        progress.add_total(total_rows(manifest))
        restored = {
            name: restore_database(
                transactions.enter_context(table_files.write_transaction(engine)),
                name, folder, manifest, progress,
            )
            for name, engine in engines.items()
        }
    return {"id": backup_id, "restored": restored}


def restore_database(connection, name, folder, manifest, progress):
    """Load one database inside the write transaction of ``connection``; returns
    ``{table: rows}``. The caller keeps every database's transaction open until
    all are loaded, so a failure part-way leaves every database as it was."""
    metadata = migrations.BASES[name].metadata
    tables = manifest["databases"][name]["tables"]
    table_files.clear_tables(connection, metadata)
    rows = {
        table.name: table_files.load_table(
            connection, table, folder / tables[table.name]["file"], progress.advance
        )
        for table in metadata.sorted_tables
    }
    table_files.reset_sequences(connection, metadata)
    return rows


def check_restore_target(engine, name, manifest, confirm):
    """Refuse a restore the target database cannot take as asked."""
    database = manifest["databases"].get(name)
    if database is None:
        raise ValidationError.single("backup", f"has no {name} database")
    metadata = migrations.BASES[name].metadata
    with table_files.snapshot(engine) as connection:
        version = migrations.current_revision(connection)
        rows = sum(table_files.table_counts(connection, metadata).values())
    if version != database["schema_version"]:
        raise ValidationError.single(
            "schema_version",
            f"the backup's {name} database is at {database['schema_version']}, the target at "
            f"{version}: migrate the target to the backup's version first",
        )
    missing = [table.name for table in metadata.sorted_tables
               if table.name not in database["tables"]]
    if missing:
        raise ValidationError.single("backup", f"{name} lacks tables {', '.join(missing)}")
    if rows and not confirm:
        raise ValidationError.single(
            "confirm", f"the {name} database holds {rows} rows: pass confirm=True to replace them"
        )
