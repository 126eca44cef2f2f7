"""gunicorn settings for the gateway: ``gunicorn -c gateway/gunicorn.conf.py gateway.wsgi:app``.

Threaded workers (gunicorn 27 has no eventlet worker); the RPC client keeps
one broker connection per thread, so ``threads`` bounds the connections a
worker opens. The address, processes and threads come from the GATEWAY section
of config.yaml; command-line flags override them.
"""

from common.config import load_config, section

worker_class = "gthread"
part_settings = section(load_config(), "GATEWAY")
workers = part_settings["WORKERS"]
threads = part_settings["THREADS"]
bind = f"{part_settings['HOST']}:{part_settings['PORT']}"
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
