"""How far the running backup or restore is, shared through files of the backup
folder: every storage instance sharing the folder sees the same state."""

import fcntl
import json
import os
from contextlib import contextmanager

import eventlet


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
