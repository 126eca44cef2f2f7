"""The article page: rendered body, author card, favorite, comments, delete."""

from flask import Blueprint, redirect, render_template, url_for

from common.errors import ValidationError
from frontend.context import current_user, login_required, safe_next, viewer_id
from frontend.error_pages import status_for
from frontend.forms import CommentForm
from web.rpc_access import rpc

blueprint = Blueprint("articles", __name__)


@blueprint.get("/article/<slug>")
def show(slug):
    return render_article(slug, CommentForm())


@blueprint.post("/article/<slug>/comments")
@login_required
def add_comment(slug):
    form = CommentForm()
    try:
        comment = rpc().blog.add_comment(
            slug=slug,
            author_id=current_user()["id"],
            body=form.body.data or "",
            idempotency_key=form.idempotency_key.data,
        )
    except ValidationError as error:
        form.show_service_errors(error)
        return render_article(slug, form), status_for(error, in_form=True)
    return redirect(url_for("articles.show", slug=slug, _anchor=f"comment-{comment['id']}"))


@blueprint.post("/article/<slug>/comments/<int:comment_id>/delete")
@login_required
def delete_comment(slug, comment_id):
    rpc().blog.delete_comment(slug=slug, comment_id=comment_id, user_id=current_user()["id"])
    return redirect(url_for("articles.show", slug=slug, _anchor="comments"))


@blueprint.post("/article/<slug>/favorite")
@login_required
def favorite(slug):
    rpc().blog.favorite_article(slug=slug, user_id=current_user()["id"])
    return redirect(safe_next("articles.show", slug=slug))


@blueprint.post("/article/<slug>/unfavorite")
@login_required
def unfavorite(slug):
    rpc().blog.unfavorite_article(slug=slug, user_id=current_user()["id"])
    return redirect(safe_next("articles.show", slug=slug))


@blueprint.post("/article/<slug>/delete")
@login_required
def delete(slug):
    rpc().blog.delete_article(slug=slug, user_id=current_user()["id"])
    return redirect(url_for("home.global_feed"))


def render_article(slug, comment_form):
    article = rpc().blog.get_article(slug=slug, viewer_id=viewer_id())
    comments = rpc().blog.list_comments(slug=slug, viewer_id=viewer_id())
    return render_template(
        "articles/article.html", article=article, comments=comments, comment_form=comment_form
    )
