"""gunicorn settings for the frontend: ``gunicorn -c frontend/gunicorn.conf.py frontend.wsgi:app``.

Threaded workers, as for the gateway (gunicorn 27 has no eventlet worker);
the address, processes and threads come from the FRONTEND section of config.yaml.
"""

from common.config import load_config, section

worker_class = "gthread"
part_settings = section(load_config(), "FRONTEND")
workers = part_settings["WORKERS"]
threads = part_settings["THREADS"]
bind = f"{part_settings['HOST']}:{part_settings['PORT']}"
graceful_timeout = 10


def worker_exit(server, worker):
    """Close the worker's broker connections instead of leaving reply queues behind."""
    from frontend.wsgi import app

    app.extensions["rpc"].close()
