"""The architecture this project replaces, as the benchmark's baseline.

    USERS_DB_URI=... BLOG_DB_URI=... SECRET_KEY=... \\
    .venv/bin/gunicorn -k gthread -w 1 --threads 8 -b 127.0.0.1:8001 'bench.monolith:create_app()'

One Flask process that answers the benchmark's requests straight from the same
two databases, with no broker and no services in between. To make the
comparison about the architecture and nothing else, it runs the same code
wherever it can (all imported in ``bench/service_code.py``):

* the same queries: storage's data functions (``storage_blog``, ``storage_users``,
  and ``authored``, which attaches the authors' profiles as storage does)
  on engines set up as storage sets them up (SQLite WAL, ``BEGIN IMMEDIATE``
  for writes), one transaction per database per use case as storage does;
* the same rules: the blog service's validation, slugs and idempotency keys;
* the same HTTP edge: the gateway's request parsing, RealWorld presenters,
  JSON access log line and error mapping, so the JSON is the same;
* tokens the users service issued are accepted (same ``SECRET_KEY``, PyJWT,
  and the same ban / token-version check against the users table).

Endpoints: ``GET /api/articles``, ``/api/articles/feed``, ``/api/articles/<slug>``,
``/api/articles/<slug>/comments``, ``/api/tags``; ``POST /api/articles`` and
``/api/articles/<slug>/comments``; and two HTML pages for the frontend
scenarios, ``/`` (10 articles and the 20 popular tags) and ``/article/<slug>``
(Markdown body and comments rendered and sanitised as the frontend does), with
smaller templates than the frontend's.
"""

import time
from contextlib import contextmanager

from flask import Blueprint, Flask, current_app, g, request
from sqlalchemy.orm import sessionmaker

from bench.service_code import (
    WRITE_TRANSACTION_OPTION,
    NotFound,
    Unauthenticated,
    access_log,
    authored,
    blog_rules,
    config_key,
    database_engine,
    derived_key,
    error_responses,
    load_config,
    present_article,
    present_article_list,
    present_comment,
    read_object,
    read_page,
    register_error_handlers,
    render_markdown,
    request_token,
    storage_blog,
    storage_users,
    tokens,
)

LIST_FILTERS = ("tag", "author", "favorited")
HOME_PAGE_SIZE = 10
POPULAR_TAGS = 20

api = Blueprint("api", __name__, url_prefix="/api")
pages = Blueprint("pages", __name__)


def create_app(config=None):
    """The monolith; ``config`` defaults to ``config.yaml`` (databases and secret from the env)."""
    config = config if config is not None else load_config()
    app = Flask(__name__, static_folder=None)
    app.config["SECRET_KEY"] = config["SECRET_KEY"]
    app.config["PROJECT_CONFIG"] = config
    app.config["MAX_CONTENT_LENGTH"] = int(
        (config.get("GATEWAY") or {}).get("MAX_BODY_BYTES", 1024 * 1024)
    )
    app.extensions["databases"] = {
        name: sessionmaker(bind=database_engine(config["DB_URIS"][config_key(name)]))
        for name in ("users", "blog")
    }
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.jinja_env.filters["markdown"] = render_markdown
    access_log.init_app(app)
    register_error_handlers(app, error_responses.ERROR_HANDLERS)
    return app


# -- transactions and the signed-in user ----------------------------------------


@contextmanager
def transaction(name, write=False):
    """One transaction on the ``users`` or ``blog`` database, as storage runs each call."""
    session = current_app.extensions["databases"][name]()
    try:
        session.connection(execution_options={WRITE_TRANSACTION_OPTION: write})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def optional_user():
    """The token holder's user record, ``None`` without a token; 401 for a bad one."""
    if "user" not in g:
        token = request_token()
        g.user = None if token is None else verified_user(token)
    return g.user


