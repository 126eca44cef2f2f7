"""What lost or repeated events can leave behind, found and repaired.

The blog database refers to users by id only, and the blog service removes a
deleted user's content when it handles ``users.user_deleted``. If that event is
lost (the blog service down long enough, a handler failing), articles,
comments and favorites of a user who no longer exists remain; tags can be left
without articles. The two databases are read through separate sessions, the
blog database first: an id it refers to and the users database lacks is then
really gone, not created after the users were read. A repair runs in one blog
write transaction, so no new blog row appears between the check and the fix.
"""

from sqlalchemy import func, select

from services.database import blog_data, users_data
from services.database.models import Article, ArticleTag, Comment, Favorite, Tag


def check_integrity(users_db, blog_db, repair=False):
    """A report of orphaned blog rows and unused tags; with ``repair``, removes them.

    ``users_db`` and ``blog_db`` give sessions through ``read()`` / ``write()``.
    """
    with blog_db.write() if repair else blog_db.read() as blog:
        referenced = blog_data.author_ids(blog)
        with users_db.read() as users:
            existing = set(users_data.existing_user_ids(users, referenced))
        missing = [user_id for user_id in referenced if user_id not in existing]
        report = {
            "missing_user_ids": missing,
            "orphans": orphan_counts(blog, missing),
            "unused_tags": unused_tag_names(blog),
        }
        report["ok"] = not missing and not report["unused_tags"]
        report["repaired"] = repair and not report["ok"]
        if report["repaired"]:
            remove_orphans(blog, missing)
    return report


def orphan_counts(session, missing_user_ids):
    """Rows written by users who no longer exist: ``{articles, comments, favorites}``."""
    columns = {
        "articles": Article.author_id,
        "comments": Comment.author_id,
        "favorites": Favorite.user_id,
    }
    return {
        name: session.scalar(select(func.count()).where(column.in_(missing_user_ids)))
        if missing_user_ids
        else 0
        for name, column in columns.items()
    }


def unused_tag_names(session):
    """Tags no article uses."""
    return list(
        session.scalars(
            select(Tag.name).where(~Tag.id.in_(select(ArticleTag.tag_id))).order_by(Tag.name)
        )
    )


def remove_orphans(session, missing_user_ids):
    """Remove what the lost ``user_deleted`` events should have removed, and unused tags."""
    for user_id in missing_user_ids:
        blog_data.delete_user_content(session, user_id)
    blog_data.drop_unused_tags(session)
