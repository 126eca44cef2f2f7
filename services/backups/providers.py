"""The backup extensions of the storage service: the ``BackupDirectory`` it is
given (``BackupStore``) and the timer of scheduled backups (``scheduled_backup``),
both configured by the ``BACKUP`` section of the config."""

from pathlib import Path

from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from common.config import backup_settings
from services.backups.folder import BackupDirectory
from services.database.file_modes import owner_only_folder


def backup_interval(config):
    """Seconds between scheduled backups (``BACKUP.INTERVAL_SECONDS``; 0: none)."""
    return float(backup_settings(config)["INTERVAL_SECONDS"])


class BackupStore(DependencyProvider):
    """Injects the ``BackupDirectory`` configured by the ``BACKUP`` section."""

    def setup(self):
        settings = backup_settings(self.container.config)
        self.backups = BackupDirectory(
            Path(settings["DIR"]),
            int(settings["KEEP"]),
            backup_interval(self.container.config),
        )
        owner_only_folder(self.backups.path)

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
