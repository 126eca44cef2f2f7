"""Profile pages: an author's articles or favorites, and following them."""

from flask import Blueprint, redirect, render_template

from frontend.context import current_user, login_required, safe_next, viewer_id
from frontend.pagination import Pagination
from web.rpc_access import rpc

blueprint = Blueprint("profiles", __name__)


@blueprint.get("/profile/<username>")
def articles(username):
    return render_profile(username, "articles", author=username)


@blueprint.get("/profile/<username>/favorites")
def favorites(username):
    return render_profile(username, "favorites", favorited=username)


@blueprint.post("/profile/<username>/follow")
@login_required
def follow(username):
    rpc().users.follow_user(follower_id=current_user()["id"], username=username)
    return redirect(safe_next("profiles.articles", username=username))


@blueprint.post("/profile/<username>/unfollow")
@login_required
def unfollow(username):
    rpc().users.unfollow_user(follower_id=current_user()["id"], username=username)
    return redirect(safe_next("profiles.articles", username=username))


def render_profile(username, tab, **article_filter):
    profile = rpc().users.get_profile(username=username, viewer_id=viewer_id())
    page = Pagination.from_request()
    answer = rpc().blog.list_articles(
        limit=page.limit, offset=page.offset, viewer_id=viewer_id(), **article_filter
    )
    return render_template(
        "profiles/profile.html",
        profile=profile,
        tab=tab,
        articles=page.apply(answer),
        page=page,
    )
