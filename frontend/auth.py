"""Sign up, sign in and sign out."""

from flask import Blueprint, redirect, render_template, request, url_for

from common.errors import TooManyRequests, Unauthenticated, ValidationError
from frontend.context import safe_next, sign_in, sign_out
from frontend.error_pages import status_for
from frontend.forms import LoginForm, RegisterForm
from web.rpc_access import rpc

blueprint = Blueprint("auth", __name__)


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = rpc().users.register(
                username=(form.username.data or "").strip(),
                email=(form.email.data or "").strip(),
                password=form.password.data or "",
                client_address=request.remote_addr,
            )
        except ValidationError as error:
            form.show_service_errors(error)
            return render_template("auth/register.html", form=form), status_for(error, True)
        except TooManyRequests as error:
            return too_many_attempts(form, "auth/register.html", "email", error)
        sign_in(user)
        return redirect(url_for("home.global_feed"))
    return render_template("auth/register.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = rpc().users.login(
                email=form.email.data.strip(),
                password=form.password.data,
                client_address=request.remote_addr,
            )
        except Unauthenticated as error:
            form.show_error("password", "Wrong email or password.")
            return render_template("auth/login.html", form=form), status_for(error)
        except TooManyRequests as error:
            return too_many_attempts(form, "auth/login.html", "password", error)
        sign_in(user)
        return redirect(safe_next("home.global_feed"))
    return render_template("auth/login.html", form=form)


@blueprint.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("home.global_feed"))


def too_many_attempts(form, template, field_name, error):
    """The form again with the limit beside a field, a 429 and when to try again."""
    minutes = max(1, round(error.retry_after / 60))
    form.show_error(
        field_name,
        f"Too many attempts. Try again in {minutes} minute{'' if minutes == 1 else 's'}.",
    )
    response = render_template(template, form=form)
    return response, 429, {"Retry-After": str(error.retry_after)}
