"""Files of the data: readable by their owner only.

SQLite database files are created (or narrowed) to 0600 before SQLite opens
them; SQLite gives its -wal and -shm files the same mode. Narrowing only takes
permissions away: a file made read-only stays read-only (storage then starts,
reads, and refuses writes until it is writable again). The backup folder is
0700 and everything in a backup is 0600 (folders 0700), whatever the umask.
"""

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700


def owner_only_sqlite_file(uri):
    """Create the SQLite file of ``uri`` as 0600, or narrow an existing one (and its
    -wal/-shm files) to at most 0600; other engines and in-memory databases are left
    alone. An existing file is never opened for writing nor given a write permission
    it lacks: a read-only database stays read-only."""
    url = make_url(str(uri))
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE))
    except FileExistsError:
        pass
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if mode & ~OWNER_ONLY_FILE:
                os.chmod(candidate, mode & OWNER_ONLY_FILE)


def owner_only_folder(path):
    """Create ``path`` (and parents) and make it 0700."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, OWNER_ONLY_FOLDER)


def owner_only_tree(path):
    """Make every folder under ``path`` 0700 and every file 0600."""
    os.chmod(path, OWNER_ONLY_FOLDER)
    for root, folders, files in os.walk(path):
        for name in folders:
            os.chmod(os.path.join(root, name), OWNER_ONLY_FOLDER)
        for name in files:
            os.chmod(os.path.join(root, name), OWNER_ONLY_FILE)
