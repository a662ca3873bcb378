"""Use cases of reading: the home feed and the popular tweets."""
from __future__ import annotations

from bootstrap import Services
from social.pages import PageRequest, split_page


def home(svc: Services, viewer_id: int, page: PageRequest) -> tuple[list, str | None]:
    ids, cursor = split_page(svc.tweets.home_page(viewer_id, page), page.limit, lambda i: (i,))
    return svc.tweets.hydrate(ids, viewer_id), cursor


def popular(svc: Services, k: int, viewer_id: int | None) -> list:
    """Empty until the ranking jobs keep a top K (see ranking/)."""
    return []
