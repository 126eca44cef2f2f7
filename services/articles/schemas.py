"""What the blog service sends over RPC and in events."""

DELETED_AUTHOR = {"id": None, "username": "[deleted]", "bio": None, "image": None,
                  "following": False}


def with_author(record, profiles_by_id):
    """An article or comment record with ``author_id`` replaced by the author's profile.

    An author deleted a moment ago (before the ``user_deleted`` event removed
    their content) shows as ``[deleted]`` rather than failing the whole page.
    """
    item = {key: value for key, value in record.items() if key != "author_id"}
    item["author"] = profiles_by_id.get(record["author_id"], DELETED_AUTHOR)
    return item


def article_event(record):
    """Payload of ``article_published``, ``article_updated`` and ``article_deleted``."""
    return {"slug": record["slug"], "author_id": record["author_id"]}


def comment_event(slug, comment):
    return {"slug": slug, "comment_id": comment["id"], "author_id": comment["author_id"]}
