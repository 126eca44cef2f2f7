"""The blog service: articles, tags, favorites, comments and feeds.

It owns the rules of who may change what; the storage service keeps the data
and answers each call with the authors' profiles attached, so a request costs
the blog one storage call. When a user is deleted it removes their content
(``handle_user_deleted``), idempotently.
"""

import logging
from typing import Any

import eventlet
from nameko.events import EventDispatcher

from common.contract import (
    ARTICLE_DELETED,
    ARTICLE_FAVORITED,
    ARTICLE_PUBLISHED,
    ARTICLE_UNFAVORITED,
    ARTICLE_UPDATED,
    COMMENT_ADDED,
    COMMENT_DELETED,
)
from services.articles import rules, schemas
from services.rpc.entrypoint import rpc
from services.rpc.guard import event_handler
from services.rpc.request_key import RequestKey
from services.rpc.request_log import RequestLog
from services.rpc.timed_proxy import TimedRpcProxy

EVENT_RETRY_SECONDS = 1
"""Pause before a failed event goes back to its queue, so a handler whose storage
is down retries about once a second instead of spinning."""

log = logging.getLogger(__name__)


class BlogService:
    name = "blog"

    storage = TimedRpcProxy("storage")
    dispatch = EventDispatcher()
    request_log = RequestLog()
    request_key = RequestKey()

    # -- articles -----------------------------------------------------------

    @rpc
    def check_article(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Check article fields (any of title, description, body, tag_list) against the
        rules ``create_article`` and ``update_article`` apply, saving nothing: the fields
        as they would be stored, or ``ValidationError`` per field. The frontend's editor
        asks before it renders a preview, so a preview is held to the article's limits."""
        return rules.validate_article_changes(fields)

    @rpc
    def create_article(
        self,
        author_id: int,
        title: str,
        description: str,
        body: str,
        tag_list: list[str] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Publish an article; its slug comes from the title and is made unique.

        Repeating a call with the same ``idempotency_key`` returns the article made
        the first time. Without one, the request's own key is stored (see
        ``services.rpc.request_key``), so a redelivered request publishes once.
        Dispatches ``article_published``.
        """
        fields = rules.validate_new_article(title, description, body, tag_list)
        idempotency_key = rules.validate_idempotency_key(idempotency_key) or self.request_key
        record = self.storage.blog_create_article(
            author_id,
            rules.slugify(fields["title"]),
            fields["title"],
            fields["description"],
            fields["body"],
            fields["tag_list"],
            idempotency_key,
        )
        self.dispatch(ARTICLE_PUBLISHED.name, schemas.article_event(record))
        return record

    @rpc
    def get_article(self, slug: str, viewer_id: int | None = None) -> dict[str, Any]:
        """One article by slug, ``favorited`` and ``author.following`` relative to the viewer."""
        return self.storage.blog_get_article(slug, viewer_id)

    @rpc
    def get_article_for_editing(self, slug: str, user_id: int) -> dict[str, Any]:
        """The article as ``get_article`` gives it, for its author to edit;
        ``PermissionDenied`` for anyone else (the frontend's editor opens with it)."""
        record = self.storage.blog_get_article(slug, user_id)
        rules.require_author(record["author"]["id"] == user_id, "article")
        return record

    @rpc
    def update_article(self, slug: str, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change title, description, body or tag_list; only the author may. The slug
        stays the same so links keep working. Dispatches ``article_updated``."""
        fields = rules.validate_article_changes(changes)
        result = self.storage.blog_update_article(slug, fields, user_id)
        rules.require_author(result["changed"], "article")
        self.dispatch(ARTICLE_UPDATED.name, schemas.article_event(result["article"]))
        return result["article"]

    @rpc
    def delete_article(self, slug: str, user_id: int) -> None:
        """Delete an article with its comments and favorites; only the author may.
        Dispatches ``article_deleted``."""
        result = self.storage.blog_delete_article(slug, user_id)
        rules.require_author(result["deleted"], "article")
        self.dispatch(ARTICLE_DELETED.name, {"slug": slug, "author_id": result["author_id"]})

    @rpc
    def list_articles(
        self,
        tag: str | None = None,
        author: str | None = None,
        favorited: str | None = None,
        limit: int = 20,
        offset: int = 0,
        viewer_id: int | None = None,
        with_body: bool = False,
    ) -> dict[str, Any]:
        """Articles newest first, filtered by tag, author username and favoriting
        username; ``articles_count`` is the total before ``limit`` and ``offset``. Items
        carry no ``body`` unless ``with_body`` (an Atom feed needs it, a page does not)."""
        limit, offset = rules.validate_page(limit, offset)
        return self.storage.blog_list_articles(
            tag, author, favorited, limit, offset, viewer_id, bool(with_body)
        )

    @rpc
    def feed(self, user_id: int, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        """Articles by the authors ``user_id`` follows, newest first, with the total."""
        limit, offset = rules.validate_page(limit, offset)
        return self.storage.blog_feed(user_id, limit, offset)

    # -- favorites ------------------------------------------------------------

    @rpc
    def favorite_article(self, slug: str, user_id: int) -> dict[str, Any]:
        """Favorite an article (twice counts once); returns it with the new count.
        Dispatches ``article_favorited``."""
        record = self.storage.blog_favorite(slug, user_id)
        self.dispatch(ARTICLE_FAVORITED.name, {"slug": slug, "user_id": user_id})
        return record

    @rpc
    def unfavorite_article(self, slug: str, user_id: int) -> dict[str, Any]:
        """Remove a favorite; returns the article with the new count.
        Dispatches ``article_unfavorited``."""
        record = self.storage.blog_unfavorite(slug, user_id)
        self.dispatch(ARTICLE_UNFAVORITED.name, {"slug": slug, "user_id": user_id})
        return record

    # -- comments -------------------------------------------------------------

    @rpc
    def add_comment(
        self, slug: str, author_id: int, body: str, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Comment on an article; a repeated ``idempotency_key`` returns the first comment
        (without one, the request's own key: a redelivered request comments once).
        Dispatches ``comment_added``."""
        body = rules.validate_comment(body)
        idempotency_key = rules.validate_idempotency_key(idempotency_key) or self.request_key
        record = self.storage.blog_add_comment(slug, author_id, body, idempotency_key)
        self.dispatch(COMMENT_ADDED.name, schemas.comment_event(slug, record))
        return record

    @rpc
    def list_comments(self, slug: str, viewer_id: int | None = None) -> list[dict[str, Any]]:
        """Comments of an article, oldest first, with author profiles."""
        return self.storage.blog_list_comments(slug, viewer_id)

    @rpc
    def delete_comment(self, slug: str, comment_id: int, user_id: int) -> None:
        """Delete a comment; only its author may. Dispatches ``comment_deleted``."""
        result = self.storage.blog_delete_comment(slug, comment_id, user_id)
        rules.require_author(result["deleted"], "comment")
        self.dispatch(
            COMMENT_DELETED.name, {"slug": slug, "comment_id": comment_id, "author_id": user_id}
        )

    @rpc
    def list_tags(self) -> list[str]:
        """Tag names in use, most used first."""
        return self.storage.blog_list_tags()

    # -- events ---------------------------------------------------------------

    @event_handler("users", "user_deleted", requeue_on_error=True)
    def handle_user_deleted(self, payload):
        """Remove a deleted user's articles, comments and favorites (safe to repeat).

        The removal is one storage transaction. If it fails (storage or its
        database down), the event goes back to the queue after a short pause and
        is handled again until it succeeds: an event acknowledged on failure
        would leave the user's content behind for good. A payload without a
        user id can never succeed and is dropped with an error in the log."""
        user_id = payload.get("id") if isinstance(payload, dict) else None
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            log.error("user_deleted event without a user id dropped: %r", payload)
            return
        try:
            self.storage.blog_delete_user_content(user_id)
        except Exception:
            log.warning(
                "user_deleted of user %s failed; redelivered in %s s",
                user_id,
                EVENT_RETRY_SECONDS,
                exc_info=True,
            )
            eventlet.sleep(EVENT_RETRY_SECONDS)
            raise
