"""gunicorn settings for the gateway: ``gunicorn -c gateway/gunicorn.conf.py gateway.wsgi:app``.

Threaded workers (gunicorn 27 has no eventlet worker); the RPC client keeps
one broker connection per thread, so ``threads`` bounds the connections a
worker opens. Command-line flags override these values.
"""
import os

from common.config import load_config

worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "1"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
bind = "{HOST}:{PORT}".format(**load_config()["GATEWAY"])
# The gateway writes its own JSON access log line per request.
accesslog = None
graceful_timeout = 10
# gunicorn's largest; the gateway itself refuses request lines over 4094 bytes with a JSON 414.
limit_request_line = 8190


def worker_exit(server, worker):
    """Close the worker's broker connections instead of leaving reply queues behind."""
    from gateway.wsgi import app

    app.extensions["rpc"].close()
    app.extensions["health_rpc"].close()
