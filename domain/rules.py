"""Domain rules on user input: usernames, passwords, profile fields, tweet and message text."""
from __future__ import annotations

import re
import unicodedata

from domain.errors import Unprocessable

TWEET_LIMIT = 140
MESSAGE_LIMIT = 1000
DISPLAY_NAME_LIMIT = 50
BIO_LIMIT = 160
PASSWORD_MIN = 8
PASSWORD_MAX = 1024
USERNAME_RE = re.compile(r"[A-Za-z0-9_]{1,15}")


def username_key(username: str) -> str:
    """The form under which usernames are unique: without regard to case."""
    return username.casefold()


def check_username(username: str) -> str:
    if not USERNAME_RE.fullmatch(username):
        raise Unprocessable(
            "invalid_username",
            "A username is 1 to 15 letters (A-Z, a-z), digits or underscores.",
            field="username",
        )
    return username


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise Unprocessable(
            "password_too_short",
            f"A password needs at least {PASSWORD_MIN} characters.",
            field="password",
            minimum=PASSWORD_MIN,
        )
    if len(password) > PASSWORD_MAX:
        raise Unprocessable(
            "password_too_long", f"A password has at most {PASSWORD_MAX} characters.", field="password"
        )
    return password


def _bounded_text(value: str, limit: int, field: str) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise Unprocessable(
            f"{field}_too_long",
            f"{field.replace('_', ' ').capitalize()} has at most {limit} characters.",
            field=field,
            limit=limit,
            length=len(text),
        )
    return text


def check_display_name(value: str) -> str:
    return _bounded_text(value, DISPLAY_NAME_LIMIT, "display_name")


def check_bio(value: str) -> str:
    return _bounded_text(value, BIO_LIMIT, "bio")


def _post_text(value: str, limit: int, kind: str) -> str:
    """NFC-normalised text counted in code points; leading/trailing white space is kept as written."""
    text = unicodedata.normalize("NFC", value)
    if not text.strip():
        raise Unprocessable(f"{kind}_empty", f"A {kind} needs some text.", field="text")
    if len(text) > limit:
        raise Unprocessable(
            f"{kind}_too_long",
            f"A {kind} has at most {limit} characters; this one has {len(text)}.",
            field="text",
            limit=limit,
            length=len(text),
        )
    return text


def check_tweet_text(value: str) -> str:
    return _post_text(value, TWEET_LIMIT, "tweet")


def check_message_text(value: str) -> str:
    return _post_text(value, MESSAGE_LIMIT, "message")


TOKEN_NAME_LIMIT = 64


def check_token_name(value: str) -> str:
    name = _bounded_text(value, TOKEN_NAME_LIMIT, "name")
    if not name:
        raise Unprocessable("name_empty", "A token needs a name.", field="name")
    return name
