"""Profiles and the follow graph: /api/profiles/<username>[/follow]."""

from flask import Blueprint

from gateway.auth import current_user, optional_user_id
from gateway.presenters import present_profile
from web.rpc_access import rpc

blueprint = Blueprint("profiles", __name__, url_prefix="/api/profiles")


@blueprint.get("/<username>")
def get_profile(username):
    profile = rpc().users.get_profile(username=username, viewer_id=optional_user_id())
    return {"profile": present_profile(profile)}


@blueprint.post("/<username>/follow")
def follow(username):
    return _change_following("follow_user", username)


@blueprint.delete("/<username>/follow")
def unfollow(username):
    return _change_following("unfollow_user", username)


def _change_following(method_name, username):
    follower_id = current_user()["id"]
    profile = getattr(rpc().users, method_name)(follower_id=follower_id, username=username)
    return {"profile": present_profile(profile)}
