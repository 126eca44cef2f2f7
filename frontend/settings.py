"""Account settings: picture, username, bio, email and a new password; signing out
everywhere.

Changing the email or the password asks for the current password (the users service
checks it, beside its field), so a browser left signed in cannot be used to take the
account over.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from common.errors import TooManyRequests, ValidationError
from frontend.auth import too_many_attempts
from frontend.context import current_user, login_required, sign_in, sign_out_everywhere
from frontend.error_pages import status_for
from frontend.forms import SettingsForm
from web.rpc_access import rpc

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
            proof = {}
            if form.current_password.data:
                proof["current_password"] = form.current_password.data
            sign_in(
                rpc().users.update_user(
                    user_id=user["id"], changes=changes, client_address=request.remote_addr, **proof
                )
            )
        except ValidationError as error:
            form.show_service_errors(error)
            return render_template("settings/settings.html", form=form), status_for(error, True)
        except TooManyRequests as error:
            return too_many_attempts(form, "settings/settings.html", "current_password", error)
    flash("Your settings are saved.")
    return redirect(url_for("settings.edit"))


@blueprint.post("/settings/sign-out-everywhere", endpoint="sign_out_everywhere")
@login_required
def sign_out_everywhere_view():
    sign_out_everywhere()
    flash("You are signed out everywhere.")
    return redirect(url_for("auth.login"))
