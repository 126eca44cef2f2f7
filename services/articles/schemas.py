"""What the blog service sends in events (its RPC answers are storage's records,
which carry the author's profile as ``author``)."""


def article_event(record):
    """Payload of ``article_published``, ``article_updated`` and ``article_deleted``."""
    return {"slug": record["slug"], "author_id": record["author"]["id"]}


def comment_event(slug, comment):
    return {"slug": slug, "comment_id": comment["id"], "author_id": comment["author"]["id"]}
