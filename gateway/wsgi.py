"""The gateway for a production WSGI server.

    gunicorn -c gateway/gunicorn.conf.py gateway.wsgi:app
    gunicorn -k gthread --threads 8 -w 1 -b 127.0.0.1:8000 gateway.wsgi:app

gthread workers: the RPC client keeps one proxy per thread.
"""

import logging.config

from common.config import load_config
from gateway.app import create_app

config = load_config()
logging.config.dictConfig(config["LOGGING"])
app = create_app(config)
