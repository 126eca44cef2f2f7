"""Tables of the two databases, one declarative base each.

The users database and the blog database are separate: a blog row refers to a
user by id only, so there is no foreign key across them. Every uniqueness
rule lives in the schema, not only in code. The schema itself is created and
changed by the Alembic migrations under ``migrations/``; these models
describe it for queries.
"""

import secrets

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, relationship

from common.timestamps import utc_now

ID_MAX = 2**31 - 1
"""The largest value of an ``Integer`` id column (PostgreSQL's INTEGER)."""


class UsersBase(DeclarativeBase):
    """Tables of the users database."""


class BlogBase(DeclarativeBase):
    """Tables of the blog database."""


def new_account_key():
    """The random key a user's tokens and sessions are bound to: an account that later gets
    the same id has another key, so nothing issued to a deleted account works for it."""
    return secrets.token_hex(16)


class User(UsersBase):
    __tablename__ = "users"
    # Ids are never reused: AUTOINCREMENT on SQLite (PostgreSQL's sequences never go back).
    __table_args__ = {"sqlite_autoincrement": True}

    id = Column(Integer, primary_key=True)
    username = Column(String(40), nullable=False, unique=True)
    email = Column(String(254), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    bio = Column(Text, nullable=True)
    image = Column(String(2048), nullable=True)
    banned = Column(Boolean, nullable=False, default=False)
    token_version = Column(Integer, nullable=False, default=0)
    account_key = Column(String(32), nullable=False, default=new_account_key)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    updated_at = Column(DateTime, nullable=False, default=utc_now)


class Follow(UsersBase):
    __tablename__ = "follows"
    __table_args__ = (CheckConstraint("follower_id <> followee_id", name="ck_follows_not_self"),)

    follower_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    followee_id = Column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at = Column(DateTime, nullable=False, default=utc_now)


class Session(UsersBase):
    """A signed-in browser: only a hash of its session token is kept."""

    __tablename__ = "sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_version = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    expires_at = Column(DateTime, nullable=False)


class RateLimit(UsersBase):
    """Attempts counted under ``key`` in the fixed window starting at ``window_start``
    (Unix seconds), shared by every instance of the users service."""

    __tablename__ = "rate_limits"

    key = Column(String(300), primary_key=True)
    window_start = Column(Integer, primary_key=True, index=True)
    count = Column(Integer, nullable=False)


class Article(BlogBase):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("author_id", "idempotency_key", name="uq_articles_idempotency_key"),
    )

    id = Column(Integer, primary_key=True)
    slug = Column(String(255), nullable=False, unique=True)
    title = Column(String(255), nullable=False)
    description = Column(String(1000), nullable=False)
    body = Column(Text, nullable=False)
    author_id = Column(Integer, nullable=False, index=True)
    idempotency_key = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utc_now, index=True)
    updated_at = Column(DateTime, nullable=False, default=utc_now)

    tags = relationship("Tag", secondary="article_tags", order_by="Tag.name")


class Tag(BlogBase):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)


class ArticleTag(BlogBase):
    __tablename__ = "article_tags"

    article_id = Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    tag_id = Column(
        Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Favorite(BlogBase):
    __tablename__ = "favorites"

    article_id = Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    user_id = Column(Integer, primary_key=True, index=True)
    created_at = Column(DateTime, nullable=False, default=utc_now)


class Comment(BlogBase):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("author_id", "idempotency_key", name="uq_comments_idempotency_key"),
    )

    id = Column(Integer, primary_key=True)
    article_id = Column(
        Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id = Column(Integer, nullable=False, index=True)
    body = Column(Text, nullable=False)
    idempotency_key = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utc_now)
    updated_at = Column(DateTime, nullable=False, default=utc_now)
