"""Use cases of reading: the home feed and the popular tweets, as pre-serialised JSON."""
from __future__ import annotations

from typing import Protocol

from domain.pages import PageRequest
from social import hydrate, ports, timeline


class FeedPorts(timeline.TimelinePorts, hydrate.HydratePorts, Protocol):
    """What reading feeds uses: the timeline, hydration and the popular lists."""

    popular: ports.PopularLists


def home(svc: FeedPorts, viewer_id: int, page: PageRequest, k: int) -> tuple[list[bytes], str | None, list[bytes]]:
    """The page and the network's top k: one Redis round trip when everything is warm."""
    got, ids, cursor = timeline.home_page(svc, viewer_id, page, k)
    top = got.top if got.top is not None else _network_top(svc, viewer_id, k)
    found = hydrate.assemble(svc, got.found, viewer_id)
    read = set(got.found.ids)
    found.update(hydrate.tweets_by_id(svc, [t for t in ids + top if t not in read], viewer_id))
    return [found[t] for t in ids if t in found], cursor, [found[t] for t in top if t in found]


def popular(svc: FeedPorts, k: int, viewer_id: int | None) -> list[bytes]:
    """The global top k, kept by the ranking jobs (ranking/refresh.py)."""
    return hydrate.tweets_json(svc, svc.popular.global_top(k), viewer_id)


def _network_top(svc: FeedPorts, viewer_id: int, k: int) -> list[int]:
    """The top k among tweets of the people the viewer follows, merged afresh when its cache is cold."""
    return svc.popular.compute_network_top(viewer_id, svc.feed_source.following(viewer_id))[:k]
