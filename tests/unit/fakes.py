"""In-memory fakes of the use cases' ports (social/ports.py): enough behaviour to pin what a use
case does with them, with no Neo4j or Redis. Not fakes of Redis or Neo4j themselves."""
from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from cache.home_page import Cold, HomePage, Rendered
from domain.entries import parse_member
from domain.events import Envelope
from domain.tweet_state import COUNTS, FLAGS
from domain.visibility import Relations


class Events:
    """EventPublisher: remembers what was published."""

    def __init__(self):
        self.published: list[Envelope] = []

    def publish(self, event: Envelope) -> None:
        self.published.append(event)

    def publish_along(self, pipe, event: Envelope) -> bool:
        return False


@dataclass
class Graph:
    """The truth the fake stores share: users, follows, tweets, likes, and the outbox."""

    users: dict[int, dict] = field(default_factory=dict)
    follows: set[tuple[int, int]] = field(default_factory=set)
    tweets: dict[int, dict] = field(default_factory=dict)
    likes: set[tuple[int, int]] = field(default_factory=set)
    versions: dict[int, int] = field(default_factory=dict)
    outbox: list[Envelope] = field(default_factory=list)
    blocks: set[tuple[int, int]] = field(default_factory=set)
    mutes: set[tuple[int, int]] = field(default_factory=set)

    def add_user(self, user_id: int, username: str) -> None:
        self.users[user_id] = {"id": user_id, "username": username, "display_name": username.title()}

    def followers(self, user_id: int) -> list[int]:
        return sorted(a for a, b in self.follows if b == user_id)

    def by_author(self, author_id: int) -> list[int]:
        return sorted((t for t, row in self.tweets.items() if row["author_id"] == author_id), reverse=True)


class TweetStore:
    def __init__(self, graph: Graph):
        self.g = graph

    def create(self, tweet_id, author_id, text, now_ms, event=None, media_ids=(), *, in_reply_to_id=None,
               mentioned_ids=(), tags=()) -> dict | None:
        self.g.tweets[tweet_id] = {"author_id": author_id, "text": text, "created_at": str(now_ms),
                                   "in_reply_to_id": in_reply_to_id, "tags": sorted(tags),
                                   "mentions": sorted(self.g.users[m]["username"] for m in mentioned_ids)}
        if event is not None:
            self.g.outbox.append(event)
        return {**self.hydrate([tweet_id])[0], "parent_replies": None}

    def author_id(self, tweet_id):
        row = self.g.tweets.get(tweet_id)
        return row["author_id"] if row else None

    def reply_target(self, tweet_id):
        return self.author_id(tweet_id)

    def hydrate(self, ids, viewer_id=None) -> list[dict]:
        out = []
        for t in ids:
            row = self.g.tweets.get(t)
            if row is not None:
                author = self.g.users[row["author_id"]]
                out.append({"id": str(t), "text": row["text"], "created_at": row["created_at"],
                            "author": {**author, "id": str(author["id"])},
                            "in_reply_to": None,
                            "entities": {"mentions": row.get("mentions", []), "hashtags": row.get("tags", [])},
                            "like_count": sum(1 for _, lt in self.g.likes if lt == t),
                            "liked": (viewer_id, t) in self.g.likes})
        return out

    def _liked(self, user_id, tweet_id, liked, event) -> dict | None:
        if tweet_id not in self.g.tweets:
            return None
        changed = ((user_id, tweet_id) in self.g.likes) != liked
        (self.g.likes.add if liked else self.g.likes.discard)((user_id, tweet_id))
        if changed and event is not None:
            self.g.outbox.append(event)
        self.g.versions[tweet_id] = self.g.versions.get(tweet_id, 0) + 1
        count = sum(1 for _, t in self.g.likes if t == tweet_id)
        return {"created" if liked else "removed": changed, "like_count": count, "version": self.g.versions[tweet_id]}

    def like(self, user_id, tweet_id, now_ms, event=None):
        return self._liked(user_id, tweet_id, True, event)

    def unlike(self, user_id, tweet_id, event=None):
        return self._liked(user_id, tweet_id, False, event)

    def home_page(self, viewer_id, page) -> list[str]:
        authors = {viewer_id} | {b for a, b in self.g.follows if a == viewer_id}
        before = page.key[0] if page.key else None
        ids = sorted((t for t, r in self.g.tweets.items() if r["author_id"] in authors), reverse=True)
        return [str(t) for t in ids if before is None or t < before][: page.limit + 1]


