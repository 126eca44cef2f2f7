"""The folder backups live in: the ids of the complete backups, retention, and
the claim of each scheduled time slot among the storage instances sharing it."""

import re
import shutil

from common.errors import NotFound
from services.backups.progress import Progress

BACKUP_ID = re.compile(r"^\d{8}T\d{12}Z$")


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


def prune(backups):
    """Delete all but the newest ``keep`` backups; returns the ids deleted."""
    doomed = backups.backup_ids()[max(backups.keep, 1) :]
    for backup_id in doomed:
        shutil.rmtree(backups.path / backup_id)
    return doomed
