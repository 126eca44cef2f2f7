"""Data API of the users database: one function per use case, given a session.

Functions return plain dicts (never ORM objects) and raise the shared errors:
``NotFound`` for an unknown user, ``Conflict`` when a uniqueness rule of the
schema is broken. They hold no business rules: the users service decides who
may do what and validates input before calling.
"""
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from services.errors import Conflict, NotFound, ValidationError
from services.database.models import Follow, User
from services.timestamps import isoformat, utc_now

UNIQUE_FIELDS = ("username", "email")


def user_record(user):
    """The private view of a user row (never includes the password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "bio": user.bio,
        "image": user.image,
        "banned": user.banned,
        "token_version": user.token_version,
        "account_key": user.account_key,
        "created_at": isoformat(user.created_at),
        "updated_at": isoformat(user.updated_at),
    }


def profile_record(user, following):
    return {
        "id": user.id,
        "username": user.username,
        "bio": user.bio,
        "image": user.image,
        "following": following,
    }


def create_user(session, username, email, password_hash):
    user = User(username=username, email=email, password_hash=password_hash)
    _write_or_conflict(session, user, {}, lambda: session.add(user))
    return user_record(user)


def get_user(session, user_id=None, username=None):
    return user_record(_find_user(session, user_id=user_id, username=username))


def get_credentials(session, email=None, user_id=None):
    """What checking a password needs, by email or id: ``{user, password_hash}``, or
    ``None`` when unknown."""
    if user_id is not None:
        user = session.get(User, user_id)
    else:
        user = session.scalar(select(User).where(User.email == email))
    if user is None:
        return None
    return {"user": user_record(user), "password_hash": user.password_hash}


def update_user(session, user_id, changes):
    """Apply ``changes`` (column -> value); ``bump_token_version`` revokes old tokens."""
    user = _find_user(session, user_id=user_id)
    if changes.pop("bump_token_version", False):
        changes["token_version"] = user.token_version + 1
    changes["updated_at"] = utc_now()

    def apply_changes():
        for column, value in changes.items():
            setattr(user, column, value)

    _write_or_conflict(session, user, changes, apply_changes)
    return user_record(user)


def get_profile(session, username, viewer_id=None):
    user = _find_user(session, username=username)
    return profile_record(user, _is_following(session, viewer_id, user.id))


def get_profiles(session, user_ids, viewer_id=None):
    """Profiles of many users in one query each for users and follows."""
    if not user_ids:
        return []
    users = session.scalars(select(User).where(User.id.in_(set(user_ids)))).all()
    followed = set()
    if viewer_id is not None:
        followed = set(
            session.scalars(
                select(Follow.followee_id).where(
                    Follow.follower_id == viewer_id,
                    Follow.followee_id.in_([user.id for user in users]),
                )
            )
        )
    by_id = {user.id: profile_record(user, user.id in followed) for user in users}
    return [by_id[user_id] for user_id in dict.fromkeys(user_ids) if user_id in by_id]


def follow(session, follower_id, username):
    """Idempotent: following twice leaves one follow. Self-follows are refused here, before
    the schema's check constraint, whose violation PostgreSQL's driver does not report as
    an IntegrityError."""
    followee = _find_user(session, username=username)
    _find_user(session, user_id=follower_id)
    if followee.id == follower_id:
        raise ValidationError.single("username", "is your own: you cannot follow yourself")
    if not _is_following(session, follower_id, followee.id):
        try:
            with session.begin_nested():
                session.add(Follow(follower_id=follower_id, followee_id=followee.id))
                session.flush()
        except IntegrityError:
            pass  # the same follow, made concurrently, committed first
    return profile_record(followee, True)


def unfollow(session, follower_id, username):
    followee = _find_user(session, username=username)
    session.execute(
        delete(Follow).where(
            Follow.follower_id == follower_id, Follow.followee_id == followee.id
        )
    )
    return profile_record(followee, False)


def following_ids(session, user_id):
    return list(
        session.scalars(select(Follow.followee_id).where(Follow.follower_id == user_id))
    )


def list_users(session, limit, offset, query=None):
    """Users by id, optionally those whose username or email contains ``query``."""
    condition = True
    if query:
        pattern = f"%{query}%"
        condition = or_(User.username.ilike(pattern), User.email.ilike(pattern))
    count = session.scalar(select(func.count()).select_from(User).where(condition))
    users = session.scalars(
        select(User).where(condition).order_by(User.id).limit(limit).offset(offset)
    )
    return {"users": [user_record(user) for user in users], "users_count": count}


def set_banned(session, username, banned):
    """Ban or unban; a ban also revokes every token issued so far."""
    user = _find_user(session, username=username)
    if banned and not user.banned:
        user.token_version += 1
    user.banned = banned
    user.updated_at = utc_now()
    return user_record(user)


def delete_user(session, username):
    """Delete a user and their follows (foreign keys cascade)."""
    user = _find_user(session, username=username)
    deleted = {"id": user.id, "username": user.username}
    session.execute(
        delete(Follow).where(or_(Follow.follower_id == user.id, Follow.followee_id == user.id))
    )
    session.delete(user)
    return deleted


def existing_user_ids(session, user_ids):
    """The subset of ``user_ids`` that still exist."""
    if not user_ids:
        return []
    return sorted(session.scalars(select(User.id).where(User.id.in_(set(user_ids)))))


def _find_user(session, user_id=None, username=None):
    if user_id is not None:
        user = session.get(User, user_id)
        missing = f"user {user_id} not found"
    else:
        user = session.scalar(select(User).where(User.username == username))
        missing = f"user '{username}' not found"
    if user is None:
        raise NotFound(missing)
    return user


def _is_following(session, follower_id, followee_id):
    if follower_id is None:
        return False
    return session.get(Follow, (follower_id, followee_id)) is not None


def _write_or_conflict(session, user, changes, apply):
    """Run ``apply`` in a savepoint; a unique violation becomes a ``Conflict``
    naming the taken fields (username, email)."""
    values = {field: changes.get(field, getattr(user, field)) for field in UNIQUE_FIELDS}
    try:
        with session.begin_nested():
            apply()
            session.flush()
    except IntegrityError:
        taken = {
            field: ["has already been taken"]
            for field, value in values.items()
            if _taken_by_other(session, field, value, user.id)
        }
        raise Conflict(taken or {"user": ["conflicts with an existing user"]})


def _taken_by_other(session, field, value, user_id):
    query = select(User.id).where(getattr(User, field) == value)
    if user_id is not None:
        query = query.where(User.id != user_id)
    return session.scalar(query) is not None
