"""The project code the benchmark reuses, imported in this one block.

``bench/seed_data.py`` and ``bench/monolith.py`` take storage's models, data
functions, bulk insert and engine settings, the blog and users rules, and the
gateway's request parsing, presenters, access log and error mapping (with the web
tier's way of registering it) from here and nowhere else: when modules move ,
only these imports change.
"""

from sqlalchemy import create_engine

from common.config import PROJECT_ROOT, load_config
from common.errors import (
    ConduitError,
    NotFound,
    Unauthenticated,
    ValidationError,
)
from common.secret_keys import derived_key
from frontend.markdown_render import render_markdown, sanitised_html
from gateway import access_log, error_responses
from gateway.auth import request_token
from gateway.payload import read_object, read_page
from gateway.presenters import (
    present_article,
    present_article_list,
    present_comment,
)
from services.accounts import tokens
from services.accounts.passwords import Passwords
from services.articles import rules as blog_rules
from services.database import authored
from services.database import blog_data as storage_blog
from services.database import users_data as storage_users
from services.database.access import (
    WRITE_TRANSACTION_OPTION,
    configure_sqlite,
    refuse_nul_characters,
)
from services.database.migrations import config_key
from services.database.models import (
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
from services.database.table_files import insert_batch, reset_sequences
from web.error_handlers import register_error_handlers


def database_engine(uri):
    """An engine set up as storage sets up its own: on SQLite, WAL, foreign keys, a busy
    timeout and ``BEGIN IMMEDIATE`` for transactions run with ``WRITE_TRANSACTION_OPTION``."""
    engine = create_engine(uri, pool_pre_ping=True)
    refuse_nul_characters(engine)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    return engine
