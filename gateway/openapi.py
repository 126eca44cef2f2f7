"""Serves the gateway's own OpenAPI document (gateway/openapi.yaml) as JSON."""

from functools import lru_cache
from pathlib import Path

import yaml
from flask import Blueprint

DOCUMENT_PATH = Path(__file__).with_name("openapi.yaml")

blueprint = Blueprint("openapi", __name__, url_prefix="/api")


@lru_cache(maxsize=1)
def load_document():
    with open(DOCUMENT_PATH) as document_file:
        return yaml.safe_load(document_file)


@blueprint.get("/openapi.json")
def openapi_document():
    return load_document()
