"""The storage service: the only process that opens the two databases.

Its RPC surface is a data API grouped per database (``users_*`` and
``blog_*``), one call per use case, each call one transaction. The rules of
who may do what live in the users and blog services; storage keeps the data
consistent (schema constraints, transactions, migrations), takes and restores
backups (``services.backups``) and checks integrity across the two databases
(``services.database.integrity``).
"""

from typing import Any

from nameko.events import EventDispatcher

from common.clock import Clock
from common.contract import BACKUP_COMPLETED, BACKUP_FAILED, RESTORE_COMPLETED
from common.timestamps import from_unix_time
from services.backups import operations
from services.backups.providers import BackupStore, scheduled_backup
from services.database import authored, blog_data, integrity, users_data
from services.database.access import StorageDatabase
from services.database.health import database_health
from services.database.models import BlogBase, UsersBase
from services.database.stats import database_stats
from services.rpc.entrypoint import rpc
from services.rpc.request_log import RequestLog


class StorageService:
    name = "storage"

    users_db = StorageDatabase(UsersBase, "users")
    blog_db = StorageDatabase(BlogBase, "blog")
    request_log = RequestLog()
    backups = BackupStore()
    clock = Clock()
    dispatch = EventDispatcher()

    # -- health -------------------------------------------------------------

    @rpc
    def health(self) -> dict[str, dict[str, Any]]:
        """State of each database: ``{users: {ok, schema_version, schema_head, error}, blog: ...}``.

        ``ok`` is true when the database answers and its schema is at the newest
        migration this code knows.
        """
        return {
            "users": database_health(self.users_db, "users"),
            "blog": database_health(self.blog_db, "blog"),
        }

    # -- users database -----------------------------------------------------

    @rpc
    def users_create(self, username: str, email: str, password_hash: str) -> dict[str, Any]:
        """Insert a user; ``Conflict`` names the taken field (username or email)."""
        with self.users_db.write() as session:
            return users_data.create_user(session, username, email, password_hash)

    @rpc
    def users_get(self, user_id: int | None = None, username: str | None = None) -> dict[str, Any]:
        """The private record of a user by id or username (``NotFound`` if none)."""
        with self.users_db.rows() as session:
            return users_data.get_user(session, user_id=user_id, username=username)

    @rpc
    def users_get_credentials(
        self, email: str | None = None, user_id: int | None = None
    ) -> dict[str, Any] | None:
        """``{user, password_hash}`` by email (what login needs) or by id (what a password
        change needs), or ``None``."""
        with self.users_db.read() as session:
            return users_data.get_credentials(session, email=email, user_id=user_id)

    @rpc
    def users_update(self, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply column changes to a user; ``bump_token_version: true`` revokes old tokens."""
        with self.users_db.write() as session:
            return users_data.update_user(session, user_id, dict(changes))

    @rpc
    def users_profile(self, username: str, viewer_id: int | None = None) -> dict[str, Any]:
        """The public profile of ``username`` with ``following`` relative to the viewer."""
        with self.users_db.read() as session:
            return users_data.get_profile(session, username, viewer_id)

    @rpc
    def users_profiles(
        self, user_ids: list[int], viewer_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Profiles of many users in one call, in the order of ``user_ids``."""
        with self.users_db.rows() as session:
            return users_data.get_profiles(session, user_ids, viewer_id)

    @rpc
    def users_follow(self, follower_id: int, username: str) -> dict[str, Any]:
        """Record that ``follower_id`` follows ``username`` (idempotent); returns the profile."""
        with self.users_db.write() as session:
            return users_data.follow(session, follower_id, username)

    @rpc
    def users_unfollow(self, follower_id: int, username: str) -> dict[str, Any]:
        """Remove the follow if any; returns the profile."""
        with self.users_db.write() as session:
            return users_data.unfollow(session, follower_id, username)

    @rpc
    def users_following_ids(self, user_id: int) -> list[int]:
        """Ids of the users that ``user_id`` follows."""
        with self.users_db.read() as session:
            return users_data.following_ids(session, user_id)

    @rpc
    def users_list(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> dict[str, Any]:
        """Users by id with the total count, optionally filtered by a search string."""
        with self.users_db.read() as session:
            return users_data.list_users(session, limit, offset, query)

    @rpc
    def users_set_banned(self, username: str, banned: bool) -> dict[str, Any]:
        """Ban (revoking every token) or unban a user; returns the record."""
        with self.users_db.write() as session:
            return users_data.set_banned(session, username, banned)

    @rpc
    def users_delete(self, username: str) -> dict[str, Any]:
        """Delete a user and their follows; returns ``{id, username}``."""
        with self.users_db.write() as session:
            return users_data.delete_user(session, username)

    @rpc
    def users_session_create(
        self, user_id: int, token_hash: str, token_version: int, expires_at: str
    ) -> dict[str, Any]:
        """Record a browser session (by the hash of its token) until ``expires_at``."""
        with self.users_db.write() as session:
            return users_data.create_session(
                session, user_id, token_hash, token_version, expires_at
            )

    @rpc
    def users_session_get(self, token_hash: str) -> dict[str, Any] | None:
        """``{session: {user_id, token_version, created_at, expires_at}, user}``, or ``None``."""
        with self.users_db.read() as session:
            return users_data.get_session(session, token_hash)

    @rpc
    def users_session_renew(self, token_hash: str, expires_at: str) -> None:
        """Move a session's expiry to ``expires_at`` (an active browser stays signed in)."""
        with self.users_db.write() as session:
            users_data.renew_session(session, token_hash, expires_at)

    @rpc
    def users_session_delete(self, token_hash: str, now: float) -> None:
        """End one session (idempotent); sessions expired by ``now`` are removed too."""
        with self.users_db.write() as session:
            users_data.delete_session(session, token_hash, now)

    @rpc
    def users_end_all_sessions(self, user_id: int) -> dict[str, Any]:
        """End every session of a user and revoke their tokens; returns the user record."""
        with self.users_db.write() as session:
            return users_data.end_all_sessions(session, user_id)

    @rpc
    def users_count_attempts(
        self, counters: list[dict[str, Any]], window_seconds: int, now: float
    ) -> dict[str, Any]:
        """Count an attempt under each ``{key, limit}`` in the fixed window holding ``now``
        (``"add": 0`` only reads a counter): ``{allowed, retry_after, counts}``, shared by
        every instance that asks."""
        with self.users_db.write() as session:
            return users_data.count_attempts(session, counters, window_seconds, now)

    # -- blog database ------------------------------------------------------
    #
    # Articles and comments come back with their authors' profiles attached
    # (``author``, ``following`` relative to the viewer) from the users database,
    # so the blog service answers every request with this one call.

    @rpc
    def blog_create_article(
        self,
        author_id: int,
        slug: str,
        title: str,
        description: str,
        body: str,
        tag_list: list[str],
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Insert an article under ``slug`` or the next free ``slug-N``; returns it with its
        author. A repeated ``idempotency_key`` of the same author returns the first article."""
        with self.blog_db.write() as session:
            record = blog_data.create_article(
                session, author_id, slug, title, description, body, tag_list, idempotency_key
            )
        return self._with_author(record, author_id)

    @rpc
    def blog_get_article(self, slug: str, viewer_id: int | None = None) -> dict[str, Any]:
        """An article by slug with its author; ``favorited`` and ``following`` relative to
        the viewer."""
        with self.users_db.rows() as users, self.blog_db.rows() as blog:
            return authored.with_author(
                users, blog_data.get_article(blog, slug, viewer_id), viewer_id
            )

    @rpc
    def blog_update_article(
        self, slug: str, changes: dict[str, Any], only_author_id: int
    ) -> dict[str, Any]:
        """Apply changes if the article is by ``only_author_id``: ``{changed, article}``."""
        with self.blog_db.write() as session:
            result = blog_data.update_article(session, slug, changes, only_author_id)
        return {**result, "article": self._with_author(result["article"], only_author_id)}

    @rpc
    def blog_delete_article(self, slug: str, only_author_id: int) -> dict[str, Any]:
        """Delete if by ``only_author_id``: ``{deleted, author_id}``."""
        with self.blog_db.write() as session:
            return blog_data.delete_article(session, slug, only_author_id)

    @rpc
    def blog_list_articles(
        self,
        tag: str | None = None,
        author: str | None = None,
        favorited: str | None = None,
        limit: int = 20,
        offset: int = 0,
        viewer_id: int | None = None,
        with_body: bool = False,
    ) -> dict[str, Any]:
        """Articles newest first with their authors and ``articles_count``, bodies only
        ``with_body``; filtered by tag, author username and favoriting username (an
        unknown one gives an empty list)."""
        with self.users_db.rows() as users, self.blog_db.rows() as blog:
            filters = authored.list_filters(users, author, favorited)
            if filters is None:
                return authored.EMPTY_PAGE
            page = blog_data.list_articles(
                blog,
                tag,
                limit=limit,
                offset=offset,
                viewer_id=viewer_id,
                with_body=with_body,
                **filters,
            )
            return authored.page_with_authors(users, page, viewer_id)

    @rpc
    def blog_feed(self, user_id: int, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        """Articles by the authors ``user_id`` follows, newest first, as ``blog_list_articles``."""
        with self.users_db.rows() as users, self.blog_db.rows() as blog:
            followed = users_data.following_ids(users, user_id)
            if not followed:
                return authored.EMPTY_PAGE
            page = blog_data.list_articles(
                blog, author_ids=followed, limit=limit, offset=offset, viewer_id=user_id
            )
            return authored.page_with_authors(users, page, user_id)

    @rpc
    def blog_favorite(self, slug: str, user_id: int) -> dict[str, Any]:
        """Mark an article as a favorite of ``user_id`` (idempotent); returns the article."""
        with self.blog_db.write() as session:
            record = blog_data.favorite(session, slug, user_id)
        return self._with_author(record, user_id)

    @rpc
    def blog_unfavorite(self, slug: str, user_id: int) -> dict[str, Any]:
        """Remove the favorite if any; returns the article."""
        with self.blog_db.write() as session:
            record = blog_data.unfavorite(session, slug, user_id)
        return self._with_author(record, user_id)

    @rpc
    def blog_add_comment(
        self, slug: str, author_id: int, body: str, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Add a comment; a repeated ``idempotency_key`` of the same author returns the first."""
        with self.blog_db.write() as session:
            record = blog_data.add_comment(session, slug, author_id, body, idempotency_key)
        return self._with_author(record, author_id)

    @rpc
    def blog_list_comments(self, slug: str, viewer_id: int | None = None) -> list[dict[str, Any]]:
        """Comments of an article, oldest first, with their authors."""
        with self.users_db.rows() as users, self.blog_db.rows() as blog:
            return authored.with_authors(users, blog_data.list_comments(blog, slug), viewer_id)

    @rpc
    def blog_delete_comment(
        self, slug: str, comment_id: int, only_author_id: int
    ) -> dict[str, Any]:
        """Delete a comment if by ``only_author_id``: ``{deleted}``."""
        with self.blog_db.write() as session:
            return blog_data.delete_comment(session, slug, comment_id, only_author_id)

    @rpc
    def blog_list_tags(self) -> list[str]:
        """Tag names in use, most used first."""
        with self.blog_db.rows() as session:
            return blog_data.list_tags(session)

    @rpc
    def blog_delete_user_content(self, user_id: int) -> dict[str, int]:
        """Remove a user's articles, comments and favorites (idempotent); returns counts."""
        with self.blog_db.write() as session:
            return blog_data.delete_user_content(session, user_id)

    # -- operations ---------------------------------------------------------

    @rpc
    def backup(self) -> dict[str, Any]:
        """Take a backup of both databases now and return its summary.

        Each database is dumped from one consistent snapshot (a single read
        transaction) while writes go on; the result is a folder under
        ``BACKUP.DIR`` with ``manifest.json`` and one JSON Lines file per table.
        Only the newest ``BACKUP.KEEP`` backups are kept. Dispatches
        ``backup_completed`` (the summary) or ``backup_failed`` (``{error}``).
        Large databases take a while: call it with a long RPC timeout.
        """
        return self._backup(self.clock())

    @scheduled_backup
    def backup_on_schedule(self):
        """Take a backup every ``BACKUP.INTERVAL_SECONDS`` (never when 0).

        Storage instances that share ``BACKUP.DIR`` (``--scale storage=3``) take
        turns: only the first to claim each interval-long time slot backs up."""
        now = self.clock()
        if self.backups.claim_scheduled_slot(now):
            self._backup(now)

    @rpc
    def list_backups(self) -> list[dict[str, Any]]:
        """Summaries of the complete backups, newest first: ``[{id, created_at,
        databases: {users: {dialect, schema_version, rows: {table: n}}, blog: ...},
        size_bytes}]``; a backup whose manifest cannot be read appears as ``{id, error}``."""
        return operations.list_backups(self.backups)

    @rpc
    def verify_backup(self, backup_id: str) -> dict[str, Any]:
        """Check a backup against its manifest: ``{id, ok, problems}``, where
        ``problems`` lists missing files, wrong row counts and checksum mismatches.
        ``NotFound`` for an unknown id."""
        return operations.verify_backup(self.backups, backup_id)

    @rpc
    def restore(self, backup_id: str, confirm: bool = False) -> dict[str, Any]:
        """Replace the rows of both databases with those of a backup.

        The backup must pass ``verify_backup`` and each database must be migrated
        to the backup's schema version; a database that holds rows is replaced
        only with ``confirm=True`` (else ``ValidationError`` on ``confirm``).
        Each database is restored in one transaction; id sequences continue after
        the restored ids. Returns ``{id, restored: {users: {table: rows}, blog: ...}}``.
        Dispatches ``restore_completed`` (``{id}``): every web process's read cache forgets
        what it held of the databases as they were.
        """
        result = operations.restore_backup(
            self.backups, self._databases(), backup_id, confirm=confirm
        )
        self.dispatch(RESTORE_COMPLETED.name, {"id": result["id"]})
        return result

    @rpc
    def backup_progress(self) -> dict[str, Any]:
        """How far the backup or restore running on ``BACKUP.DIR`` is, whichever
        storage instance runs it:
        ``{operation, backup_id, done, total}`` in rows (``operation`` null when idle)."""
        return self.backups.progress.current()

    @rpc
    def stats(self) -> dict[str, Any]:
        """Per database: dialect, schema version and row count of every table."""
        return database_stats(self._databases())

    @rpc
    def check_integrity(self, repair: bool = False) -> dict[str, Any]:
        """Find blog rows left behind by lost events and, with ``repair=True``, remove them.

        Returns ``{ok, missing_user_ids, orphans: {articles, comments, favorites},
        unused_tags, repaired}``: the ids of users the blog database refers to but
        the users database no longer has, how many rows they left, and tags no
        article uses. A repair deletes exactly those, as the ``user_deleted``
        handler would have.
        """
        return integrity.check_integrity(self.users_db, self.blog_db, repair=repair)

    def _with_author(self, record, viewer_id):
        """A record just written, with its author's profile."""
        with self.users_db.rows() as users:
            return authored.with_author(users, record, viewer_id)

    def _backup(self, timestamp):
        now = from_unix_time(timestamp)
        try:
            summary = operations.create_backup(self.backups, self._databases(), now)
        except Exception as exc:
            self.dispatch(BACKUP_FAILED.name, {"error": str(exc)})
            raise
        self.dispatch(BACKUP_COMPLETED.name, summary)
        return summary

    def _databases(self):
        return {"users": self.users_db, "blog": self.blog_db}
