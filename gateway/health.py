"""/healthz: can the gateway reach RabbitMQ and does each service answer?

Each service is asked the cheap question of ``rpc_client.probes`` through a
client with a short timeout, so a stopped service makes the check report it
down within seconds rather than hang.
"""
from flask import Blueprint, current_app
from kombu import Connection

from common.errors import ConduitError
from rpc_client.probes import SERVICE_PROBES
from web.rpc_access import request_context

blueprint = Blueprint("health", __name__)

BROKER_CONNECT_TIMEOUT_SECONDS = 2


@blueprint.get("/healthz")
def healthz():
    checks = {"rabbitmq": _check_broker()}
    for service_name, probe in SERVICE_PROBES.items():
        checks[service_name] = _check_service(service_name, *probe)
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503


def _check_broker():
    try:
        with Connection(
            current_app.extensions["amqp_uri"], connect_timeout=BROKER_CONNECT_TIMEOUT_SECONDS
        ) as connection:
            connection.ensure_connection(max_retries=0)  # connect() would retry after 2 s
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True}


def _check_service(service_name, method_name, kwargs, judge):
    try:
        answer = getattr(getattr(health_rpc(), service_name), method_name)(**kwargs)
    except ConduitError as error:
        return {"ok": False, "error": error.message}
    return judge(answer)


def health_rpc():
    """The short-timeout client reserved for /healthz, its calls tagged with the request id;
    each probe has its own timeout, so one service that does not answer cannot starve the
    others."""
    return current_app.extensions["health_rpc"].with_context(request_context())
