"""Data API of the blog database: one function per use case, given a session.

Functions return plain dicts with ``author_id`` fields (storage attaches the
authors' profiles from the users database, ``services.database.authored``) and
raise ``NotFound`` for unknown slugs or comments. Reads select the columns a
record needs and never load ORM objects: lists carry no body, and tags and
favorite counts of a whole page come in one query each. The statements of the hot reads are built
once, with bound parameters (``bindparam``): building and keying a statement
cost SQLAlchemy more than SQLite takes to run it. Writes that a client may retry take an
idempotency key, unique per author in the schema. Conditional writes
(``only_author_id``) report whether they applied, so the blog service can
enforce who may change what in one round trip and without a race.
"""

from sqlalchemy import bindparam, case, delete, func, select
from sqlalchemy.exc import IntegrityError

from common.errors import NotFound
from common.timestamps import isoformat, utc_now
from services.database.models import ID_MAX, Article, ArticleTag, Comment, Favorite, Tag

SLUG_ATTEMPTS = 5
SLUG_CANDIDATES = 20
"""Slugs ``base``, ``base-2``... looked up at once when choosing a free one."""


SUMMARY_COLUMNS = (
    Article.id,
    Article.slug,
    Article.title,
    Article.description,
    Article.author_id,
    Article.created_at,
    Article.updated_at,
)
"""What a list item needs: every column but the body."""

TAG_NAMES_OF_ARTICLES = (
    select(ArticleTag.article_id, Tag.name)
    .join(Tag, Tag.id == ArticleTag.tag_id)
    .where(ArticleTag.article_id.in_(bindparam("ids", expanding=True)))
    .order_by(Tag.name)
)
FAVORITES_OF_ARTICLES = (
    select(
        Favorite.article_id,
        func.count(),
        func.max(case((Favorite.user_id == bindparam("viewer_id"), 1), else_=0)),
    )
    .where(Favorite.article_id.in_(bindparam("ids", expanding=True)))
    .group_by(Favorite.article_id)
)
"""Per article: favorites count, and 1 when the viewer is among them (never for no viewer)."""
ARTICLE_BY_SLUG = select(*SUMMARY_COLUMNS, Article.body).where(Article.slug == bindparam("slug"))
ARTICLE_ID_BY_SLUG = select(Article.id).where(Article.slug == bindparam("slug"))
COMMENTS_OF_ARTICLE = (
    select(Comment.id, Comment.body, Comment.created_at, Comment.updated_at, Comment.author_id)
    .where(Comment.article_id == bindparam("article_id"))
    .order_by(Comment.id)
)


def article_records(session, rows, viewer_id=None, with_body=True):
    """Article dicts with tags, favorite counts and ``favorited`` for the viewer.

    ``rows`` are ``Article`` objects or rows of ``SUMMARY_COLUMNS`` (plus ``body``
    when ``with_body``).
    """
    ids = [row.id for row in rows]
    tags = _tag_names_by_article(session, ids)
    favorites = _favorites_by_article(session, ids, viewer_id)
    records = []
    for row in rows:
        count, favorited = favorites.get(row.id, (0, False))
        record = {
            "slug": row.slug,
            "title": row.title,
            "description": row.description,
            "tag_list": tags.get(row.id, []),
            "created_at": isoformat(row.created_at),
            "updated_at": isoformat(row.updated_at),
            "favorited": favorited,
            "favorites_count": count,
            "author_id": row.author_id,
        }
        if with_body:
            record["body"] = row.body
        records.append(record)
    return records


def article_record(session, article, viewer_id=None):
    return article_records(session, [article], viewer_id)[0]


def _tag_names_by_article(session, ids):
    """``{article id: [tag names in order]}`` for a page of articles, in one query."""
    if not ids:
        return {}
    rows = session.execute(TAG_NAMES_OF_ARTICLES, {"ids": ids})
    names = {}
    for article_id, name in rows:
        names.setdefault(article_id, []).append(name)
    return names


