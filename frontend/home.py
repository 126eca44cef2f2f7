"""Home: the global feed, the signed-in user's feed, a tag's articles, popular tags."""

from flask import Blueprint, render_template

from frontend.context import current_user, login_required, viewer_id
from frontend.pagination import Pagination
from web.rpc_access import rpc

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def global_feed():
    page = Pagination.from_request()
    answer = rpc().blog.list_articles(limit=page.limit, offset=page.offset, viewer_id=viewer_id())
    return render_home("global", page, answer)


@blueprint.get("/your-feed")
@login_required
def your_feed():
    page = Pagination.from_request()
    answer = rpc().blog.feed(user_id=current_user()["id"], limit=page.limit, offset=page.offset)
    return render_home("yours", page, answer)


@blueprint.get("/tag/<tag>")
def tag_feed(tag):
    page = Pagination.from_request()
    answer = rpc().blog.list_articles(
        tag=tag, limit=page.limit, offset=page.offset, viewer_id=viewer_id()
    )
    return render_home("tag", page, answer, tag=tag)


def render_home(tab, page, answer, tag=None):
    return render_template(
        "home/index.html",
        tab=tab,
        tag=tag,
        articles=page.apply(answer),
        page=page,
        popular_tags=rpc().blog.list_tags()[:20],
    )
