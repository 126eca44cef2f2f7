"""Backups of the two databases: create, list, verify, restore.

A backup is a directory ``BACKUP.DIR/<id>/`` holding ``manifest.json`` (see
``services.backups.manifest``) and one JSON Lines file per table
(``users/users.jsonl``, ``blog/articles.jsonl``..., see
``services.database.table_files``). A backup is written under ``.<id>.partial``,
flushed to disk (files and folders fsynced) and renamed when complete, so a
directory with a backup id is always whole, also after a crash of the process or
the machine; the next backup deletes the partial folders a killed one left.

Restore verifies the backup first, requires each target database to be
migrated to the backup's schema version, and refuses to replace existing rows
unless ``confirm`` is true. One backup or restore runs at a time per backup
folder, whichever storage instance runs it; ``Progress`` tells how far it is.
"""

import json
import os
import shutil
from contextlib import ExitStack

from common.errors import ValidationError
from common.timestamps import isoformat
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


def create_backup(backups, databases, now):
    """Snapshot every database of ``databases`` (name -> ``DatabaseAccess``) into a new backup,
    then apply retention. Returns the backup's summary."""
    backup_id = new_backup_id(now)
    partial = backups.path / f".{backup_id}.partial"
    with backups.progress.running("backup", backup_id) as progress:
        remove_abandoned_partials(backups)
        partial.mkdir()
        try:
            manifest = {
                "format": FORMAT,
                "id": backup_id,
                "created_at": isoformat(now),
                "databases": {},
            }
            for name, database in databases.items():
                manifest["databases"][name] = dump_database(database, name, partial, progress)
            write_durably(partial / MANIFEST, json.dumps(manifest, indent=2).encode())
            owner_only_tree(partial)
            sync_folder(partial)
            partial.rename(backups.path / backup_id)
            sync_folder(backups.path)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    prune(backups)
    return backup_summary(manifest, backups.path / backup_id)


def remove_abandoned_partials(backups):
    """Delete what backups killed part-way left (``.<id>.partial``); called holding the
    folder's lock, so no live backup is writing any of them."""
    for leftover in backups.path.glob(".*.partial"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def write_durably(path, data):
    with open(path, "wb") as output:
        output.write(data)
        output.flush()
        os.fsync(output.fileno())


def sync_folder(path):
    """Make the folder's entries (new files, a rename) survive a crash of the machine."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def dump_database(database, name, folder, progress):
    """Write one database's tables from one snapshot; returns its manifest entry."""
    metadata = migrations.BASES[name].metadata
    (folder / name).mkdir()
    with database.snapshot() as connection:
        counts = table_files.table_counts(connection, metadata)
        progress.add_total(sum(counts.values()))
        tables = {}
        for table in metadata.sorted_tables:
            relative = f"{name}/{table.name}.jsonl"
            written = table_files.dump_table(connection, table, folder / relative, progress.advance)
            if written["rows"] != counts[table.name]:
                raise RuntimeError(f"{name}.{table.name} changed during its snapshot")
            tables[table.name] = {"file": relative, **written}
        version = migrations.current_revision(connection)
    sync_folder(folder / name)
    return {"dialect": database.dialect, "schema_version": version, "tables": tables}


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


def restore_backup(backups, databases, backup_id, confirm=False):
    """Replace the databases' rows with the backup's; returns rows restored per database."""
    folder = backups.folder(backup_id)
    manifest = verified_manifest(folder)
    for name, database in databases.items():
        check_restore_target(database, name, manifest, confirm)
    with backups.progress.running("restore", backup_id) as progress, ExitStack() as transactions:
        progress.add_total(total_rows(manifest))
        restored = {
            name: restore_database(
                transactions.enter_context(database.bulk_write()),
                name,
                folder,
                manifest,
                progress,
            )
            for name, database in databases.items()
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


def check_restore_target(database, name, manifest, confirm):
    """Refuse a restore the target database cannot take as asked."""
    backed_up = manifest["databases"].get(name)
    if backed_up is None:
        raise ValidationError.single("backup", f"has no {name} database")
    metadata = migrations.BASES[name].metadata
    with database.snapshot() as connection:
        version = migrations.current_revision(connection)
        rows = sum(table_files.table_counts(connection, metadata).values())
    if version != backed_up["schema_version"]:
        raise ValidationError.single(
            "schema_version",
            f"the backup's {name} database is at {backed_up['schema_version']}, the target at "
            f"{version}: migrate the target to the backup's version first",
        )
    missing = [
        table.name for table in metadata.sorted_tables if table.name not in backed_up["tables"]
    ]
    if missing:
        raise ValidationError.single("backup", f"{name} lacks tables {', '.join(missing)}")
    if rows and not confirm:
        raise ValidationError.single(
            "confirm", f"the {name} database holds {rows} rows: pass confirm=True to replace them"
        )