def verified_user(token):
    """As the users service verifies a token: its derived key, issuer, audience, expiry,
    generation and account."""
    key = derived_key(current_app.config["PROJECT_CONFIG"], "tokens")
    claims = tokens.read_claims(token, key, time.time())
    try:
        with transaction("users") as session:
            record = storage_users.get_user(session, user_id=claims["user_id"])
    except NotFound:
        raise Unauthenticated("the account no longer exists") from None
    tokens.check_token_holder(record, claims["token_version"], claims["account_key"])
    return record


def current_user():
    user = optional_user()
    if user is None:
        raise Unauthenticated("authentication required: send 'Authorization: Token <jwt>'")
    return user


def viewer_id():
    user = optional_user()
    return None if user is None else user["id"]


# -- what the blog service does, in process --------------------------------------


def with_authors(records, viewer):
    with transaction("users") as session:
        return authored.with_authors(session, records, viewer)


def list_articles(tag=None, author=None, favorited=None, limit=20, offset=0, viewer=None):
    limit, offset = blog_rules.validate_page(limit, offset)
    with transaction("users") as users, transaction("blog") as blog:
        filters = authored.list_filters(users, author, favorited)
        if filters is None:
            return authored.EMPTY_PAGE
        page = storage_blog.list_articles(
            blog, tag, limit=limit, offset=offset, viewer_id=viewer, **filters
        )
        return authored.page_with_authors(users, page, viewer)


def feed(user_id, limit, offset):
    with transaction("users") as users, transaction("blog") as blog:
        followed = storage_users.following_ids(users, user_id)
        if not followed:
            return authored.EMPTY_PAGE
        page = storage_blog.list_articles(
            blog, author_ids=followed, limit=limit, offset=offset, viewer_id=user_id
        )
        return authored.page_with_authors(users, page, user_id)


def get_article(slug, viewer):
    with transaction("users") as users, transaction("blog") as blog:
        return authored.with_author(users, storage_blog.get_article(blog, slug, viewer), viewer)


def list_comments(slug, viewer):
    with transaction("users") as users, transaction("blog") as blog:
        return authored.with_authors(users, storage_blog.list_comments(blog, slug), viewer)


def list_tags():
    with transaction("blog") as session:
        return storage_blog.list_tags(session)


# -- JSON API ---------------------------------------------------------------------


@api.get("/articles")
def api_list_articles():
    filters = {name: request.args[name] for name in LIST_FILTERS if name in request.args}
    return present_article_list(list_articles(**filters, **read_page(), viewer=viewer_id()))


@api.get("/articles/feed")
def api_feed():
    user_id = current_user()["id"]
    limit, offset = blog_rules.validate_page(**{"limit": 20, "offset": 0, **read_page()})
    return present_article_list(feed(user_id, limit, offset))


@api.post("/articles")
def api_create_article():
    author_id = current_user()["id"]
    fields = read_object(
        "article", required=("title", "description", "body"), optional=("tagList",)
    )
    checked = blog_rules.validate_new_article(
        fields["title"], fields["description"], fields["body"], fields.get("tag_list")
    )
    key = blog_rules.validate_idempotency_key(request.headers.get("Idempotency-Key"))
    with transaction("blog", write=True) as session:
        record = storage_blog.create_article(
            session,
            author_id,
            blog_rules.slugify(checked["title"]),
            checked["title"],
            checked["description"],
            checked["body"],
            checked["tag_list"],
            key,
        )
    return {"article": present_article(with_authors([record], author_id)[0])}, 201


@api.get("/articles/<slug>")
def api_get_article(slug):
    return {"article": present_article(get_article(slug, viewer_id()))}


@api.get("/articles/<slug>/comments")
def api_list_comments(slug):
    return {"comments": [present_comment(comment) for comment in list_comments(slug, viewer_id())]}


