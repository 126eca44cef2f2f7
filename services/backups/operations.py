"""Backups of the two databases: create, list, verify, restore, retention.

A backup is a directory ``BACKUP.DIR/<id>/`` holding ``manifest.json`` and one
JSON Lines file per table (``users/users.jsonl``, ``blog/articles.jsonl``...,
see ``services.database.snapshot``). The manifest records the id, the time, and per
database its dialect, schema version (Alembic revision) and per table the
file, row count and sha256. A backup is written under ``.<id>.partial`` and
renamed when complete, so a directory with a backup id is always whole.

Restore verifies the backup first, requires each target database to be
migrated to the backup's schema version, and refuses to replace existing rows
unless ``confirm`` is true. One backup or restore runs at a time per backup
folder, whichever storage instance runs it; ``Progress`` tells how far it is.
"""
import fcntl
import json
import os
import re
import shutil
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path

import eventlet
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from services.database import migrations, snapshot
from services.errors import NotFound, ValidationError
from services.timestamps import isoformat

FORMAT = 1
MANIFEST = "manifest.json"
BACKUP_ID = re.compile(r"^\d{8}T\d{12}Z$")


# -- dependencies ---------------------------------------------------------------


def backup_interval(config):
    """Seconds between scheduled backups (``BACKUP.INTERVAL_SECONDS``; 0: none)."""
    return float(config.get("BACKUP", {}).get("INTERVAL_SECONDS", 0))


class BackupStore(DependencyProvider):
    """Injects the ``BackupDirectory`` configured by the ``BACKUP`` section."""

    def setup(self):
        settings = self.container.config.get("BACKUP", {})
        self.backups = BackupDirectory(
            Path(settings.get("DIR", "var/backups")),
            int(settings.get("KEEP", 10)),
            backup_interval(self.container.config),
        )
        self.backups.path.mkdir(parents=True, exist_ok=True)

    def get_dependency(self, worker_ctx):
        return self.backups


class BackupTimer(Timer):
    """A timer firing every ``BACKUP.INTERVAL_SECONDS`` (0 or less: never)."""

    def __init__(self, **kwargs):
        super().__init__(interval=None, **kwargs)

    def setup(self):
        self.interval = backup_interval(self.container.config)

    def start(self):
        if self.interval > 0:
            super().start()

    def stop(self):
        if self.gt is not None:
            super().stop()

    def kill(self):
        if self.gt is not None:
            super().kill()


scheduled_backup = BackupTimer.decorator


class BackupDirectory:
    """Where backups live, how many to keep, how often to take one, and the
    progress of the running one."""

    def __init__(self, path, keep, interval):
        self.path = path
        self.keep = keep
        self.interval = interval
        self.progress = Progress(path)

    def claim_scheduled_slot(self, now):
        """Claim the scheduled backup of the interval-long time slot holding ``now``
        (Unix seconds): true for the first caller among every process sharing this
        directory, false for the rest. The claim is a marker file created
        exclusively; claims of earlier slots are removed."""
        marker = self.path / f".scheduled-{int(now // self.interval)}"
        try:
            marker.touch(exist_ok=False)
        except FileExistsError:
            return False
        for earlier in self.path.glob(".scheduled-*"):
            if earlier != marker:
                earlier.unlink(missing_ok=True)
        return True

    def folder(self, backup_id):
        """The folder of an existing backup; ``NotFound`` otherwise."""
        if not BACKUP_ID.match(str(backup_id)) or not (self.path / backup_id).is_dir():
            raise NotFound(f"backup '{backup_id}' not found")
        return self.path / backup_id

    def backup_ids(self):
        """Ids of the complete backups, newest first."""
        names = (entry.name for entry in self.path.iterdir() if entry.is_dir())
        return sorted((name for name in names if BACKUP_ID.match(name)), reverse=True)