def _favorites_by_article(session, ids, viewer_id):
    """``{article id: (favorites count, favorited by the viewer)}``, in one query."""
    if not ids:
        return {}
    rows = session.execute(FAVORITES_OF_ARTICLES, {"ids": ids, "viewer_id": viewer_id})
    return {article_id: (count, bool(mine)) for article_id, count, mine in rows}


def create_article(
    session, author_id, slug, title, description, body, tag_list, idempotency_key=None
):
    """Insert an article under ``slug`` or, when taken, ``slug-2``, ``slug-3``...

    With an ``idempotency_key`` already used by this author, the article made
    the first time is returned instead of a new one.
    """
    existing = _article_by_key(session, author_id, idempotency_key)
    if existing is not None:
        return article_record(session, existing)
    tags = _tags(session, tag_list)
    for attempt in range(SLUG_ATTEMPTS):
        article = Article(
            slug=_free_slug(session, slug),
            title=title,
            description=description,
            body=body,
            author_id=author_id,
            idempotency_key=idempotency_key,
            tags=tags,
        )
        try:
            with session.begin_nested():
                session.add(article)
                session.flush()
            return article_record(session, article)
        except IntegrityError:
            # A concurrent retry with the same key may have committed first.
            existing = _article_by_key(session, author_id, idempotency_key)
            if existing is not None:
                return article_record(session, existing)
            if attempt == SLUG_ATTEMPTS - 1:
                raise


def _article_by_key(session, author_id, idempotency_key):
    if not idempotency_key:
        return None
    return session.scalar(
        select(Article).where(
            Article.author_id == author_id, Article.idempotency_key == idempotency_key
        )
    )


def get_article(session, slug, viewer_id=None):
    row = session.execute(ARTICLE_BY_SLUG, {"slug": slug}).first()
    if row is None:
        raise NotFound(f"article '{slug}' not found")
    return article_record(session, row, viewer_id)


def update_article(session, slug, changes, only_author_id):
    """Apply ``changes`` when the article is by ``only_author_id``.

    Returns ``{"changed": bool, "article": ...}``; ``changed`` is false, and
    nothing is written, for another author's article.
    """
    article = _find_article(session, slug)
    if article.author_id != only_author_id:
        return {"changed": False, "article": article_record(session, article, only_author_id)}
    for field in ("title", "description", "body"):
        if field in changes:
            setattr(article, field, changes[field])
    if "tag_list" in changes:
        article.tags = _tags(session, changes["tag_list"])
    article.updated_at = utc_now()
    session.flush()
    return {"changed": True, "article": article_record(session, article, only_author_id)}


def delete_article(session, slug, only_author_id):
    """Delete when by ``only_author_id``; returns ``{"deleted": bool, "author_id"}``."""
    article = _find_article(session, slug)
    if article.author_id != only_author_id:
        return {"deleted": False, "author_id": article.author_id}
    session.delete(article)
    drop_unused_tags(session)
    return {"deleted": True, "author_id": article.author_id}


