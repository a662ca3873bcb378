"""Use cases of reading: the home feed and the popular tweets, as pre-serialised JSON."""
from __future__ import annotations

from bootstrap import Services
from social import hydrate, timeline
from domain.pages import PageRequest


def home(svc: Services, viewer_id: int, page: PageRequest, k: int) -> tuple[list[bytes], str | None, list[bytes]]:
    """The page and the network's top k: one Redis round trip when everything is warm."""
    got, ids, cursor = timeline.home_page(svc, viewer_id, page, k)
    top = got.top if got.top is not None else _network_top(svc, viewer_id, k)
    found = hydrate.assemble(svc, got.found, viewer_id)
    read = set(got.found.ids)
    found.update(hydrate.tweets_by_id(svc, [t for t in ids + top if t not in read], viewer_id))
    return [found[t] for t in ids if t in found], cursor, [found[t] for t in top if t in found]


def popular(svc: Services, k: int, viewer_id: int | None) -> list[bytes]:
    """The global top k, kept by the ranking jobs (ranking/refresh.py)."""
    return hydrate.tweets_json(svc, svc.popular.global_top(k), viewer_id)


def _network_top(svc: Services, viewer_id: int, k: int) -> list[int]:
    """The top k among tweets of the people the viewer follows, merged afresh when its cache is cold."""
    return svc.popular.compute_network_top(viewer_id, svc.feed_source.following(viewer_id))[:k]
