"""What every view needs about the request beyond the RPC client
(``web.rpc_access.rpc``): the signed-in user.

The browser keeps only a session token, in the signed session cookie: an
opaque token of a session the users service keeps (``users.start_session``),
so signing out ends it for good and a copied cookie stops working. A session token
opens only the frontend (``users.verify_session``); the gateway's ``verify_token``
refuses it. The user
behind it is asked from the users service at most once per request, and only
when a page needs it (static files never do).
"""

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import generate_csrf

from common.errors import ConduitError, Unauthenticated
from web.rpc_access import rpc


def current_user():
    """The signed-in user (a dict), or ``None``; a stale token signs the browser out."""
    if "user" not in g:
        g.user = _user_from_session()
    return g.user


def viewer_id():
    user = current_user()
    return user["id"] if user else None


def forget_unknown_user():
    """Show pages as signed out when the user could not be looked up (service down)."""
    g.setdefault("user", None)


def sign_in(user):
    """Start a fresh session (no fixation) that carries its CSRF token from the start:
    pages loading at once in several tabs then agree on one token instead of each
    minting its own and invalidating the others' forms. ``user`` carries the API token
    that login, register or a settings change returned; it is exchanged for a server-side
    session, and the browser's earlier session (if any) ends."""
    started = rpc().users.start_session(token=user["token"])
    _end_server_session()
    session.clear()
    session.permanent = True
    session["token"] = started["token"]
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)  # Flask-WTF's per-request cache
    generate_csrf()
    g.user = user


def sign_out():
    """End the session on the server too, so a copy of the cookie opens nothing."""
    _end_server_session()
    session.clear()
    g.user = None


def sign_out_everywhere():
    """End every session of the signed-in user (every browser) and revoke their tokens."""
    token = session.get("token")
    if token:
        rpc().users.end_all_sessions(token=token)
    session.clear()
    g.user = None


def _end_server_session():
    token = session.get("token")
    if not token:
        return
    try:
        rpc().users.end_session(token=token)
    except ConduitError:
        # The browser forgets it anyway; the server's copy expires on its own.
        current_app.logger.warning("could not end a session on the server")


def login_required(view):
    """Send anonymous visitors to the sign-in page, coming back here afterwards."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return guarded


def safe_next(default_endpoint, **default_values):
    """Where to go after a form: the ``next`` field if it stays on this site."""
    target = request.values.get("next", "")
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return url_for(default_endpoint, **default_values)  # CR/LF would split the header
    parts = urlsplit(target)
    stays_here = target.startswith("/") and not parts.netloc and not parts.scheme
    if stays_here and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(default_endpoint, **default_values)


def register_template_globals(app):
    """Globals (not a context processor) so that imported macros see them too."""
    app.jinja_env.globals.update(
        current_user=current_user, site_name=app.config["SITE_NAME"], absolute_url=absolute_url
    )


def absolute_url(endpoint, **values):
    """An absolute link on the configured public URL, never on the request's Host header."""
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)


def _user_from_session():
    token = session.get("token")
    if not token:
        return None
    try:
        return rpc().users.verify_session(token=token)
    except Unauthenticated:
        session.clear()
        return None
