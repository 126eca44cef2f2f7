"""Sign up, sign in and sign out."""
from flask import Blueprint, redirect, render_template, url_for

from frontend.context import rpc, safe_next, sign_in, sign_out
from frontend.error_pages import status_for
from frontend.forms import LoginForm, RegisterForm
from services.errors import Unauthenticated, ValidationError

blueprint = Blueprint("auth", __name__)


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = rpc().users.register(
                username=form.username.data.strip(),
                email=form.email.data.strip(),
                password=form.password.data,
            )
        except ValidationError as error:
            form.show_service_errors(error)
            return render_template("auth/register.html", form=form), status_for(error, True)
        sign_in(user)
        return redirect(url_for("home.global_feed"))
    return render_template("auth/register.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = rpc().users.login(email=form.email.data.strip(), password=form.password.data)
        except Unauthenticated as error:
            form.show_error("password", "Wrong email or password.")
            return render_template("auth/login.html", form=form), status_for(error)
        sign_in(user)
        return redirect(safe_next("home.global_feed"))
    return render_template("auth/login.html", form=form)


@blueprint.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("home.global_feed"))
