"""Backups of the two databases, run by the storage service: its nameko
extensions, the backup folder and its locks, the manifest, and the backup,
verify and restore operations. Reads and writes the databases only through
``services.database``."""
