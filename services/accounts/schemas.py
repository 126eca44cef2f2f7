"""What the users service sends over RPC and in events."""

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict, cast

PRIVATE_USER_FIELDS = ("id", "username", "email", "bio", "image", "created_at", "updated_at")


class PrivateUser(TypedDict):
    """The signed-in user's own view (``token`` after register, login or update)."""

    id: int
    username: str
    email: str
    bio: str | None
    image: str | None
    created_at: str
    updated_at: str
    token: NotRequired[str]


class AdminUser(PrivateUser):
    banned: bool


class UserEvent(TypedDict):
    id: int
    username: str


def private_user(record: Mapping[str, Any], token: str | None = None) -> PrivateUser:
    """The signed-in user's own view; with ``token`` after register, login or update."""
    user = cast(PrivateUser, {field: record[field] for field in PRIVATE_USER_FIELDS})
    if token is not None:
        user["token"] = token
    return user


def admin_user(record: Mapping[str, Any]) -> AdminUser:
    """What ``list_users`` and the ban actions show an admin."""
    return {**private_user(record), "banned": record["banned"]}


def user_event(record: Mapping[str, Any]) -> UserEvent:
    """Payload of ``user_registered``, ``user_updated`` and ``user_deleted``."""
    return {"id": record["id"], "username": record["username"]}
