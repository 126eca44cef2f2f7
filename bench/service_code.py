"""The project code the benchmark reuses, imported in this one block.

``bench/seed_data.py`` and ``bench/monolith.py`` take storage's models, data
functions, bulk insert and engine settings, the blog and users rules, and the
gateway's request parsing, presenters, access log and error mapping from here
and nowhere else: when modules move (``services/storage_*`` into packages),
only these imports change.
"""
from sqlalchemy import create_engine

from frontend.markdown_render import render_markdown  # noqa: F401
from gateway import access_log, error_responses  # noqa: F401
from gateway.auth import request_token  # noqa: F401
from gateway.payload import read_object, read_page  # noqa: F401
from gateway.presenters import (  # noqa: F401
    present_article,
    present_article_list,
    present_comment,
)
from services import blog_rules, blog_schemas, users_rules  # noqa: F401
from services import storage_blog, storage_users  # noqa: F401
from services.config import PROJECT_ROOT, load_config  # noqa: F401
from services.errors import (  # noqa: F401
    BlogError,
    NotFound,
    Unauthenticated,
    ValidationError,
)
from services.migrations import config_key  # noqa: F401
from services.storage_database import (  # noqa: F401
    WRITE_OPTION,
    configure_sqlite,
    refuse_nul_characters,
)
from services.storage_models import (  # noqa: F401
    Article,
    ArticleTag,
    BlogBase,
    Comment,
    Favorite,
    Follow,
    Tag,
    User,
    UsersBase,
)
from services.storage_snapshot import insert_batch, reset_sequences  # noqa: F401


def database_engine(uri):
    """An engine set up as storage sets up its own: on SQLite, WAL, foreign keys, a busy
    timeout and ``BEGIN IMMEDIATE`` for transactions run with ``WRITE_OPTION``."""
    engine = create_engine(uri, pool_pre_ping=True)
    refuse_nul_characters(engine)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    return engine
