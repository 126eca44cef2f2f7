"""Comments on an article: /api/articles/<slug>/comments[/<id>]."""

from flask import Blueprint, request

from gateway.auth import current_user, optional_user_id
from gateway.payload import read_object
from gateway.presenters import present_comment
from web.rpc_access import rpc

blueprint = Blueprint("comments", __name__, url_prefix="/api/articles/<slug>/comments")


@blueprint.get("")
def list_comments(slug):
    comments = rpc().blog.list_comments(slug=slug, viewer_id=optional_user_id())
    return {"comments": [present_comment(comment) for comment in comments]}


@blueprint.post("")
def add_comment(slug):
    author_id = current_user()["id"]
    fields = read_object("comment", required=("body",))
    comment = rpc().blog.add_comment(
        slug=slug,
        author_id=author_id,
        idempotency_key=request.headers.get("Idempotency-Key"),
        **fields,
    )
    return {"comment": present_comment(comment)}


@blueprint.delete("/<int:comment_id>")
def delete_comment(slug, comment_id):
    user_id = current_user()["id"]
    rpc().blog.delete_comment(slug=slug, comment_id=comment_id, user_id=user_id)
    return "", 204