class UserStore:
    def __init__(self, graph: Graph):
        self.g = graph

    def follow(self, follower_id, followee_id, now_ms, event=None) -> bool:
        created = (follower_id, followee_id) not in self.g.follows
        self.g.follows.add((follower_id, followee_id))
        if created and event is not None:
            self.g.outbox.append(event)
        return created

    def unfollow(self, follower_id, followee_id, event=None) -> bool:
        removed = (follower_id, followee_id) in self.g.follows
        self.g.follows.discard((follower_id, followee_id))
        if removed and event is not None:
            self.g.outbox.append(event)
        return removed

    def hydrate(self, ids, viewer_id=None) -> list[dict]:
        return [{**self.g.users[u], "id": str(u)} for u in ids if u in self.g.users]

    def ids_by_username(self, username_keys):
        return {u["username"]: u["id"] for u in self.g.users.values() if u["username"] in username_keys}


class FeedSource:
    def __init__(self, graph: Graph):
        self.g = graph

    def followers(self, author_id):
        return self.g.followers(author_id)

    def audiences(self, author_ids, threshold):
        found = {a: self.g.followers(a) for a in author_ids if a in self.g.users}
        return {a: None if len(f) > threshold else f for a, f in found.items()}

    def follower_count(self, author_id):
        return len(self.g.followers(author_id))

    def following(self, user_id):
        return sorted(b for a, b in self.g.follows if a == user_id)

    def author_recent(self, author_id, limit):
        return self.g.by_author(author_id)[:limit]

    def celebrities(self, threshold):
        return sorted(u for u in self.g.users if len(self.g.followers(u)) > threshold)

    def rebuild(self, viewer_id, celebrity_ids, limit):
        followed = {b for a, b in self.g.follows if a == viewer_id}
        authors = ({viewer_id} | followed) - set(celebrity_ids)
        ids = sorted((t for t, r in self.g.tweets.items() if r["author_id"] in authors), reverse=True)
        return ids[:limit], sorted(followed & set(celebrity_ids))

    def counts(self, tweet_ids):
        return [{"id": t, "like_version": self.g.versions.get(t, 0),
                 "like_count": sum(1 for _, lt in self.g.likes if lt == t),
                 "reply_version": 0, "reply_count": 0, "boost_version": 0, "boost_count": 0} for t in tweet_ids]

    def flagged_by(self, kind, user_id):
        return sorted(t for u, t in self.g.likes if u == user_id) if kind == "liked" else []

    def own_flags(self, tweet_ids):
        return {t: {"liked": (self.g.tweets[t]["author_id"], t) in self.g.likes, "boosted": False, "bookmarked": False}
                for t in tweet_ids if t in self.g.tweets}


def _newest_first(members) -> list:
    return sorted(set(members), key=lambda m: parse_member(m)[0], reverse=True)


class FeedStore:
    """Feeds as lists of members (tweet ids, boost members) newest first; a feed never built is cold."""

    size = most = 5

    def __init__(self):
        self.feeds: dict[int, list[int]] = {}
        self.celebs: dict[int, set[int]] = {}

    def push(self, user_ids, tweet_ids):
        warm = [u for u in user_ids if u in self.feeds]
        for u in warm:
            self._add(u, tweet_ids)
        return len(warm)

    def push_many(self, user_id, members):
        if user_id in self.feeds:
            self._add(user_id, members)

    def push_boost(self, user_ids, boost_id, tweet_id, booster_id):
        warm = [u for u in user_ids if u in self.feeds and all(parse_member(m)[1] != tweet_id for m in self.feeds[u])]
        for u in warm:
            self._add(u, [f"{boost_id}:{tweet_id}:{booster_id}"])
        return len(warm)

    def remove_boost(self, user_ids, boost_id, tweet_id, booster_id):
        self.remove(user_ids, [f"{boost_id}:{tweet_id}:{booster_id}"])

    def _add(self, user_id, members):
        self.feeds[user_id] = _newest_first([*self.feeds[user_id], *members])[: self.size]

    def remove(self, user_ids, members):
        gone = {str(m) for m in members}
        for u in user_ids:
            if u in self.feeds:
                self.feeds[u] = [m for m in self.feeds[u] if str(m) not in gone]

    def drop(self, user_ids):
        for u in user_ids:
            self.feeds.pop(u, None)

    def rebuild(self, user_id, tweet_ids, celebrity_ids):
        self.feeds[user_id] = []
        self.celebs[user_id] = set(celebrity_ids)
        self._add(user_id, tweet_ids)

    def add_celebrity(self, user_id, celebrity_id):
        self.celebs.setdefault(user_id, set()).add(celebrity_id)

    def remove_celebrity(self, user_id, celebrity_id):
        self.celebs.get(user_id, set()).discard(celebrity_id)

    def page(self, user_id, before_id, count):
        if user_id not in self.feeds:
            return None
        entries = [parse_member(m) for m in self.feeds[user_id]]
        ids = [e for e in entries if before_id is None or e[0] < before_id][:count]
        return ids, sorted(self.celebs.get(user_id, ())), len(self.feeds[user_id]) >= self.size  # full: older ones were trimmed


