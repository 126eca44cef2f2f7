"""Production entry point: ``gunicorn -k gthread --threads 8 -w 1 frontend.wsgi:app``."""
import logging.config

from frontend.app import create_app
from services.config import load_config
from services.trusted_proxy import TrustedProxies

config = load_config()
if config.get("LOGGING"):
    logging.config.dictConfig(config["LOGGING"])
app = create_app(config)
# X-Forwarded-* count only from the reverse proxy (TRUSTED_PROXIES).
app.wsgi_app = TrustedProxies.from_env(app.wsgi_app)
