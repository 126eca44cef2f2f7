"""The cheap question that tells whether a service answers, asked by the
gateway's ``/healthz`` and the containers' health check (``blog-healthcheck``).

Each service is asked something it already offers (no health RPC is added to
users or blog); ``SERVICE_PROBES`` maps a service to ``(method, kwargs, judge)``,
where ``judge(answer)`` returns ``{ok, ...}``.
"""

from collections.abc import Callable
from typing import Any

Verdict = dict[str, Any]
"""What a probe's judge says: ``{"ok": bool, ...}``."""


def answered(answer: Any) -> Verdict:
    """Any answer at all means the service is up."""
    return {"ok": True}


def databases_ok(answer: dict[str, dict[str, Any]]) -> Verdict:
    """storage.health() answers per database: ``{users: {ok, ...}, blog: {ok, ...}}``."""
    return {"ok": all(database.get("ok") for database in answer.values()), "databases": answer}


SERVICE_PROBES: dict[str, tuple[str, dict[str, Any], Callable[[Any], Verdict]]] = {
    "users": ("get_profiles", {"user_ids": []}, answered),
    "blog": ("list_tags", {}, answered),
    "storage": ("health", {}, databases_ok),
}
