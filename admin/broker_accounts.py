"""Least privilege on the broker: one RabbitMQ account per part, and what each may do.

Every RPC request is a message published to the ``nameko-rpc`` topic exchange
with the routing key ``<service>.<method>``; its reply goes to the same
exchange under the caller's reply-queue id (a UUID). RabbitMQ's *topic
permissions* check those routing keys: an account may publish only the
requests the contract (``common/contract.py``) names it a caller of (plus replies), and
may bind queues only under
its own service's key and reply ids. Resource permissions (configure, write,
read on queue and exchange names) keep each part to its own queues.

So the internet-facing web tier (``gateway``, ``frontend``) can call only the
users and blog methods it uses: never storage (the gateway's ``/healthz`` may
ask ``storage.health``, which returns no data), never the admin operations
(``list_users``, ``ban_user``, ``delete_user``, backups, restore). ``admin``
(``blogadmin``, ``nameko shell``) may call anything.

``admin/broker_setup.py`` creates the accounts and permissions
through the management API; ``tests/integration/test_broker_permissions.py``
shows them on a real broker.
"""

import re

from common import contract

RPC_EXCHANGE = "nameko-rpc"
REPLY_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
"""A reply routing key: the UUID of the caller's reply queue."""

READ_CACHE_QUEUE = "read-cache-[0-9a-f]+"


def _service_account(service):
    return {
        "serves": [service],
        "calls": contract.calls_of(service),
        "dispatches": contract.by_exchange(contract.dispatched_by(service)),
        "handles": contract.by_exchange(contract.HANDLES.get(service, ())),
    }


def _web_account(part):
    return {
        "serves": [],
        "calls": contract.calls_of(part),
        "dispatches": {},
        "handles": contract.by_exchange(contract.read_clearing_events()),
    }


ACCOUNTS = {
    # part: services it serves, RPC methods it may call (service -> methods), events it
    # dispatches and events it handles (exchange -> event types), all from the contract
    **{service: _service_account(service) for service in contract.SERVICES},
    **{part: _web_account(part) for part in (contract.GATEWAY, contract.FRONTEND)},
}
ADMIN = contract.ADMIN
PARTS = (*ACCOUNTS, ADMIN)


def _alternatives(patterns):
    return "^(" + "|".join(patterns) + ")$"


def _method_pattern(methods):
    return "(" + "|".join(re.escape(method) for method in methods) + ")"


def permissions(part):
    """``{configure, write, read}`` regexes on queue and exchange names of ``part``."""
    if part == ADMIN:
        return {"configure": ".*", "write": ".*", "read": ".*"}
    account = ACCOUNTS[part]
    queues = [re.escape(f"rpc-{service}") for service in account["serves"]]
    queues += [f"rpc\\.reply-{re.escape(service)}-.+" for service in account["serves"]]
    queues += [
        f"evt-{re.escape(exchange.split('.')[0])}-{re.escape(event)}--{re.escape(service)}\\..+"
        for exchange, events in account["handles"].items()
        for event in events
        for service in account["serves"]
    ]
    # Standalone clients: the web tier's, and each container's health check.
    queues.append("rpc\\.reply-standalone_rpc_proxy-.+")
    if not account["serves"] and account["handles"]:
        queues.append(READ_CACHE_QUEUE)  # the web tier's read cache listens to events
    exchanges = [RPC_EXCHANGE, *account["dispatches"]]
    if account["serves"]:  # nameko's event handlers declare the exchange they bind to
        exchanges += account["handles"]
    owned = [*queues, *map(re.escape, exchanges)]
    # The web tier binds its read cache's queue to the event exchanges (read) and declares
    # them passively: it may not configure, and so not delete, an exchange it does not own.
    handled = [re.escape(exchange) for exchange in account["handles"] if exchange not in exchanges]
    return {
        "configure": _alternatives(owned),
        "write": _alternatives(owned),
        "read": _alternatives([*owned, *handled]),
    }


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
    rpc = {
        "exchange": RPC_EXCHANGE,
        "write": _alternatives(write),
        "read": _alternatives([*served, REPLY_ID]),
    }
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