class Progress:
    """The backup or restore running on one backup folder, seen alike by every
    storage instance that shares the folder.

    One operation runs at a time per folder: the runner holds an exclusive
    ``flock`` on ``.running`` (the kernel releases it if the process dies) and
    keeps its rows done in ``.progress.json`` for ``current()`` on any instance.
    """

    IDLE = {"operation": None, "backup_id": None, "done": 0, "total": 0}
    WAIT_SECONDS = 0.1

    def __init__(self, folder):
        self.lock_path = folder / ".running"
        self.state_path = folder / ".progress.json"
        self.state = dict(self.IDLE)

    @contextmanager
    def running(self, operation, backup_id):
        with self._exclusive_lock():
            self.state = {**self.IDLE, "operation": operation, "backup_id": backup_id}
            self._publish()
            try:
                yield self
            finally:
                self.state = dict(self.IDLE)
                self._publish()

    def current(self):
        """The running operation's state, whichever instance runs it; idle if none."""
        if not self._taken():
            return dict(self.IDLE)
        try:
            return json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return dict(self.IDLE)

    def add_total(self, rows):
        self.state["total"] += rows
        self._publish()

    def advance(self, rows):
        self.state["done"] += rows
        self._publish()

    @contextmanager
    def _exclusive_lock(self):
        """Wait (without blocking other green threads) until no other operation runs."""
        with open(self.lock_path, "a") as lock:
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    eventlet.sleep(self.WAIT_SECONDS)
            yield

    def _taken(self):
        """Whether a process holds the lock, that is, an operation runs."""
        try:
            with open(self.lock_path, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:  # no folder to lock: nothing can run
            return False
        return False

    def _publish(self):
        """Replace ``.progress.json`` whole, so a reader never sees half of it."""
        partial = self.state_path.with_name(f".progress.{os.getpid()}.partial")
        partial.write_text(json.dumps(self.state))
        os.replace(partial, self.state_path)


# -- operations -----------------------------------------------------------------


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
    with snapshot.snapshot(engine) as connection:
        counts = snapshot.table_counts(connection, metadata)
        progress.add_total(sum(counts.values()))
        tables = {}
        for table in metadata.sorted_tables:
            relative = f"{name}/{table.name}.jsonl"
            written = snapshot.dump_table(
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
                transactions.enter_context(snapshot.write_transaction(engine)),
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
    snapshot.clear_tables(connection, metadata)
    rows = {
        table.name: snapshot.load_table(
            connection, table, folder / tables[table.name]["file"], progress.advance
        )
        for table in metadata.sorted_tables
    }
    snapshot.reset_sequences(connection, metadata)
    return rows


def database_stats(engines):
    """Per database: dialect, schema version and rows per table."""
    stats = {}
    for name, engine in engines.items():
        with snapshot.snapshot(engine) as connection:
            stats[name] = {
                "dialect": engine.dialect.name,
                "schema_version": migrations.current_revision(connection),
                "tables": snapshot.table_counts(
                    connection, migrations.BASES[name].metadata
                ),
            }
    return stats


def prune(backups):
    """Delete all but the newest ``keep`` backups; returns the ids deleted."""
    doomed = backups.backup_ids()[max(backups.keep, 1):]
    for backup_id in doomed:
        shutil.rmtree(backups.path / backup_id)
    return doomed


# -- manifest -------------------------------------------------------------------


def new_backup_id(now):
    """A sortable id from the time: ``20261123T185752123456Z``."""
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def read_manifest(folder):
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ValidationError.single("backup", f"unreadable manifest: {exc}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValidationError.single("backup", f"manifest is not of format {FORMAT}")
    return manifest


def file_problems(folder, manifest):
    """What does not match the manifest: missing files, row counts, checksums."""
    problems = []
    for name, database in manifest.get("databases", {}).items():
        for table, entry in database.get("tables", {}).items():
            path = folder / entry["file"]
            if not path.is_file() or folder.resolve() not in path.resolve().parents:
                problems.append(f"{name}.{table}: file {entry['file']} is missing")
                continue
            actual = snapshot.file_digest(path)
            if actual["sha256"] != entry["sha256"]:
                problems.append(f"{name}.{table}: checksum of {entry['file']} does not match")
            if actual["rows"] != entry["rows"]:
                problems.append(f"{name}.{table}: {actual['rows']} rows, manifest says "
                                f"{entry['rows']}")
    return problems


def verified_manifest(folder):
    """The manifest of a backup that passes verification; ``ValidationError`` if not."""
    manifest = read_manifest(folder)
    problems = file_problems(folder, manifest)
    if problems:
        raise ValidationError({"backup": ["failed verification"] + problems})
    return manifest


def check_restore_target(engine, name, manifest, confirm):
    """Refuse a restore the target database cannot take as asked."""
    database = manifest["databases"].get(name)
    if database is None:
        raise ValidationError.single("backup", f"has no {name} database")
    metadata = migrations.BASES[name].metadata
    with snapshot.snapshot(engine) as connection:
        version = migrations.current_revision(connection)
        rows = sum(snapshot.table_counts(connection, metadata).values())
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


def total_rows(manifest):
    return sum(
        entry["rows"]
        for database in manifest["databases"].values()
        for entry in database["tables"].values()
    )


def backup_summary(manifest, folder):
    """``{id, created_at, databases: {name: {dialect, schema_version, rows}}, size_bytes}``."""
    return {
        "id": manifest["id"],
        "created_at": manifest["created_at"],
        "databases": {
            name: {
                "dialect": database["dialect"],
                "schema_version": database["schema_version"],
                "rows": {table: entry["rows"] for table, entry in database["tables"].items()},
            }
            for name, database in manifest["databases"].items()
        },
        "size_bytes": sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()),
    }


def utc_now(timestamp):
    """The aware UTC datetime of a Unix time (what the ``Clock`` dependency gives)."""
    return datetime.fromtimestamp(timestamp, timezone.utc)
