"""Production entry point: ``gunicorn -k gthread --threads 8 -w 1 frontend.wsgi:app``."""

import logging.config

from common.config import load_config
from frontend.app import create_app

config = load_config()
if config.get("LOGGING"):
    logging.config.dictConfig(config["LOGGING"])
app = create_app(config)
