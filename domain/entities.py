"""Mentions and hashtags in a tweet's text: what posting turns into MENTIONS and TAGS edges.

A mention is `@` and a username (the registration rule) not preceded by a word character, so an
e-mail address is no mention. A hashtag is `#` and letters, digits or `_` (not only digits, as
Mastodon has it), case-folded. Each tweet keeps at most MAX_MENTIONS mentions and MAX_TAGS tags,
the first ones in the text; the rest stay plain text (docs/conversation.md).
"""
from __future__ import annotations

import re

from domain.errors import BadRequest

MAX_MENTIONS = 10
MAX_TAGS = 10
TAG_LIMIT = 64
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,15})(?![\w@])")
_TAG = re.compile(r"(?<![\w#&])#(\w{1,%d})(?!\w)" % TAG_LIMIT)


def _first_distinct(items, limit: int) -> list:
    seen: dict = {}
    for item in items:
        seen.setdefault(item, None)
        if len(seen) == limit:
            break
    return list(seen)


def mentions(text: str) -> list[str]:
    """The case-folded usernames mentioned, in order of first appearance."""
    return _first_distinct((m.casefold() for m in _MENTION.findall(text)), MAX_MENTIONS)


def fold_tag(tag: str) -> str:
    return tag.casefold()


def is_tag(tag: str) -> bool:
    return bool(re.fullmatch(r"\w{1,%d}" % TAG_LIMIT, tag)) and not tag.isdigit()


def hashtags(text: str) -> list[str]:
    """The case-folded tags, in order of first appearance."""
    return _first_distinct((fold_tag(t) for t in _TAG.findall(text) if is_tag(t)), MAX_TAGS)


def check_tag(tag: str) -> str:
    """A tag named in a path or query: with or without its '#', folded."""
    tag = tag[1:] if tag.startswith("#") else tag
    if not is_tag(tag):
        raise BadRequest("invalid_tag", "A tag is 1 to 64 letters, digits or '_', not only digits.", field="tag")
    return fold_tag(tag)
