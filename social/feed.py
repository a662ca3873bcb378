"""Use cases of reading: the home feed and the popular tweets, as pre-serialised JSON."""
from __future__ import annotations

from bootstrap import Services
from social import hydrate, timeline
from social.pages import PageRequest


def home(svc: Services, viewer_id: int, page: PageRequest, k: int) -> tuple[list[bytes], str | None, list[bytes]]:
    tweets, cursor = timeline.home(svc, viewer_id, page)
    return tweets, cursor, network_popular(svc, viewer_id, k)


def popular(svc: Services, k: int, viewer_id: int | None) -> list[bytes]:
    """The global top k, kept by the ranking jobs (ranking/refresh.py)."""
    return hydrate.tweets_json(svc, svc.popular.global_top(k), viewer_id)


def network_popular(svc: Services, viewer_id: int, k: int) -> list[bytes]:
    """The top k among tweets of the people the viewer follows."""
    top = svc.popular.network_top(viewer_id, k)
    if top is None:
        top = svc.popular.compute_network_top(viewer_id, svc.feed_source.following(viewer_id))[:k]
    return hydrate.tweets_json(svc, top, viewer_id)
