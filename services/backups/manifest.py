"""The manifest of a backup, ``manifest.json``: its format, reading, checking
the files against it, and the summary shown to admins.

The manifest records the id, the time, and per database its dialect, schema
version (Alembic revision) and per table the file, row count and sha256.
"""

import json

from common.errors import ValidationError
from common.timestamps import as_naive_utc
from services.database import table_files

FORMAT = 1
MANIFEST = "manifest.json"


def new_backup_id(now):
    """A sortable id from the time: ``20261123T185752123456Z``."""
    return as_naive_utc(now).strftime("%Y%m%dT%H%M%S%fZ")


def read_manifest(folder):
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ValidationError.single("backup", f"unreadable manifest: {exc}") from None
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
            actual = table_files.file_digest(path)
            if actual["sha256"] != entry["sha256"]:
                problems.append(f"{name}.{table}: checksum of {entry['file']} does not match")
            if actual["rows"] != entry["rows"]:
                problems.append(
                    f"{name}.{table}: {actual['rows']} rows, manifest says {entry['rows']}"
                )
    return problems


def verified_manifest(folder):
    """The manifest of a backup that passes verification; ``ValidationError`` if not."""
    manifest = read_manifest(folder)
    problems = file_problems(folder, manifest)
    if problems:
        raise ValidationError({"backup": ["failed verification"] + problems})
    return manifest


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
