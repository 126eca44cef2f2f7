"""What the users service sends over RPC and in events."""

PRIVATE_USER_FIELDS = ("id", "username", "email", "bio", "image", "created_at", "updated_at")


def private_user(record, token=None):
    """The signed-in user's own view; with ``token`` after register, login or update."""
    user = {field: record[field] for field in PRIVATE_USER_FIELDS}
    if token is not None:
        user["token"] = token
    return user


def admin_user(record):
    """What ``list_users`` and the ban actions show an admin."""
    return {**private_user(record), "banned": record["banned"]}


def user_event(record):
    """Payload of ``user_registered``, ``user_updated`` and ``user_deleted``."""
    return {"id": record["id"], "username": record["username"]}