class CelebrityList:
    def __init__(self):
        self.known: list[int] | None = None

    def members(self):
        return self.known

    def load(self, ids):
        self.known = list(ids)

    def mark(self, user_id, celebrity):
        known = set(self.known or ())
        (known.add if celebrity else known.discard)(user_id)
        self.known = sorted(known)
        return True


class TweetCache:
    """Bodies in the cached form (author id, '|', the tweet's JSON up to its author)."""

    author_size = 5

    def __init__(self):
        self.bodies: dict[int, bytes] = {}
        self.authors: dict[int, bytes] = {}
        self.counts: dict[str, dict[int, tuple[int, int]]] = {kind: {} for kind in COUNTS}
        self.flags: dict[str, dict[int, set[int]]] = {kind: {} for kind in FLAGS}
        self.author_lists: dict[int, list] = {}

    def put(self, tweets, new=False):
        out = {}
        for t in tweets:
            for kind in COUNTS if new else ():
                self.counts[kind].setdefault(int(t["id"]), (0, 0))
            head = orjson.dumps({"id": t["id"], "text": t["text"], "created_at": t["created_at"],
                                 "in_reply_to": t["in_reply_to"], "entities": t["entities"]})
            out[int(t["id"])] = f"{t['author']['id']}|".encode() + head[:-1]
            self.authors.setdefault(int(t["author"]["id"]), orjson.dumps(t["author"]))
        self.bodies.update(out)
        return out

    def put_users(self, users):
        out = {int(u["id"]): orjson.dumps({k: u[k] for k in ("id", "username", "display_name")}) for u in users}
        self.authors.update(out)
        return out

    def users(self, user_ids):
        return [self.authors.get(u) for u in user_ids]

    def put_new_user(self, user):
        self.put_users([user])
        for kind in FLAGS:
            self.flags[kind][int(user["id"])] = set()

    def forget_tweet(self, tweet_id, author_id):
        self.bodies.pop(tweet_id, None)

    def authors_of(self, tweet_ids):
        return [int(self.bodies[t].split(b"|")[0]) if t in self.bodies else None for t in tweet_ids]

    def author_of(self, tweet_id):
        return self.authors_of([tweet_id])[0]

    def set_count(self, kind, tweet_id, version, count):
        if self.counts[kind].get(tweet_id, (-1, 0))[0] < version:
            self.counts[kind][tweet_id] = (version, count)


    def set_flag(self, kind, user_id, tweet_id, on):
        if user_id in self.flags[kind]:
            (self.flags[kind][user_id].add if on else self.flags[kind][user_id].discard)(tweet_id)

    def set_count_and_flag(self, kind, flag, tweet_id, version, count, user_id, on):
        self.set_count(kind, tweet_id, version, count)
        self.set_flag(flag, user_id, tweet_id, on)

    def load_flags(self, kind, user_id, tweet_ids):
        self.flags[kind][user_id] = set(tweet_ids)

    def own_flags(self, tweet_ids, author_ids):
        return [{k: t in self.flags[k][a] for k in FLAGS} if all(a in self.flags[k] for k in FLAGS) else None
                for t, a in zip(tweet_ids, author_ids)]

    def read(self, tweet_ids, viewer_id):
        counts = {k: [self.counts[k][t][1] if t in self.counts[k] else None for t in tweet_ids] for k in COUNTS}
        flags = {}
        if viewer_id is not None:
            flags = {k: [t in self.flags[k][viewer_id] for t in tweet_ids] if viewer_id in self.flags[k] else None
                     for k in FLAGS}
        return [self.bodies.get(t) for t in tweet_ids], counts, flags

    def push_author_tweet(self, author_id, member):
        if author_id in self.author_lists:
            self.author_lists[author_id] = _newest_first([*self.author_lists[author_id], member])

    def remove_author_entry(self, author_id, member):
        if author_id in self.author_lists:
            self.author_lists[author_id] = [m for m in self.author_lists[author_id] if str(m) != member]

    def load_author_tweets(self, author_id, members):
        self.author_lists[author_id] = _newest_first(members)


class PopularLists:
    def __init__(self):
        self.network: dict[int, list[int]] = {}

    def compute_network_top(self, user_id, author_ids):
        self.network[user_id] = []
        return []

    def global_top(self, k):
        return []


