"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises.

Authors may mix in a little HTML, so the renderer lets it through and nh3
removes everything that could act: scripts, event handler attributes, styles,
iframes, and links or images whose URL scheme is not on the allow list (which
rules out ``javascript:`` and ``data:``).

Headings in a body sit under the page's own ``<h1>`` (the article title), so
they are renumbered to start at ``<h2>`` and never skip a level going down:
``#``, ``###``, ``####`` become ``h2``, ``h3``, ``h4``. Screen reader users
navigate by heading level; an author's jumps would otherwise break that outline.

The work is bounded: bodies are at most the article limit (the blog service
refuses longer ones, previews included), markup nests at most ``MAX_NESTING``
deep, and the renders kept for the next view occupy at most ``RENDER_CACHE_BYTES``.
"""

import threading

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from rpc_client.read_cache import ByteBoundedCache, size_in_memory

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

MAX_NESTING = 20
"""Blocks and inline markup nest at most this deep (quotes in lists in quotes...); deeper
markup stays text, so no input makes the parser's work or recursion grow with its depth."""
_markdown = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(
    ["table", "strikethrough"]
)

RENDER_CACHE_BYTES = 32 * 1024 * 1024
"""Memory the kept renders may occupy: each text and its HTML as Python holds them. Each
comment is rendered too (an article page with 20 comments is 21 renders); pages of a few kB
of text fit by the thousand, and the largest bodies (whose HTML can be ten times the text)
make room by dropping the least recently viewed."""
rendered_bodies = ByteBoundedCache(RENDER_CACHE_BYTES)
_rendered_lock = threading.Lock()


def render_markdown(text):
    """Return sanitised HTML for an article or comment body, ready for a template.

    The result depends on the text alone, so the most recent renders are kept: an
    article page viewed again costs no Markdown parse and no sanitising (the larger
    part of the page's CPU). ``Markup`` is immutable, so sharing it is safe."""
    text = text or ""
    with _rendered_lock:
        html = rendered_bodies.get(text, refresh=True)
    if html is None:
        html = sanitised_html(text)
        with _rendered_lock:
            rendered_bodies.put(text, html, size_in_memory(text, html))
    return html


def sanitised_html(text):
    """Markdown rendered and sanitised, headings renumbered (see the module's docstring)."""
    tokens = _markdown.parse(text)
    outline_headings(tokens)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - nh3 has just sanitised it


def outline_headings(tokens, top_level=2):
    """Renumber Markdown headings in place: the shallowest becomes ``top_level`` and
    each heading is at most one level deeper than the one before it."""
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = top_level - min(int(t.tag[1]) for t in headings)
    previous = top_level - 1
    for token in headings:
        if token.type == "heading_open":
            level = min(int(token.tag[1]) + shift, previous + 1, 6)
            previous = level
        token.tag = f"h{previous}"
