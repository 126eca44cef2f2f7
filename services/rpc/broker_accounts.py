"""Least privilege on the broker: one RabbitMQ account per part, and what each may do.

Every RPC request is a message published to the ``nameko-rpc`` topic exchange
with the routing key ``<service>.<method>``; its reply goes to the same
exchange under the caller's reply-queue id (a UUID). RabbitMQ's *topic
permissions* check those routing keys: an account may publish only the
requests listed for it below (plus replies), and may bind queues only under
its own service's key and reply ids. Resource permissions (configure, write,
read on queue and exchange names) keep each part to its own queues.

So the internet-facing web tier (``gateway``, ``frontend``) can call only the
users and blog methods it uses: never storage (the gateway's ``/healthz`` may
ask ``storage.health``, which returns no data), never the admin operations
(``list_users``, ``ban_user``, ``delete_user``, backups, restore). ``admin``
(``blogadmin``, ``nameko shell``) may call anything.

``scripts/ensure_broker_accounts.py`` creates the accounts and permissions
through the management API; ``tests/integration/test_broker_permissions.py``
shows them on a real broker.
"""
import re

RPC_EXCHANGE = "nameko-rpc"
REPLY_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
"""A reply routing key: the UUID of the caller's reply queue."""

FRONTEND_CALLS = {
    "users": ["register", "login", "verify_token", "start_session", "end_session",
              "end_all_sessions", "update_user", "get_profile", "follow_user",
              "unfollow_user"],
    "blog": ["list_articles", "feed", "get_article", "get_article_for_editing", "check_article",
             "create_article", "update_article", "delete_article", "favorite_article",
             "unfavorite_article", "add_comment", "list_comments", "delete_comment",
             "list_tags"],
}
GATEWAY_CALLS = {
    "users": ["register", "login", "verify_token", "update_user", "get_profile",
              "get_profiles", "follow_user", "unfollow_user"],
    "blog": [method for method in FRONTEND_CALLS["blog"]
             if method not in ("get_article_for_editing", "check_article")],
    "storage": ["health"],
}

DISPATCHED_EVENTS = {
    "users.events": ["user_registered", "user_updated", "user_deleted", "user_followed",
                     "user_unfollowed", "session_ended"],
    "blog.events": ["article_published", "article_updated", "article_deleted",
                    "article_favorited", "article_unfavorited", "comment_added",
                    "comment_deleted"],
    "storage.events": ["restore_completed"],
}
"""Every event that changes what the web tier reads; each web process's read cache listens
to all of them (``services.rpc.read_cache``)."""
READ_CACHE_QUEUE = "read-cache-[0-9a-f]+"

ACCOUNTS = {
    # part: services it serves, RPC methods it may call (service -> methods or a regex),
    # events it dispatches (exchange -> event types), events it handles (exchange -> types)
    "storage": {
        "serves": ["storage"],
        "calls": {"storage": ["health"]},  # its container's health check
        "dispatches": {"storage.events": ["backup_completed", "backup_failed",
                                          *DISPATCHED_EVENTS["storage.events"]]},
        "handles": {},
    },
    "users": {
        "serves": ["users"],
        "calls": {"storage": "users_[a-z_]+", "users": ["get_profiles"]},
        "dispatches": {"users.events": DISPATCHED_EVENTS["users.events"]},
        "handles": {},
    },
    "blog": {
        "serves": ["blog"],
        "calls": {"storage": "blog_[a-z_]+", "blog": ["list_tags"]},
        "dispatches": {"blog.events": DISPATCHED_EVENTS["blog.events"]},
        "handles": {"users.events": ["user_deleted"]},
    },
    "gateway": {"serves": [], "calls": GATEWAY_CALLS, "dispatches": {},
                "handles": DISPATCHED_EVENTS},
    "frontend": {"serves": [], "calls": FRONTEND_CALLS, "dispatches": {},
                 "handles": DISPATCHED_EVENTS},
}
ADMIN = "admin"
PARTS = (*ACCOUNTS, ADMIN)


def _alternatives(patterns):
    return "^(" + "|".join(patterns) + ")$"


def _method_pattern(methods):
    if isinstance(methods, str):
        return methods
    return "(" + "|".join(re.escape(method) for method in methods) + ")"


def permissions(part):
    """``{configure, write, read}`` regexes on queue and exchange names of ``part``."""
    if part == ADMIN:
        return {"configure": ".*", "write": ".*", "read": ".*"}
    account = ACCOUNTS[part]
    queues = [re.escape(f"rpc-{service}") for service in account["serves"]]
    queues += [f"rpc\\.reply-{re.escape(service)}-.+" for service in account["serves"]]
    queues += [
        f"evt-{re.escape(exchange.split('.')[0])}-{re.escape(event)}--"
        f"{re.escape(service)}\\..+"
        for exchange, events in account["handles"].items() for event in events
        for service in account["serves"]
    ]
    # Standalone clients: the web tier's, and each container's health check.
    queues.append("rpc\\.reply-standalone_rpc_proxy-.+")
    if not account["serves"] and account["handles"]:
        queues.append(READ_CACHE_QUEUE)  # the web tier's read cache listens to events
    exchanges = [re.escape(RPC_EXCHANGE), *map(re.escape, account["dispatches"]),
                 *map(re.escape, account["handles"])]
    names = _alternatives([*queues, *exchanges])
    return {"configure": names, "write": names, "read": names}


def topic_permissions(part):
    """``[{exchange, write, read}]``: routing keys ``part`` may publish and bind per exchange."""
    if part == ADMIN:
        return []
    account = ACCOUNTS[part]
    requests = [
        f"{re.escape(service)}\\.{_method_pattern(methods)}"
        for service, methods in account["calls"].items()
    ]
    served = [f"{re.escape(service)}\\.\\*" for service in account["serves"]]
    write = [*requests, REPLY_ID] if account["serves"] else requests
    rpc = {"exchange": RPC_EXCHANGE, "write": _alternatives(write),
           "read": _alternatives([*served, REPLY_ID])}
    events = [
        {"exchange": exchange, "write": _alternatives(map(re.escape, types)), "read": "^$"}
        for exchange, types in account["dispatches"].items()
    ]
    handled = [
        {"exchange": exchange, "write": "^$", "read": _alternatives(map(re.escape, types))}
        for exchange, types in account["handles"].items()
    ]
    return [rpc, *events, *handled]


def may_call(part, service, method):
    """Whether ``part``'s topic permission lets it publish ``service.method``."""
    if part == ADMIN:
        return True
    rpc = topic_permissions(part)[0]
    return re.match(rpc["write"], f"{service}.{method}") is not None


def account_name(vhost, part):
    """``conduit.storage`` on the default vhost, ``<vhost>.storage`` on another: the
    accounts of different virtual hosts never collide."""
    label = "conduit" if vhost in ("", "/") else vhost
    return f"{label}.{part}"
