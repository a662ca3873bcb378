"""Search queries: the user's words turned into a Lucene query that cannot carry Lucene syntax.

Only word characters survive (letters, digits, `_`), case-folded, so `*`, `"`, `:`, brackets,
`AND OR NOT` (lower-cased, they are plain words) and lone surrogates never reach Lucene as syntax.
Each word matches itself or as a prefix; all words must match.
"""
from __future__ import annotations

import re

from domain.errors import BadRequest

QUERY_LIMIT = 1000
MAX_TERMS = 8
TERM_LIMIT = 64
_WORD = re.compile(r"\w+")


def check_query(q: str | None) -> str:
    if q is None or not q.strip():
        raise BadRequest("missing_parameter", "q is required: the words to search for.", field="q")
    if len(q) > QUERY_LIMIT:
        raise BadRequest("query_too_long", f"q has at most {QUERY_LIMIT} characters.", field="q", limit=QUERY_LIMIT)
    return q


def lucene_query(q: str) -> str | None:
    """None when q holds no word to search for."""
    terms = list(dict.fromkeys(t[:TERM_LIMIT] for t in _WORD.findall(q.casefold())))[:MAX_TERMS]
    if not terms:
        return None
    return " AND ".join(f"({t} OR {t}*)" for t in terms)
