"""The RPC contract: every method of every service and every event, declared once.

For each method: whether it reads or writes, which events it dispatches, which callers
may use it and, for a read, whether the web tier may cache its answer. For each event:
the service that dispatches it, its payload's fields and whether it clears the web
tier's read cache. Everything that used to keep its own list derives from here:

* the web tier's read cache (``rpc_client/read_cache.py``): what it caches, which calls
  clear it, which events it listens to;
* the broker accounts (``admin/broker_accounts.py``): what each part may call, dispatch
  and handle;
* the services' ``dispatch`` calls, which name the event constants below;
* the method and event tables of ``docs/rpc.md`` (``python -m scripts.rpc_doc``).

``tests/unit/test_contract.py`` holds the services to it: an ``@rpc`` method, an event
handler or a dispatched event the declaration lacks fails there, and so does a
declared one the services lack.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

USERS = "users"
BLOG = "blog"
STORAGE = "storage"
SERVICES = (USERS, BLOG, STORAGE)

GATEWAY = "gateway"
FRONTEND = "frontend"
ADMIN = "admin"
"""The operators' tools (``blogadmin``, ``nameko shell``). Their broker account may call
every method; a method names ``ADMIN`` among its callers when it is there for them."""
CALLERS = (GATEWAY, FRONTEND, ADMIN, *SERVICES)
"""Who may call: the two web apps, the admin tools, and the services themselves (a
service calls another, and each service container's health check calls its own probe)."""

WEB = frozenset({GATEWAY, FRONTEND})


class Access(Enum):
    """``WRITE`` changes the records the services keep (accounts, sessions, follows,
    articles, comments, favorites, backups); ``READ`` answers from them. Counting login
    attempts and renewing a session in use are bookkeeping, not writes."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Event:
    """One event type: ``source`` dispatches it on the ``<source>.events`` exchange with a
    payload of exactly ``payload``'s fields. ``clears_reads``: it changes what a read of
    the web tier's cache answers, so every web process clears its cache on it."""

    source: str
    name: str
    payload: tuple[str, ...]
    clears_reads: bool = True

    @property
    def exchange(self) -> str:
        return f"{self.source}.events"


USER_REGISTERED = Event(USERS, "user_registered", ("id", "username"))
USER_UPDATED = Event(USERS, "user_updated", ("id", "username"))
USER_DELETED = Event(USERS, "user_deleted", ("id", "username"))
USER_FOLLOWED = Event(USERS, "user_followed", ("follower_id", "followee_id"))
USER_UNFOLLOWED = Event(USERS, "user_unfollowed", ("follower_id", "followee_id"))
SESSION_ENDED = Event(USERS, "session_ended", ())
ARTICLE_PUBLISHED = Event(BLOG, "article_published", ("slug", "author_id"))
ARTICLE_UPDATED = Event(BLOG, "article_updated", ("slug", "author_id"))
ARTICLE_DELETED = Event(BLOG, "article_deleted", ("slug", "author_id"))
ARTICLE_FAVORITED = Event(BLOG, "article_favorited", ("slug", "user_id"))
ARTICLE_UNFAVORITED = Event(BLOG, "article_unfavorited", ("slug", "user_id"))
COMMENT_ADDED = Event(BLOG, "comment_added", ("slug", "comment_id", "author_id"))
COMMENT_DELETED = Event(BLOG, "comment_deleted", ("slug", "comment_id", "author_id"))
RESTORE_COMPLETED = Event(STORAGE, "restore_completed", ("id",))
BACKUP_COMPLETED = Event(
    STORAGE, "backup_completed", ("id", "created_at", "databases", "size_bytes"), clears_reads=False
)
BACKUP_FAILED = Event(STORAGE, "backup_failed", ("error",), clears_reads=False)

EVENTS = (
    USER_REGISTERED,
    USER_UPDATED,
    USER_DELETED,
    USER_FOLLOWED,
    USER_UNFOLLOWED,
    SESSION_ENDED,
    ARTICLE_PUBLISHED,
    ARTICLE_UPDATED,
    ARTICLE_DELETED,
    ARTICLE_FAVORITED,
    ARTICLE_UNFAVORITED,
    COMMENT_ADDED,
    COMMENT_DELETED,
    RESTORE_COMPLETED,
    BACKUP_COMPLETED,
    BACKUP_FAILED,
)

HANDLES: dict[str, tuple[Event, ...]] = {
    BLOG: (USER_DELETED,),  # removes the deleted user's articles, comments and favorites
}
"""The events each service handles (its ``event_handler`` entrypoints)."""


@dataclass(frozen=True)
class Method:
    """One RPC method. ``web_cached``: a read whose answer the web tier may cache, because
    it depends only on records whose every write dispatches an event that ``clears_reads``."""

    access: Access
    callers: frozenset[str]
    dispatches: tuple[Event, ...] = ()
    web_cached: bool = False

    def __post_init__(self) -> None:
        if self.web_cached and self.access is not Access.READ:
            raise ValueError("only a read may be cached")
        if self.dispatches and self.access is not Access.WRITE:
            raise ValueError("only a write dispatches events")
        if not self.callers <= set(CALLERS):
            raise ValueError(f"unknown callers: {sorted(self.callers - set(CALLERS))}")


def read(*callers: str | frozenset[str], web_cached: bool = False) -> Method:
    return Method(Access.READ, _callers(callers), web_cached=web_cached)


def write(*callers: str | frozenset[str], dispatches: tuple[Event, ...] = ()) -> Method:
    return Method(Access.WRITE, _callers(callers), dispatches)


def _callers(callers: tuple[str | frozenset[str], ...]) -> frozenset[str]:
    return frozenset().union(
        *({caller} if isinstance(caller, str) else caller for caller in callers)
    )


METHODS: dict[str, dict[str, Method]] = {
    USERS: {
        "register": write(WEB, dispatches=(USER_REGISTERED,)),
        "login": read(WEB),
        "verify_token": read(GATEWAY, web_cached=True),  # API tokens only
        "verify_session": read(FRONTEND, web_cached=True),  # browser sessions: the frontend's alone
        "start_session": write(FRONTEND),
        "end_session": write(FRONTEND, dispatches=(SESSION_ENDED,)),
        "end_all_sessions": write(FRONTEND, dispatches=(USER_UPDATED,)),
        "get_user": read(ADMIN),
        "update_user": write(WEB, dispatches=(USER_UPDATED,)),
        "get_profile": read(WEB, web_cached=True),
        "get_profiles": read(GATEWAY, USERS),  # the users health probe
        "follow_user": write(WEB, dispatches=(USER_FOLLOWED,)),
        "unfollow_user": write(WEB, dispatches=(USER_UNFOLLOWED,)),
        "following_ids": read(ADMIN),
        "list_users": read(ADMIN),
        "ban_user": write(ADMIN, dispatches=(USER_UPDATED,)),
        "unban_user": write(ADMIN, dispatches=(USER_UPDATED,)),
        "delete_user": write(ADMIN, dispatches=(USER_DELETED,)),
    },
    BLOG: {
        "create_article": write(WEB, dispatches=(ARTICLE_PUBLISHED,)),
        "get_article": read(WEB, web_cached=True),
        "get_article_for_editing": read(FRONTEND),
        "check_article": read(FRONTEND),  # the editor's preview, held to the article's rules
        "update_article": write(WEB, dispatches=(ARTICLE_UPDATED,)),
        "delete_article": write(WEB, dispatches=(ARTICLE_DELETED,)),
        "list_articles": read(WEB, web_cached=True),
        "feed": read(WEB, web_cached=True),
        "favorite_article": write(WEB, dispatches=(ARTICLE_FAVORITED,)),
        "unfavorite_article": write(WEB, dispatches=(ARTICLE_UNFAVORITED,)),
        "add_comment": write(WEB, dispatches=(COMMENT_ADDED,)),
        "list_comments": read(WEB, web_cached=True),
        "delete_comment": write(WEB, dispatches=(COMMENT_DELETED,)),
        "list_tags": read(WEB, BLOG, web_cached=True),  # also the blog health probe
    },
    STORAGE: {
        "health": read(GATEWAY, STORAGE, ADMIN),  # the storage health probe
        "users_create": write(USERS),
        "users_get": read(USERS),
        "users_get_credentials": read(USERS),
        "users_update": write(USERS),
        "users_profile": read(USERS),
        "users_profiles": read(USERS),
        "users_follow": write(USERS),
        "users_unfollow": write(USERS),
        "users_following_ids": read(USERS),
        "users_list": read(USERS),
        "users_set_banned": write(USERS),
        "users_delete": write(USERS),
        "users_session_create": write(USERS),
        "users_session_get": read(USERS),
        "users_session_renew": write(USERS),
        "users_session_delete": write(USERS),
        "users_end_all_sessions": write(USERS),
        "users_count_attempts": write(USERS),
        "blog_create_article": write(BLOG),
        "blog_get_article": read(BLOG),
        "blog_update_article": write(BLOG),
        "blog_delete_article": write(BLOG),
        "blog_list_articles": read(BLOG),
        "blog_feed": read(BLOG),
        "blog_favorite": write(BLOG),
        "blog_unfavorite": write(BLOG),
        "blog_add_comment": write(BLOG),
        "blog_list_comments": read(BLOG),
        "blog_delete_comment": write(BLOG),
        "blog_list_tags": read(BLOG),
        "blog_delete_user_content": write(BLOG),
        "backup": write(ADMIN, dispatches=(BACKUP_COMPLETED, BACKUP_FAILED)),
        "list_backups": read(ADMIN),
        "verify_backup": read(ADMIN),
        "restore": write(ADMIN, dispatches=(RESTORE_COMPLETED,)),
        "backup_progress": read(ADMIN),
        "stats": read(ADMIN),
        "check_integrity": write(ADMIN),  # removes what it finds only when asked to repair
    },
}


def methods() -> Iterator[tuple[str, str, Method]]:
    """Every declared method as ``(service, name, method)``."""
    for service, declared in METHODS.items():
        for name, method in declared.items():
            yield service, name, method


def cached_reads() -> frozenset[tuple[str, str]]:
    """``(service, method)`` of the reads the web tier may cache."""
    return frozenset((service, name) for service, name, method in methods() if method.web_cached)


def cache_clearing_calls() -> frozenset[tuple[str, str]]:
    """``(service, method)`` of the calls that change what a cached read answers: those that
    dispatch an event that ``clears_reads``."""
    return frozenset(
        (service, name)
        for service, name, method in methods()
        if any(event.clears_reads for event in method.dispatches)
    )


def calls_of(caller: str) -> dict[str, list[str]]:
    """The methods ``caller`` may use, per service, in declaration order."""
    calls: dict[str, list[str]] = {}
    for service, name, method in methods():
        if caller in method.callers:
            calls.setdefault(service, []).append(name)
    return calls


def by_exchange(events: Iterable[Event]) -> dict[str, list[str]]:
    """Event names grouped by exchange, in declaration order."""
    grouped: dict[str, list[str]] = {}
    for event in events:
        grouped.setdefault(event.exchange, []).append(event.name)
    return grouped


def dispatched_by(service: str) -> tuple[Event, ...]:
    """The events ``service`` dispatches."""
    return tuple(event for event in EVENTS if event.source == service)


def read_clearing_events() -> tuple[Event, ...]:
    """The events the web tier's read cache listens to."""
    return tuple(event for event in EVENTS if event.clears_reads)
