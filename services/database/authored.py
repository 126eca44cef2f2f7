"""Blog records with their authors' profiles: where storage's two databases meet.

Articles and comments refer to their authors by id only (nothing joins across
the databases). Storage answers each read with the profiles attached, taken
from the users database in one query per page, so the blog service needs no
call to the users service to show who wrote what.
"""

from services.database import users_data

EMPTY_PAGE = {"articles": [], "articles_count": 0}

DELETED_AUTHOR = {
    "id": None,
    "username": "[deleted]",
    "bio": None,
    "image": None,
    "following": False,
}
"""An author deleted a moment ago (before the ``user_deleted`` event removed their
content) shows as ``[deleted]`` rather than failing the whole page."""


def with_authors(users_session, records, viewer_id=None):
    """Records with ``author_id`` replaced by ``author`` (a profile; ``following`` is
    relative to ``viewer_id``)."""
    author_ids = list(dict.fromkeys(record["author_id"] for record in records))
    profiles = users_data.get_profiles(users_session, author_ids, viewer_id)
    by_id = {profile["id"]: profile for profile in profiles}
    return [attach_author(record, by_id) for record in records]


def with_author(users_session, record, viewer_id=None):
    return with_authors(users_session, [record], viewer_id)[0]


def page_with_authors(users_session, page, viewer_id=None):
    return {
        "articles": with_authors(users_session, page["articles"], viewer_id),
        "articles_count": page["articles_count"],
    }


def list_filters(users_session, author=None, favorited=None):
    """The ids behind the ``author`` and ``favorited`` username filters of a list, or
    ``None`` when either names nobody (the list is then empty, not an error)."""
    filters = {}
    for name, username in (("author_ids", author), ("favorited_by", favorited)):
        if username:
            user_id = users_data.user_id_named(users_session, username)
            if user_id is None:
                return None
            filters[name] = [user_id] if name == "author_ids" else user_id
    return filters


def attach_author(record, profiles_by_id):
    """``record`` with ``author_id`` replaced by its profile from ``profiles_by_id``."""
    item = {key: value for key, value in record.items() if key != "author_id"}
    item["author"] = profiles_by_id.get(record["author_id"], DELETED_AUTHOR)
    return item