@api.post("/articles/<slug>/comments")
def api_add_comment(slug):
    author_id = current_user()["id"]
    fields = read_object("comment", required=("body",))
    body = blog_rules.validate_comment(fields["body"])
    key = blog_rules.validate_idempotency_key(request.headers.get("Idempotency-Key"))
    with transaction("blog", write=True) as session:
        record = storage_blog.add_comment(session, slug, author_id, body, key)
    return {"comment": present_comment(with_authors([record], author_id)[0])}


@api.get("/tags")
def api_list_tags():
    return {"tags": list_tags()}


# -- HTML pages ----------------------------------------------------------------------

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}conduit{% endblock %}</title></head>
<body><header><a href="/">conduit</a></header><main>{% block main %}{% endblock %}</main>
<footer>An interactive learning project.</footer></body></html>
"""

HOME = """{% extends layout %}
{% block main %}
<section class="feed" aria-label="Articles">
{%- for article in articles %}
  <article class="preview">
    <a href="/profile/{{ article.author.username }}">{{ article.author.username }}</a>
    <time datetime="{{ article.created_at }}">{{ article.created_at[:10] }}</time>
    <span class="favorites">&hearts; {{ article.favorites_count }}</span>
    <a href="/article/{{ article.slug }}"><h2>{{ article.title }}</h2>
    <p>{{ article.description }}</p></a>
    <ul class="tags">{% for tag in article.tag_list %}<li>{{ tag }}</li>{% endfor %}</ul>
  </article>
{%- else %}
  <p>No articles are here... yet.</p>
{%- endfor %}
  <p>{{ articles_count }} articles</p>
</section>
<aside><h2>Popular tags</h2><ul class="tag-cloud">
{%- for name in popular_tags %}<li><a href="/tag/{{ name }}">{{ name }}</a></li>{% endfor %}
</ul></aside>
{% endblock %}
"""

ARTICLE = """{% extends layout %}
{% block title %}{{ article.title }} · conduit{% endblock %}
{% block main %}
<article>
  <h1>{{ article.title }}</h1>
  <a href="/profile/{{ article.author.username }}">{{ article.author.username }}</a>
  <time datetime="{{ article.created_at }}">{{ article.created_at[:10] }}</time>
  <p class="lead">{{ article.description }}</p>
  <div class="article-body">{{ article.body|markdown }}</div>
  <ul class="tags">{% for tag in article.tag_list %}<li>{{ tag }}</li>{% endfor %}</ul>
  <p>{% if article.author.bio %}{{ article.author.bio }}{% endif %}
     &hearts; {{ article.favorites_count }}</p>
</article>
<section id="comments"><h2>Comments {{ comments|length }}</h2>
{%- for comment in comments %}
  <div class="comment" id="comment-{{ comment.id }}">
    <div>{{ comment.body|markdown }}</div>
    <a href="/profile/{{ comment.author.username }}">{{ comment.author.username }}</a>
    <time datetime="{{ comment.created_at }}">{{ comment.created_at[:10] }}</time>
  </div>
{%- endfor %}
</section>
{% endblock %}
"""


def template(name, source):
    """Compiled once per process, like Flask's file templates."""
    cache = current_app.extensions.setdefault("monolith_templates", {})
    if name not in cache:
        cache[name] = current_app.jinja_env.from_string(source)
    return cache[name]


@pages.get("/")
def home():
    page = list_articles(limit=HOME_PAGE_SIZE, offset=0)
    return template("home", HOME).render(
        layout=template("layout", LAYOUT),
        articles=page["articles"],
        articles_count=page["articles_count"],
        popular_tags=list_tags()[:POPULAR_TAGS],
    )


@pages.get("/article/<slug>")
def article_page(slug):
    return template("article", ARTICLE).render(
        layout=template("layout", LAYOUT),
        article=get_article(slug, None),
        comments=list_comments(slug, None),
    )


def dispose(app):
    """Close the app's database connections (tests that build it in process)."""
    for sessions in app.extensions["databases"].values():
        sessions.kw["bind"].dispose()
