"""The adapters that bootstrap wires in implement the ports the use cases declare (social/ports.py):
a method a use case calls but an adapter lacks, or takes under other parameter names, fails here."""
from __future__ import annotations

import inspect
import typing

import pytest

import bootstrap
from social import (accounts, admin, conversation, feed, follows, live, messages, notifications, notify, recommendations,
                    relations, timeline, tweets, visibility)
from ranking import refresh

BUNDLES = [
    accounts.AccountPorts, admin.AdminPorts, feed.FeedPorts, follows.FollowPorts, live.LivePorts,
    messages.MessagePorts, notifications.ReadPorts, notify.NotifyPorts, recommendations.RecommendationPorts,
    timeline.TimelinePorts, tweets.TweetPorts, refresh.RankingPorts, conversation.ConversationPorts,
    relations.RelationPorts, visibility.VisibilityPorts,
]


def _members(protocol) -> dict[str, object]:
    """The methods a port declares (its own and its bases')."""
    return {
        name: value
        for cls in protocol.__mro__ if cls not in (typing.Protocol, typing.Generic, object)
        for name, value in vars(cls).items() if inspect.isfunction(value) and not name.startswith("_")
    }


def _wiring() -> list[tuple[type, str, object, object]]:
    services = typing.get_type_hints(bootstrap.Services)
    rows = []
    for bundle in BUNDLES:
        for field, port in typing.get_type_hints(bundle).items():
            rows.append((bundle, field, port, services.get(field)))
    return rows


@pytest.mark.parametrize("bundle, field, port, adapter", _wiring(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_the_wired_adapter_implements_the_port(bundle, field, port, adapter):
    assert adapter is not None, f"bootstrap.Services has no {field!r}, which {bundle.__name__} needs"
    if port in (int, str, bool) or not inspect.isclass(port):
        assert adapter == port
        return
    for name, declared in _members(port).items():
        implemented = getattr(adapter, name, None)
        assert implemented is not None, f"{adapter.__name__} lacks {name}, which {port.__name__} declares"
        want = list(inspect.signature(declared).parameters)
        have = list(inspect.signature(implemented).parameters)
        assert have == want, f"{adapter.__name__}.{name}{have} differs from {port.__name__}.{name}{want}"