def list_articles(
    session,
    tag=None,
    author_ids=None,
    favorited_by=None,
    limit=20,
    offset=0,
    viewer_id=None,
    with_body=False,
):
    """Newest first, bodies only ``with_body``; ``articles_count`` is the total before limit
    and offset."""
    columns = (*SUMMARY_COLUMNS, Article.body) if with_body else SUMMARY_COLUMNS
    conditions = []
    if tag:
        conditions.append(
            Article.id.in_(select(ArticleTag.article_id).join(Tag).where(Tag.name == tag))
        )
    if author_ids is not None:
        conditions.append(Article.author_id.in_(author_ids))
    if favorited_by is not None:
        conditions.append(
            Article.id.in_(select(Favorite.article_id).where(Favorite.user_id == favorited_by))
        )
    count = _count_articles(session, conditions, only_tag=tag if len(conditions) == 1 else None)
    if tag and len(conditions) == 1 and _common_tag(session, count, limit + offset):
        conditions = [_has_tag(tag)]
    page = session.execute(
        select(*columns)
        .where(*conditions)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return {
        "articles": article_records(session, page, viewer_id, with_body=with_body),
        "articles_count": count,
    }


def _count_articles(session, conditions, only_tag=None):
    """How many articles match ``conditions`` (``only_tag``: the one condition is this tag).

    count(*), not count(id): SQLite counts the smallest index (or, with no condition,
    the b-tree's cells) instead of reading every row. With a tag as the only
    condition, its ``article_tags`` entries are counted on the tag_id index alone (one
    entry per article, the primary key says so, and the foreign key keeps them to
    existing articles) instead of looking up every article of the tag.
    """
    if only_tag:
        tag_id = select(Tag.id).where(Tag.name == only_tag).scalar_subquery()
        return session.scalar(
            select(func.count()).select_from(ArticleTag).where(ArticleTag.tag_id == tag_id)
        )
    return session.scalar(select(func.count()).select_from(Article).where(*conditions))


def _common_tag(session, tagged, wanted):
    """Whether a page of ``wanted`` newest articles among ``tagged`` articles of one tag is
    cheaper found by walking the newest articles and checking each one's tag (about
    ``wanted * all / tagged`` index lookups) than by gathering and sorting all ``tagged``.
    The highest id stands for the number of articles: one index lookup, where counting
    them walks an index that grows with the data; deleted articles only make it err
    towards gathering."""
    if tagged <= wanted:
        return False
    every = session.scalar(select(func.max(Article.id))) or 0
    return tagged * tagged > wanted * every


def _has_tag(tag):
    """The article has ``tag``: one lookup in article_tags' primary key per article."""
    tag_id = select(Tag.id).where(Tag.name == tag).scalar_subquery()
    return (
        select(ArticleTag.article_id)
        .where(ArticleTag.article_id == Article.id, ArticleTag.tag_id == tag_id)
        .exists()
    )


def favorite(session, slug, user_id):
    """Idempotent: favoriting twice counts once."""
    article = _find_article(session, slug)
    if session.get(Favorite, (article.id, user_id)) is None:
        session.add(Favorite(article_id=article.id, user_id=user_id))
        session.flush()
    return article_record(session, article, user_id)


def unfavorite(session, slug, user_id):
    article = _find_article(session, slug)
    session.execute(
        delete(Favorite).where(Favorite.article_id == article.id, Favorite.user_id == user_id)
    )
    return article_record(session, article, user_id)


def add_comment(session, slug, author_id, body, idempotency_key=None):
    """Insert a comment; with an ``idempotency_key`` already used by this author, the
    comment made the first time is returned instead (also when both run at once)."""
    existing = _comment_by_key(session, author_id, idempotency_key)
    if existing is not None:
        return comment_record(existing)
    article = _find_article(session, slug)
    comment = Comment(
        article_id=article.id, author_id=author_id, body=body, idempotency_key=idempotency_key
    )
    try:
        with session.begin_nested():
            session.add(comment)
            session.flush()
    except IntegrityError:
        # A concurrent run of the same request committed first, or the article was
        # deleted meanwhile (the comment's foreign key): never a comment on no article.
        existing = _comment_by_key(session, author_id, idempotency_key)
        if existing is not None:
            return comment_record(existing)
        _find_article(session, slug)
        raise
    return comment_record(comment)


def _comment_by_key(session, author_id, idempotency_key):
    if not idempotency_key:
        return None
    return session.scalar(
        select(Comment).where(
            Comment.author_id == author_id, Comment.idempotency_key == idempotency_key
        )
    )


def list_comments(session, slug):
    """Comments of an article, oldest first."""
    article_id = session.scalar(ARTICLE_ID_BY_SLUG, {"slug": slug})
    if article_id is None:
        raise NotFound(f"article '{slug}' not found")
    comments = session.execute(COMMENTS_OF_ARTICLE, {"article_id": article_id})
    return [comment_record(comment) for comment in comments]


def delete_comment(session, slug, comment_id, only_author_id):
    """Delete when by ``only_author_id``; returns ``{"deleted": bool}``."""
    article = _find_article(session, slug)
    comment = (
        session.scalar(
            select(Comment).where(Comment.id == comment_id, Comment.article_id == article.id)
        )
        if 0 < comment_id <= ID_MAX
        else None
    )  # PostgreSQL refuses to compare a larger id
    if comment is None:
        raise NotFound(f"comment {comment_id} not found")
    if comment.author_id != only_author_id:
        return {"deleted": False}
    session.delete(comment)
    return {"deleted": True}


def list_tags(session):
    """Tag names in use, most used first, then by name.

    The uses are counted on ``article_tags``' tag_id index alone (a covering index
    scan, grouped in index order), then joined to the few tag rows: cheaper on SQLite
    than grouping the join of every article tag with its tag.
    """
    uses = (
        select(ArticleTag.tag_id, func.count().label("uses")).group_by(ArticleTag.tag_id).subquery()
    )
    rows = session.execute(
        select(Tag.name).join(uses, uses.c.tag_id == Tag.id).order_by(uses.c.uses.desc(), Tag.name)
    )
    return [name for (name,) in rows]


def delete_user_content(session, user_id):
    """Remove a user's articles, comments and favorites; idempotent. Returns counts."""
    removed = {
        "favorites": session.execute(delete(Favorite).where(Favorite.user_id == user_id)).rowcount,
        "comments": session.execute(delete(Comment).where(Comment.author_id == user_id)).rowcount,
    }
    articles = session.scalars(select(Article).where(Article.author_id == user_id)).all()
    for article in articles:
        session.delete(article)
    session.flush()
    removed["articles"] = len(articles)
    drop_unused_tags(session)
    return removed


def author_ids(session):
    """Every user id the blog database refers to (for integrity checks)."""
    ids = set(session.scalars(select(Article.author_id).distinct()))
    ids |= set(session.scalars(select(Comment.author_id).distinct()))
    ids |= set(session.scalars(select(Favorite.user_id).distinct()))
    return sorted(ids)


def comment_record(comment):
    return {
        "id": comment.id,
        "body": comment.body,
        "created_at": isoformat(comment.created_at),
        "updated_at": isoformat(comment.updated_at),
        "author_id": comment.author_id,
    }


def _find_article(session, slug):
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound(f"article '{slug}' not found")
    return article


def _tags(session, names):
    """Tag rows for ``names``, creating the missing ones."""
    names = sorted(set(names or []))
    if not names:
        return []
    existing = set(session.scalars(select(Tag.name).where(Tag.name.in_(names))))
    for name in names:
        if name not in existing:
            _create_tag(session, name)
    return list(session.scalars(select(Tag).where(Tag.name.in_(names)).order_by(Tag.name)))


def _create_tag(session, name):
    """Insert a tag unless a concurrent transaction just did (then it is reused)."""
    try:
        with session.begin_nested():
            session.add(Tag(name=name))
            session.flush()
    except IntegrityError:
        pass


def _free_slug(session, base):
    """``base`` if free, else ``base-N`` with the smallest free N from 2.

    Asks for the exact candidates (``slug IN (...)``, lookups in the unique slug index),
    ``SLUG_CANDIDATES`` at a time: a ``LIKE 'base-%'`` cannot use that index (SQLite's
    LIKE ignores case) and read every slug of the table.
    """
    candidates, number = [base], 2
    while True:
        candidates += [f"{base}-{n}" for n in range(number, number + SLUG_CANDIDATES)]
        number += SLUG_CANDIDATES
        taken = set(session.scalars(select(Article.slug).where(Article.slug.in_(candidates))))
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        candidates = []


def drop_unused_tags(session):
    """Delete tags no article uses any more (also the integrity repair of such tags)."""
    session.flush()
    session.execute(delete(Tag).where(~Tag.id.in_(select(ArticleTag.tag_id))))