class ProfileCache:
    """The follow sets a follow writes through and the names known (the rest of the read model runs
    against Redis)."""

    def __init__(self):
        self.following: dict[int, set[int]] = {}
        self.forgotten: list[int] = []
        self.user_ids: dict[str, int] = {}

    def ids_of(self, username_keys):
        return {k: self.user_ids[k] for k in username_keys if k in self.user_ids}

    def remember_ids(self, ids):
        self.user_ids.update(ids)

    def set_following(self, follower_id, followee_id, following):
        if follower_id in self.following:
            (self.following[follower_id].add if following else self.following[follower_id].discard)(followee_id)

    def forget(self, user_id):
        self.forgotten.append(user_id)

    def forget_counts(self, *user_ids):
        self.forgotten.extend(user_ids)


class HomePages:
    """HomePageReader over the fake feeds, recent-tweet lists, tweet cache and network tops."""

    def __init__(self, feeds: FeedStore, tweet_cache: TweetCache, popular: PopularLists):
        self.feeds, self.tweet_cache, self.popular = feeds, tweet_cache, popular

    def read(self, user_id, before_id, count, k=0):
        if user_id not in self.feeds.feeds:
            return Cold()
        celebs = sorted(self.feeds.celebs.get(user_id, ()))
        cold = [c for c in celebs if c not in self.tweet_cache.author_lists]
        if cold:
            return Cold(cold)

        def newest(members):
            return [e for e in map(parse_member, members) if before_id is None or e[0] < before_id][:count]

        entries = newest(self.feeds.feeds[user_id])
        if celebs:
            merged = {e for c in celebs for e in newest(self.tweet_cache.author_lists[c])}
            entries = sorted(set(entries) | merged, reverse=True)[:count]
        page = HomePage(entries, len(self.feeds.feeds[user_id]) >= self.feeds.size)  # full: older ones were trimmed
        if k:
            top = self.popular.network.get(user_id)
            page.top = top[:k] if top is not None else None
            boosters = {e[2]: self.tweet_cache.authors.get(e[2]) for e in entries if e[2] is not None}
            page.found = Rendered(users=boosters)  # renders nothing: social/hydrate.py hydrates each tweet
        return page


class NewTweets:
    """NewTweetWriter: each part through the fake that owns it, as a cluster's write goes."""

    def __init__(self, tweet_cache: TweetCache, feeds: FeedStore):
        self.tweet_cache, self.feeds = tweet_cache, feeds

    def write(self, tweet, event, bus):
        author_id, tweet_id = int(tweet["author"]["id"]), int(tweet["id"])
        self.tweet_cache.put([tweet], new=True)
        self.feeds.push([author_id], [tweet_id])
        self.tweet_cache.push_author_tweet(author_id, tweet_id)
        bus.publish(event)

    def fan_out(self, author_id, reader_ids, tweet_ids):
        for tweet_id in tweet_ids:
            self.tweet_cache.push_author_tweet(author_id, tweet_id)
        self.feeds.push(reader_ids, tweet_ids)


class RelationStore:
    def __init__(self, graph: Graph):
        self.g = graph

    def relations(self, user_ids):
        return {u: Relations(frozenset(b for a, b in self.g.blocks if a == u),
                             frozenset(a for a, b in self.g.blocks if b == u),
                             frozenset(b for a, b in self.g.mutes if a == u)) for u in user_ids}


class HiddenSets:
    """Always cold: every read asks the relation store."""

    def read(self, user_ids):
        return [None] * len(user_ids), [""] * len(user_ids)

    def load(self, user_id, generation, relations):
        pass

    def changed(self, *user_ids):
        pass


@dataclass
class Ports:
    """Every fake port at once, as bootstrap wires the real ones; each use case sees only its own."""

    graph: Graph = field(default_factory=Graph)
    bus: Events = field(default_factory=Events)
    feeds: FeedStore = field(default_factory=FeedStore)
    celebrities: CelebrityList = field(default_factory=CelebrityList)
    tweet_cache: TweetCache = field(default_factory=TweetCache)
    popular: PopularLists = field(default_factory=PopularLists)
    profiles: ProfileCache = field(default_factory=ProfileCache)
    hidden_sets: HiddenSets = field(default_factory=HiddenSets)
    fanout_threshold: int = 2

    def __post_init__(self):
        self.tweets = TweetStore(self.graph)
        self.users = UserStore(self.graph)
        self.feed_source = FeedSource(self.graph)
        self.home_pages = HomePages(self.feeds, self.tweet_cache, self.popular)
        self.new_tweets = NewTweets(self.tweet_cache, self.feeds)
        self.relations = RelationStore(self.graph)
