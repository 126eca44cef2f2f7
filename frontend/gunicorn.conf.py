"""gunicorn settings for the frontend: ``gunicorn -c frontend/gunicorn.conf.py frontend.wsgi:app``.

Threaded workers, as for the gateway (gunicorn 27 has no eventlet worker);
the address comes from the FRONTEND section of config.yaml.
"""
import os

from common.config import load_config

worker_class = "gthread"
workers = int(os.environ.get("FRONTEND_WORKERS", "1"))
threads = int(os.environ.get("FRONTEND_THREADS", "8"))
bind = "{HOST}:{PORT}".format(**load_config()["FRONTEND"])
graceful_timeout = 10


def worker_exit(server, worker):
    """Close the worker's broker connections instead of leaving reply queues behind."""
    from frontend.wsgi import app

    app.extensions["rpc"].close()
