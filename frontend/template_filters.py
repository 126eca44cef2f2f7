"""Jinja filters for what the services send: Markdown, ISO timestamps, avatars."""

from common.timestamps import parse_isoformat
from frontend.markdown_render import render_markdown


def long_date(value):
    """``2026-11-23T18:57:52.123Z`` -> ``November 23, 2026``."""
    moment = parse_isoformat(value)
    return f"{moment:%B} {moment.day}, {moment.year}"


def atom_date(value):
    """RFC 3339 as Atom wants it, in UTC."""
    return parse_isoformat(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def initial(username):
    return (username or "?")[:1].upper()


AVATAR_COLOURS = 8


def avatar_colour(username):
    """A stable colour class (0-7) per user for the default avatar, the same on every page."""
    return sum(ord(char) for char in username or "") % AVATAR_COLOURS


def register(app):
    app.jinja_env.filters.update(
        markdown=render_markdown,
        long_date=long_date,
        atom_date=atom_date,
        initial=initial,
        avatar_colour=avatar_colour,
    )
