"""Tags, most used first: /api/tags."""

from flask import Blueprint

from web.rpc_access import rpc

blueprint = Blueprint("tags", __name__, url_prefix="/api")


@blueprint.get("/tags")
def list_tags():
    return {"tags": rpc().blog.list_tags()}
