"""The editor: write a new article or change one, with a server-side preview.

The "Preview" button submits the form like "Publish" does; the page comes
back with the rendered Markdown and the fields as typed, nothing is saved.
A preview is held to the article's limits: the blog service checks the fields
first (``blog.check_article``), and fields it refuses come back with its errors
beside them, unrendered, as a refused "Publish" would.
"""

from flask import Blueprint, redirect, render_template, request, url_for

from common.errors import ValidationError
from frontend.context import current_user, login_required
from frontend.error_pages import status_for
from frontend.forms import ArticleForm
from web.rpc_access import rpc

blueprint = Blueprint("editor", __name__)


@blueprint.route("/editor", methods=["GET", "POST"])
@login_required
def new_article():
    form = ArticleForm()
    if not form.validate_on_submit() or wants_preview():
        return render_editor(form)

    def publish(fields):
        return rpc().blog.create_article(
            author_id=current_user()["id"],
            idempotency_key=form.idempotency_key.data,
            **fields,
        )

    return save(form, publish)


@blueprint.route("/editor/<slug>", methods=["GET", "POST"])
@login_required
def edit_article(slug):
    article = rpc().blog.get_article_for_editing(slug=slug, user_id=current_user()["id"])
    form = ArticleForm(data=form_data_of(article))
    if not form.validate_on_submit() or wants_preview():
        return render_editor(form, article)

    def update(fields):
        return rpc().blog.update_article(slug=slug, user_id=current_user()["id"], changes=fields)

    return save(form, update, article)


def wants_preview():
    return request.method == "POST" and request.form.get("action") == "preview"


def save(form, write, article=None):
    """Run ``write(fields)``; on success show the article, else the form with errors."""
    try:
        saved = write(form.article_fields())
    except ValidationError as error:
        form.show_service_errors(error)
        return editor_page(form, article), status_for(error, in_form=True)
    return redirect(url_for("articles.show", slug=saved["slug"]))


def render_editor(form, article=None):
    """The editor page, with the preview when one was asked for."""
    preview, status = checked_preview(form) if wants_preview() else (None, 200)
    return editor_page(form, article, preview), status


def checked_preview(form):
    """``(body to render, status)`` once the blog service has accepted the fields typed so
    far; ``(None, 422)`` with its errors beside the fields when it has not."""
    typed = {field: value for field, value in form.article_fields().items() if value}
    try:
        checked = rpc().blog.check_article(fields=typed)
    except ValidationError as error:
        form.show_service_errors(error)
        return None, status_for(error, in_form=True)
    return checked.get("body", ""), 200


def editor_page(form, article=None, preview=None):
    return render_template("editor/editor.html", form=form, article=article, preview=preview)


def form_data_of(article):
    return {
        "title": article["title"],
        "description": article["description"],
        "body": article["body"],
        "tags": " ".join(article["tag_list"]),
    }
