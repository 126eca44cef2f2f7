"""Atom feeds: the newest articles of the site, and of one author."""

from datetime import datetime, timezone

from flask import Blueprint, current_app, make_response, render_template, request, url_for

from web.rpc_access import rpc

blueprint = Blueprint("feeds", __name__)

FEED_SIZE = 20


@blueprint.get("/feed.atom")
def site():
    answer = rpc().blog.list_articles(limit=FEED_SIZE, with_body=True)
    return atom_response(answer["articles"], title=None, page_url=url_for("home.global_feed"))


@blueprint.get("/profile/<username>/feed.atom")
def author(username):
    profile = rpc().users.get_profile(username=username)
    answer = rpc().blog.list_articles(author=profile["username"], limit=FEED_SIZE, with_body=True)
    page_url = url_for("profiles.articles", username=profile["username"])
    return atom_response(answer["articles"], title=profile["username"], page_url=page_url)


def atom_response(articles, title, page_url):
    body = render_template(
        "feeds/feed.xml",
        articles=articles,
        title=title,
        page_url=page_url,
        updated=last_change(articles),
        self_url=current_app.config["PUBLIC_URL"] + request.path,
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response


def last_change(articles):
    """A feed's ``updated``: its newest change, or now for an empty feed."""
    now = datetime.now(timezone.utc).isoformat()
    return max((article["updated_at"] for article in articles), default=now)
