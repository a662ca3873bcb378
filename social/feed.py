"""Use cases of reading: the home feed and the popular tweets, as pre-serialised JSON."""
from __future__ import annotations

from typing import Protocol

from domain.pages import PageRequest
from social import hydrate, ports, timeline

HIDDEN_MARGIN = 10  # top lists read a few more, so that tweets the viewer does not see leave k


class FeedPorts(timeline.TimelinePorts, hydrate.HydratePorts, Protocol):
    """What reading feeds uses: the timeline, hydration and the popular lists."""

    popular: ports.PopularLists


def home(svc: FeedPorts, viewer_id: int, page: PageRequest, k: int) -> tuple[list[bytes], str | None, list[bytes]]:
    """The page and the network's top k, hydrated together: one Redis round trip when everything is
    warm (the script reads the viewer's hidden set too; visibility decides in social/hydrate.py)."""
    got, entries, cursor = timeline.home_page(svc, viewer_id, page, k + HIDDEN_MARGIN)
    top = got.top if got.top is not None else _network_top(svc, viewer_id, k + HIDDEN_MARGIN)
    shown, top = hydrate.entries_json(svc, entries, top, viewer_id, got.found)
    return shown, cursor, top[:k]


def popular(svc: FeedPorts, k: int, viewer_id: int | None) -> list[bytes]:
    """The global top k, kept by the ranking jobs (ranking/refresh.py)."""
    return hydrate.tweets_json(svc, svc.popular.global_top(k + HIDDEN_MARGIN), viewer_id)[:k]


def _network_top(svc: FeedPorts, viewer_id: int, k: int) -> list[int]:
    """The top k among tweets of the people the viewer follows, merged afresh when its cache is cold."""
    return svc.popular.compute_network_top(viewer_id, svc.feed_source.following(viewer_id))[:k]
