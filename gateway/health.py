"""/healthz: does the blog answer? The public gets the verdict; operators the checks.

Each service is asked the cheap question of ``rpc_client.probes`` through the
gateway's pooled short-timeout client (``health_rpc``), so a stopped service makes
the check report it down within seconds rather than hang, and a flood of checks
opens no broker connection: the broker is down when that client cannot reach it.

Anyone gets ``{"status": "ok"}`` (200) or ``{"status": "unavailable"}`` (503).
The checks (which part is down, its error, the databases' schema revisions) go
only to a request carrying ``Authorization: Bearer <GATEWAY.HEALTH_DETAILS_TOKEN>``;
with no token configured they are never shown over HTTP (``blog-healthcheck`` and
``blogadmin`` tell operators the same from inside).
"""

import hmac

from flask import Blueprint, current_app, request

from common.errors import BrokerUnreachable, ConduitError
from rpc_client.probes import SERVICE_PROBES
from web.rpc_access import request_context

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    checks = service_checks()
    healthy = all(check["ok"] for check in checks.values())
    answer = {"status": "ok" if healthy else "unavailable"}
    if shows_details():
        answer["checks"] = checks
    return answer, 200 if healthy else 503


def service_checks():
    """``{part: {ok, ...}}`` for the broker and every service."""
    checks = {"rabbitmq": {"ok": True}}
    for service_name, probe in SERVICE_PROBES.items():
        try:
            checks[service_name] = _check_service(service_name, *probe)
        except BrokerUnreachable as error:
            checks["rabbitmq"] = checks[service_name] = {"ok": False, "error": error.message}
    return checks


def shows_details():
    """Whether the request carries the operators' token (compared in constant time)."""
    token = current_app.config["HEALTH_DETAILS_TOKEN"]
    sent = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def _check_service(service_name, method_name, kwargs, judge):
    try:
        answer = getattr(getattr(health_rpc(), service_name), method_name)(**kwargs)
    except BrokerUnreachable:
        raise
    except ConduitError as error:
        return {"ok": False, "error": error.message}
    return judge(answer)


def health_rpc():
    """The short-timeout client reserved for /healthz, its calls tagged with the request id;
    each probe has its own timeout, so one service that does not answer cannot starve the
    others."""
    return current_app.extensions["health_rpc"].with_context(request_context())
