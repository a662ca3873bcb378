"""Use cases of recommendations: whom to follow, and why, in words a user reads."""
from __future__ import annotations

from typing import Protocol

from social import ports, visibility


class RecommendationPorts(visibility.VisibilityPorts, Protocol):
    """What recommendations use, the visibility rule among it."""

    users: ports.UserStore
    recommendations: ports.RecommendationSource


POPULAR_REASON = "popular on the network"


def because_followed_by(via: list[str], common: int) -> str:
    """Names the best-ranked shared followee and counts the rest, e.g. "followed by alice and 3
    others you follow"."""
    if common == 1:
        return f"followed by {via[0]}, who you follow"
    if common == 2:
        return f"followed by {via[0]} and {via[1]}, who you follow"
    return f"followed by {via[0]} and {common - 1} others you follow"


def who_to_follow(svc: RecommendationPorts, user_id: int, limit: int) -> list[dict]:
    """Friends of friends first; when they run short (a new account), the best-ranked accounts
    fill the list with score 0, so that nobody starts with an empty list."""
    hidden = sorted(visibility.hidden(svc, user_id))
    picks = [
        (row["id"], row["score"], because_followed_by(row["via"], row["common"]))
        for row in svc.recommendations.who_to_follow(user_id, limit, hidden)
    ]
    if len(picks) < limit:
        chosen = [user for user, _, _ in picks] + hidden
        picks += [
            (row["id"], 0.0, POPULAR_REASON)
            for row in svc.recommendations.popular_users(user_id, limit - len(picks), chosen)
        ]
    users = {user["id"]: user for user in svc.users.hydrate([p[0] for p in picks], user_id)}
    return [
        {"user": users[str(user)], "score": score, "reason": reason}
        for user, score, reason in picks
        if str(user) in users
    ]
