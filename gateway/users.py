"""Registration, login and the current user: /api/users, /api/users/login, /api/user."""

from flask import Blueprint, request

from gateway.auth import current_user, request_token
from gateway.payload import read_object
from gateway.presenters import present_user
from web.rpc_access import rpc

blueprint = Blueprint("users", __name__, url_prefix="/api")


@blueprint.post("/users")
def register():
    fields = read_object("user", required=("username", "email", "password"))
    user = rpc().users.register(client_address=request.remote_addr, **fields)
    return {"user": present_user(user, user["token"])}, 201


@blueprint.post("/users/login")
def login():
    fields = read_object("user", required=("email", "password"))
    user = rpc().users.login(client_address=request.remote_addr, **fields)
    return {"user": present_user(user, user["token"])}


@blueprint.get("/user")
def get_current_user():
    return {"user": present_user(current_user(), request_token())}


@blueprint.put("/user")
def update_current_user():
    """``currentPassword`` (an extension of the RealWorld API) is needed to change the email
    or the password; an unchanged email, as RealWorld clients send on every save, is not a
    change."""
    user_id = current_user()["id"]
    changes = read_object(
        "user", optional=("email", "username", "password", "bio", "image", "currentPassword")
    )
    current_password = changes.pop("current_password", None)
    user = rpc().users.update_user(
        user_id=user_id,
        changes=changes,
        current_password=current_password,
        client_address=request.remote_addr,
    )
    return {"user": present_user(user, user["token"])}
