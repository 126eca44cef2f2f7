"""What the blog service sends in events (its RPC answers are storage's records,
which carry the author's profile as ``author``)."""

from collections.abc import Mapping
from typing import Any, TypedDict


class ArticleEvent(TypedDict):
    slug: str
    author_id: int


class CommentEvent(TypedDict):
    slug: str
    comment_id: int
    author_id: int


def article_event(record: Mapping[str, Any]) -> ArticleEvent:
    """Payload of ``article_published``, ``article_updated`` and ``article_deleted``."""
    return {"slug": record["slug"], "author_id": record["author"]["id"]}


def comment_event(slug: str, comment: Mapping[str, Any]) -> CommentEvent:
    return {"slug": slug, "comment_id": comment["id"], "author_id": comment["author"]["id"]}
