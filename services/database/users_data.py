"""Data API of the users database: one function per use case, given a session.

Functions return plain dicts (never ORM objects) and raise the shared errors:
``NotFound`` for an unknown user, ``Conflict`` when a uniqueness rule of the
schema is broken. They hold no business rules: the users service decides who
may do what and validates input before calling.
"""

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from common.errors import Conflict, NotFound, ValidationError
from common.timestamps import from_unix_time, isoformat, parse_isoformat, utc_now
from services.database.models import Follow, RateLimit, Session, User

UNIQUE_FIELDS = ("username", "email")

PROFILES_BY_IDS = select(User.id, User.username, User.bio, User.image).where(
    User.id.in_(bindparam("ids", expanding=True))
)
FOLLOWED_AMONG = select(Follow.followee_id).where(
    Follow.follower_id == bindparam("follower_id"),
    Follow.followee_id.in_(bindparam("ids", expanding=True)),
)
"""Built once with bound parameters: the profiles of every page of articles need them."""


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
    """The private record by id or username; a session or a connection will do."""
    if user_id is not None:
        condition, missing = User.id == user_id, f"user {user_id} not found"
    else:
        condition, missing = User.username == username, f"user '{username}' not found"
    row = session.execute(select(User.__table__).where(condition)).first()
    if row is None:
        raise NotFound(missing)
    return user_record(row)


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
    users = session.execute(PROFILES_BY_IDS, {"ids": list(set(user_ids))}).all()
    followed = set()
    if viewer_id is not None and users:
        followed = set(
            session.scalars(
                FOLLOWED_AMONG, {"follower_id": viewer_id, "ids": [user.id for user in users]}
            )
        )
    by_id = {user.id: profile_record(user, user.id in followed) for user in users}
    return [by_id[user_id] for user_id in dict.fromkeys(user_ids) if user_id in by_id]


def user_id_named(session, username):
    """The id of ``username``, or ``None``."""
    return session.scalar(select(User.id).where(User.username == username))


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
        delete(Follow).where(Follow.follower_id == follower_id, Follow.followee_id == followee.id)
    )
    return profile_record(followee, False)


def following_ids(session, user_id):
    return list(session.scalars(select(Follow.followee_id).where(Follow.follower_id == user_id)))


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


# -- browser sessions ---------------------------------------------------------


def session_record(row):
    return {
        "user_id": row.user_id,
        "token_version": row.token_version,
        "created_at": isoformat(row.created_at),
        "expires_at": isoformat(row.expires_at),
    }


def create_session(session, user_id, token_hash, token_version, expires_at):
    """Record a browser session of ``user_id`` under the hash of its token."""
    _find_user(session, user_id=user_id)
    row = Session(
        token_hash=token_hash,
        user_id=user_id,
        token_version=token_version,
        expires_at=parse_isoformat(expires_at),
    )
    session.add(row)
    session.flush()
    return session_record(row)


def get_session(session, token_hash):
    """``{session, user}`` of a session token's hash, or ``None`` when there is none."""
    row = session.get(Session, token_hash)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None:
        return None
    return {"session": session_record(row), "user": user_record(user)}


def renew_session(session, token_hash, expires_at):
    session.execute(
        update(Session)
        .where(Session.token_hash == token_hash)
        .values(expires_at=parse_isoformat(expires_at))
    )


def delete_session(session, token_hash, now):
    """Idempotent: an unknown hash deletes nothing. Sessions expired by ``now`` (the users
    service's clock, which set their expiry) go too."""
    session.execute(
        delete(Session).where(
            or_(Session.token_hash == token_hash, Session.expires_at < from_unix_time(now))
        )
    )


def end_all_sessions(session, user_id):
    """Delete every session of the user and revoke every token issued so far."""
    user = _find_user(session, user_id=user_id)
    session.execute(delete(Session).where(Session.user_id == user_id))
    user.token_version += 1
    user.updated_at = utc_now()
    return user_record(user)


# -- rate limits --------------------------------------------------------------


def count_attempts(session, counters, window_seconds, now):
    """Count one attempt under each ``{key, limit}`` of ``counters`` in the fixed window
    holding ``now`` (Unix seconds); ``{allowed, retry_after, counts}``: allowed when no
    counter went past its limit, ``retry_after`` the seconds until the window ends (and
    its counts start again), ``counts`` every counter's count after this attempt. A counter with
    ``"add": 0`` is only read, and one without a limit never refuses. Counters of earlier
    windows are removed. Each increment is one UPDATE (or INSERT), so concurrent
    instances never lose a count."""
    window_start = int(now // window_seconds * window_seconds)
    session.execute(delete(RateLimit).where(RateLimit.window_start < window_start))
    allowed = True
    counts = {}
    for counter in counters:
        if counter.get("add", 1):
            count = _increment(session, counter["key"], window_start)
        else:
            count = _current_count(session, counter["key"], window_start)
        counts[counter["key"]] = count
        if counter.get("limit") is not None and count > counter["limit"]:
            allowed = False
    retry_after = max(1, int(window_start + window_seconds - now + 0.999))
    return {"allowed": allowed, "retry_after": retry_after, "counts": counts}


def _current_count(session, key, window_start):
    count = session.scalar(
        select(RateLimit.count).where(RateLimit.key == key, RateLimit.window_start == window_start)
    )
    return count or 0


def _increment(session, key, window_start):
    where = (RateLimit.key == key, RateLimit.window_start == window_start)
    updated = session.execute(update(RateLimit).where(*where).values(count=RateLimit.count + 1))
    if updated.rowcount == 0:
        try:
            with session.begin_nested():
                session.add(RateLimit(key=key, window_start=window_start, count=1))
                session.flush()
        except IntegrityError:  # another instance inserted it first
            session.execute(update(RateLimit).where(*where).values(count=RateLimit.count + 1))
    return session.scalar(select(RateLimit.count).where(*where))


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
        raise Conflict(taken or {"user": ["conflicts with an existing user"]}) from None


def _taken_by_other(session, field, value, user_id):
    query = select(User.id).where(getattr(User, field) == value)
    if user_id is not None:
        query = query.where(User.id != user_id)
    return session.scalar(query) is not None
