"""Properties of the rules over generated input (Hypothesis, fixed seed):

* slugs: always valid URL segments, stable, and unique however titles collide
  (stored through the real blog data API on an in-memory SQLite database);
* validation: whatever a caller sends (any JSON value in any field), the answer
  is clean data or a ``ValidationError`` naming fields, never another exception;
* the Markdown sanitiser: no active content survives any input, including
  nested, unclosed and malformed HTML and entity-encoded tricks; only allowed
  tags, attributes and URL schemes come out.
"""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from common.errors import ValidationError
from frontend.markdown_render import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    render_markdown,
)
from services.accounts import rules as account_rules
from services.articles import rules as article_rules
from services.database import blog_data
from services.database.models import BlogBase

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EXAMPLES = 200
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# -- slugs ---------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.text())
def test_a_slug_is_always_a_valid_url_segment_and_stable(title):
    slug = article_rules.slugify(title)
    assert SLUG.match(slug), slug
    assert len(slug) <= article_rules.SLUG_MAX
    assert article_rules.slugify(slug) == slug


COLLIDING_TITLES = st.lists(
    st.sampled_from(
        [
            "Hello",
            "hello!",
            "HELLO",
            " héllo ",
            "Hello 2",
            "hello-2",
            "Hello-2-2",
            "!!!",
            "article",
            "Article 2",
            "a" * 90,
            "a" * 80 + " b",
        ]
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def blog_engine():
    engine = create_engine("sqlite://")
    BlogBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(titles=COLLIDING_TITLES)
def test_slugs_stay_unique_however_titles_collide(blog_engine, titles):
    with Session(blog_engine) as session:
        slugs = [
            blog_data.create_article(session, 1, article_rules.slugify(title), title, "d", "b", [])[
                "slug"
            ]
            for title in titles
        ]
        session.rollback()
    assert len(set(slugs)) == len(slugs), slugs
    assert all(SLUG.match(slug) and len(slug) <= 255 for slug in slugs), slugs


# -- validation ----------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)
"""Anything a JSON body or an RPC caller can send."""
FIELD_VALUES = (
    JSON_VALUES
    | st.text(alphabet=st.characters(), max_size=300)
    | st.sampled_from(
        ["", " ", "a@b.co", "ann", "long enough password", "https://example.com/a.png", "x" * 3000]
    )
)


def assert_field_errors(error, fields):
    assert error.errors, "a validation error names at least one field"
    for field, messages in error.errors.items():
        assert field in fields, field
        assert messages and all(isinstance(message, str) and message for message in messages)


@PROPERTY_SETTINGS
@given(username=FIELD_VALUES, email=FIELD_VALUES, password=FIELD_VALUES)
def test_registration_is_clean_data_or_field_errors(username, email, password):
    try:
        fields = account_rules.validate_registration(username, email, password)
    except ValidationError as error:
        assert_field_errors(error, {"username", "email", "password"})
        return
    assert account_rules.USERNAME_PATTERN.match(fields["username"])
    assert account_rules.EMAIL_PATTERN.match(fields["email"])
    assert isinstance(fields["password"], str)


@PROPERTY_SETTINGS
@given(
    changes=JSON_VALUES
    | st.dictionaries(
        st.sampled_from(["username", "email", "password", "bio", "image", "token", ""]),
        FIELD_VALUES,
        max_size=5,
    )
)
def test_user_changes_are_clean_data_or_field_errors(changes):
    try:
        fields = account_rules.validate_changes(changes)
    except ValidationError as error:
        assert_field_errors(
            error, set(changes) | {"user"} if isinstance(changes, dict) else {"user"}
        )
        return
    assert set(fields) <= set(account_rules.CHECKS)


@PROPERTY_SETTINGS
@given(
    title=FIELD_VALUES,
    description=FIELD_VALUES,
    body=FIELD_VALUES,
    tag_list=FIELD_VALUES | st.lists(FIELD_VALUES, max_size=12),
)
def test_new_articles_are_clean_data_or_field_errors(title, description, body, tag_list):
    try:
        fields = article_rules.validate_new_article(title, description, body, tag_list)
    except ValidationError as error:
        assert_field_errors(error, {"title", "description", "body", "tag_list"})
        return
    assert all(
        fields[name].strip() == fields[name] and fields[name]
        for name in ("title", "description", "body")
    )
    assert len(fields["tag_list"]) <= article_rules.TAGS_PER_ARTICLE
    assert all(tag and len(tag) <= article_rules.TAG_MAX for tag in fields["tag_list"])


@PROPERTY_SETTINGS
@given(
    changes=JSON_VALUES
    | st.dictionaries(
        st.sampled_from(["title", "description", "body", "tag_list", "slug"]),
        FIELD_VALUES,
        max_size=5,
    )
)
def test_article_changes_are_clean_data_or_field_errors(changes):
    try:
        article_rules.validate_article_changes(changes)
    except ValidationError as error:
        assert_field_errors(
            error, set(changes) | {"article"} if isinstance(changes, dict) else {"article"}
        )


@PROPERTY_SETTINGS
@given(body=FIELD_VALUES, key=FIELD_VALUES, limit=JSON_VALUES, offset=JSON_VALUES)
def test_comments_keys_and_pages_are_clean_data_or_field_errors(body, key, limit, offset):
    for check, fields in (
        (lambda: article_rules.validate_comment(body), {"body"}),
        (lambda: article_rules.validate_idempotency_key(key), {"idempotency_key"}),
        (lambda: article_rules.validate_page(limit, offset), {"limit", "offset"}),
    ):
        try:
            check()
        except ValidationError as error:
            assert_field_errors(error, fields)


# -- the Markdown sanitiser ----------------------------------------------------

HOSTILE_PIECES = [
    "<script>",
    "</script>",
    "<script src=//evil.example/x.js>",
    "<scr<script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>",
    "<iframe src=//evil.example>",
    "<object data=x>",
    "<embed src=x>",
    "<style>",
    "</style>",
    '<a href="javascript:alert(1)">',
    '<a href="  JaVaScRiPt:alert(1)">',
    '<a href="&#106;avascript:alert(1)">',
    '<a href="java&#x09;script:alert(1)">',
    '<a href="data:text/html,<script>alert(1)</script>">',
    "<a href=vbscript:msgbox(1)>",
    "</a>",
    "<form action=javascript:alert(1)><button>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<p style="background:url(javascript:alert(1))">',
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<link rel=stylesheet href=//evil.example>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<!doctype html>",
    "<table><td onmouseover=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<textarea>",
    "</textarea>",
    "<title>",
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    "`<script>`",
    "```\n<script>\n```",
    '"',
    "'",
    ">",
    "<",
    "=",
    " ",
    "\n",
    "\n\n",
    "&",
    "&lt;",
    "&#60;",
    "\x00",
    "\t",
    "*",
    "`",
]
HOSTILE_MARKDOWN = st.lists(
    st.sampled_from(HOSTILE_PIECES) | st.text(max_size=12),
    max_size=25,
).map("".join)

URL_ATTRIBUTES = {"href", "src"}
INERT_ATTRIBUTES = {"title", "lang"}
"""nh3 keeps these on every allowed tag (ammonia's generic attributes): text only, escaped."""


class RenderedHtml(HTMLParser):
    """What a browser would see in the rendered HTML: tags, attributes and their values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attributes):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | INERT_ATTRIBUTES
        allowed |= {"rel"} if tag == "a" else set()
        for name, value in attributes:
            if name not in allowed:
                self.problems.append(f"{tag} {name}")
            elif name in URL_ATTRIBUTES:
                scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):", value or "")
                compact = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                if (
                    scheme and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES
                ) or compact.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{tag} {name}={value}")

    handle_startendtag = handle_starttag


def problems_in(html):
    parser = RenderedHtml()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_the_property_checker_sees_active_content():
    assert problems_in('<script>x</script><a href="javascript:x" onclick="y">a</a>') == [
        "tag script",
        "a href=javascript:x",
        "a onclick",
    ]


@settings(
    max_examples=1000,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(HOSTILE_MARKDOWN)
def test_no_active_content_survives_any_input(text):
    html = str(render_markdown(text))
    assert problems_in(html) == [], html
    # Rendering what came out again (an editor preview of a preview) is as safe.
    assert problems_in(str(render_markdown(html))) == []
