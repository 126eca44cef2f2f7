"""Account settings: picture, username, bio, email and a new password."""
from flask import Blueprint, flash, redirect, render_template, url_for

from frontend.context import current_user, login_required, rpc, sign_in
from frontend.error_pages import status_for
from frontend.forms import SettingsForm
from services.errors import ValidationError

blueprint = Blueprint("settings", __name__)


@blueprint.route("/settings", methods=["GET", "POST"])
@login_required
def edit():
    user = current_user()
    form = SettingsForm(data=user)
    if not form.validate_on_submit():
        return render_template("settings/settings.html", form=form)
    changes = form.changes_from(user)
    if changes:
        try:
            sign_in(rpc().users.update_user(user_id=user["id"], changes=changes))
        except ValidationError as error:
            form.show_service_errors(error)
            return render_template("settings/settings.html", form=form), status_for(error, True)
    flash("Your settings are saved.")
    return redirect(url_for("settings.edit"))
