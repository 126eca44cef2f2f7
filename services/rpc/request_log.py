"""One log line per RPC a service handles, carrying the caller's request id.

The gateway puts the id of each HTTP request (its ``X-Request-Id``) into the
RPC context as ``request_id``; nameko passes context data on to every nested
call, so one API request can be followed through all services' logs. Calls
without one (the frontend's, the admin tools') log ``request_id: null``.
"""

import json
import logging
import time
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider

from common.errors import EXPECTED

log = logging.getLogger("rpc.access")


class RequestLog(DependencyProvider):
    """Logs each worker as JSON: service, method, request id, outcome, duration."""

    def __init__(self):
        self.started = WeakKeyDictionary()

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        duration_ms = None if started is None else round((time.perf_counter() - started) * 1000, 2)
        outcome = "ok"
        level = logging.INFO
        if exc_info is not None:
            outcome = type(exc_info[1]).__name__
            if not isinstance(exc_info[1], EXPECTED):
                level = logging.ERROR
        log.log(
            level,
            json.dumps(
                {
                    "service": worker_ctx.service_name,
                    "method": worker_ctx.entrypoint.method_name,
                    "request_id": worker_ctx.data.get("request_id"),
                    "call_id": worker_ctx.call_id,
                    "outcome": outcome,
                    "duration_ms": duration_ms,
                }
            ),
        )
