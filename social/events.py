"""Domain events: what a write tells the rest of the system. Small frozen values, so a job
payload, a stream entry and a test fixture are the same thing."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TweetPosted:
    tweet_id: int
    author_id: int


@dataclass(frozen=True)
class TweetDeleted:
    tweet_id: int
    author_id: int


@dataclass(frozen=True)
class Followed:
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class Unfollowed:
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class LikeChanged:
    user_id: int
    tweet_id: int
    liked: bool
