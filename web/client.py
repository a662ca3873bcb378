"""The web client's pages: server-rendered shells that web/static/js fills from the JSON API.

A signed-in shell carries its session's CSRF token in a meta tag, so every tab of the browser can
write; another origin cannot read the page, so the token stays as secret as the cookie.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, make_response, redirect, render_template, request
from flask_login import current_user

from web.policy import PUBLIC, allow

bp = Blueprint("client", __name__)

# Everything the pages load comes from this origin: no CDN, no inline script or style.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _viewer() -> dict | None:
    """The browser's signed-in user; bearer tokens are for API clients, not pages."""
    if current_user.is_authenticated and current_user.session is not None:
        return {"username": current_user.username, "csrf_token": current_user.session.csrf_token}
    return None


def _page(template: str, **context):
    response = make_response(render_template(template, viewer=_viewer(), **context))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def local_path(value: str | None) -> str:
    """Where to go after signing in: only a path on this site, never another origin. Browsers drop
    tabs and newlines from URLs and read a backslash as a slash, so a tab or a backslash after the
    first slash would make it `//evil.example`: any control character, any backslash and a leading
    `//` are refused (web/static/js/app.js applies the same rule before it navigates)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value)
    ):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def members_only(view):
    """Pages of a signed-in user send anyone else to the sign-in page and back afterwards."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if _viewer() is None:
            return redirect("/signin?" + urlencode({"next": request.full_path.rstrip("?")}, safe="/"))
        return view(*args, **kwargs)

    return wrapper


@bp.get("/")
@allow(PUBLIC)
@members_only
def home():
    """The home feed, the composer and the network's popular tweets."""
    return _page("home.html", page="home")


@bp.get("/signin")
@allow(PUBLIC)
def signin():
    """The sign-in form; a signed-in browser goes straight on."""
    target = local_path(request.args.get("next"))
    if _viewer() is not None:
        return redirect(target)
    return _page("signin.html", page="signin", next=target)


@bp.get("/signup")
@allow(PUBLIC)
def signup():
    """The sign-up form."""
    if _viewer() is not None:
        return redirect("/")
    return _page("signup.html", page="signup")


@bp.get("/u/<username>")
@allow(PUBLIC)
def profile(username: str):
    """A user's profile and tweets; its owner edits it here."""
    return _page("profile.html", page="profile", username=username)


@bp.get("/notifications")
@allow(PUBLIC)
@members_only
def notifications():
    """The signed-in user's notifications, marked read once seen."""
    return _page("notifications.html", page="notifications")


@bp.get("/messages")
@allow(PUBLIC)
@members_only
def messages():
    """Whom to write to, and who wrote lately."""
    return _page("messages.html", page="messages")


@bp.get("/messages/<username>")
@allow(PUBLIC)
@members_only
def conversation(username: str):
    """A conversation with one user, live over the WebSocket."""
    return _page("conversation.html", page="conversation", username=username)


@bp.get("/sessions")
@allow(PUBLIC)
@members_only
def sessions():
    """The signed-in user's sessions, each revocable."""
    return _page("sessions.html", page="sessions")


@bp.get("/t/<tweet_id>")
@allow(PUBLIC)
def thread(tweet_id: str):
    """A tweet with the thread around it; signed-in readers reply here."""
    return _page("thread.html", page="thread", tweet_id=tweet_id)


@bp.get("/search")
@allow(PUBLIC)
def search():
    """Search tweets or people; the query stays in the address, so results can be linked."""
    return _page("search.html", page="search")


@bp.get("/tags/<tag>")
@allow(PUBLIC)
def tag(tag: str):
    """The tweets of one hashtag, newest first."""
    return _page("tag.html", page="tag", tag=tag)


@bp.get("/bookmarks")
@allow(PUBLIC)
@members_only
def bookmarks():
    """The signed-in user's bookmarked tweets."""
    return _page("bookmarks.html", page="bookmarks")


@bp.get("/blocks")
@allow(PUBLIC)
@members_only
def blocks():
    """The users the signed-in user blocks and mutes, each undoable."""
    return _page("blocks.html", page="blocks")
