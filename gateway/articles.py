"""Articles, the feed and favorites: /api/articles[...]."""

from flask import Blueprint, request

from gateway.auth import current_user, optional_user_id
from gateway.payload import read_object, read_page
from gateway.presenters import present_article, present_article_list
from web.rpc_access import rpc

blueprint = Blueprint("articles", __name__, url_prefix="/api/articles")

LIST_FILTERS = ("tag", "author", "favorited")
ARTICLE_FIELDS = ("title", "description", "body", "tagList")


@blueprint.get("")
def list_articles():
    filters = {name: request.args[name] for name in LIST_FILTERS if name in request.args}
    article_list = rpc().blog.list_articles(viewer_id=optional_user_id(), **filters, **read_page())
    return present_article_list(article_list)


@blueprint.get("/feed")
def feed():
    user_id = current_user()["id"]
    return present_article_list(rpc().blog.feed(user_id=user_id, **read_page()))


@blueprint.post("")
def create_article():
    author_id = current_user()["id"]
    fields = read_object(
        "article", required=("title", "description", "body"), optional=("tagList",)
    )
    article = rpc().blog.create_article(
        author_id=author_id,
        idempotency_key=request.headers.get("Idempotency-Key"),
        **fields,
    )
    return {"article": present_article(article)}, 201


@blueprint.get("/<slug>")
def get_article(slug):
    article = rpc().blog.get_article(slug=slug, viewer_id=optional_user_id())
    return {"article": present_article(article)}


@blueprint.put("/<slug>")
def update_article(slug):
    user_id = current_user()["id"]
    changes = read_object("article", optional=ARTICLE_FIELDS)
    article = rpc().blog.update_article(slug=slug, user_id=user_id, changes=changes)
    return {"article": present_article(article)}


@blueprint.delete("/<slug>")
def delete_article(slug):
    rpc().blog.delete_article(slug=slug, user_id=current_user()["id"])
    return "", 204


@blueprint.post("/<slug>/favorite")
def favorite(slug):
    return _change_favorite("favorite_article", slug)


@blueprint.delete("/<slug>/favorite")
def unfavorite(slug):
    return _change_favorite("unfavorite_article", slug)


def _change_favorite(method_name, slug):
    article = getattr(rpc().blog, method_name)(slug=slug, user_id=current_user()["id"])
    return {"article": present_article(article)}
