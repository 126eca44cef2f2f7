"""The events the services dispatch that change what the web tier reads, per exchange.

The web tier's read cache (``rpc_client/read_cache.py``) listens to all of them, and the
broker accounts (``admin/broker_accounts.py``) let each service dispatch its own and the web
tier handle them all."""

DISPATCHED_EVENTS = {
    "users.events": ["user_registered", "user_updated", "user_deleted", "user_followed",
                     "user_unfollowed", "session_ended"],
    "blog.events": ["article_published", "article_updated", "article_deleted",
                    "article_favorited", "article_unfavorited", "comment_added",
                    "comment_deleted"],
    "storage.events": ["restore_completed"],
}
