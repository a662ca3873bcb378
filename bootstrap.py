"""The composition root: builds the driver, the Redis clients, the queues and the repositories once."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import neo4j
import redis

from cache import id_nodes
from cache.client import REDIS_DOWN, Client, redis_client
from cache.feeds import Celebrities, Feeds
from cache.grants import GrantCache
from cache.home_page import HomePages
from cache.hidden import HiddenSets
from cache.login_attempts import LoginAttempts
from cache.media_uploads import MediaUploads
from cache.new_tweets import NewTweets
from cache.notification_groups import NotificationGroups
from cache.popular import Popular
from cache.principals import Principals
from cache.profiles import Profiles
from cache.sessions import SessionStore
from cache.streams import EventStreams
from cache.tokens import TokenCache
from cache.trending import TrendingTags
from cache.tweets import TweetCache
from cache.dispatcher import DISPATCHER_NAME, Dispatcher
from cache.live_connections import LiveConnections
from cache.revocations import Revocations
from cache.user_streams import UserStreams
from domain import ids
from graph.driver import NEO4J_DOWN, Graph, open_driver
from graph.feed import FeedSource
from graph.media import MediaRepository
from graph.messages import MessageRepository
from graph.notifications import NotificationRepository
from graph.outbox import Outbox
from graph.policy import PolicyRepository
from graph.ranking import RankingRepository
from graph.recommendations import RecommendationRepository
from graph.relations import RelationRepository
from graph.search import SearchRepository
from graph.tokens import TokenRepository
from graph.tweets import TweetRepository
from graph.users import UserRepository
from settings import Settings
from social.passwords import Passwords
from storage import BlobStore, open_store
from social.ports import EventPublisher

# A dependency down: the request gets a 503, a job loop waits it out.
DEPENDENCY_DOWN = NEO4J_DOWN + REDIS_DOWN
log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    fanout_threshold: int
    media_chunk_size: int
    driver: neo4j.Driver
    graph: Graph
    redis: Client
    raw_redis: Client
    rq_redis: redis.Redis  # RQ's queues: a single server even beside a cluster (docs/scale-out.md)
    bus: EventPublisher
    users: UserRepository
    tweets: TweetRepository
    tokens: TokenRepository
    recommendations: RecommendationRepository
    ranking: RankingRepository
    sessions: SessionStore
    principals: Principals
    token_cache: TokenCache
    login_attempts: LoginAttempts
    passwords: Passwords
    policy: PolicyRepository
    grants: GrantCache
    feed_source: FeedSource
    feeds: Feeds
    home_pages: HomePages
    profiles: Profiles
    celebrities: Celebrities
    tweet_cache: TweetCache
    new_tweets: NewTweets
    popular: Popular
    outbox: Outbox
    event_streams: EventStreams
    user_streams: UserStreams
    notification_groups: NotificationGroups
    dispatcher: Dispatcher
    revocations: Revocations
    live_connections: LiveConnections
    notifications: NotificationRepository
    messages: MessageRepository
    relations: RelationRepository
    hidden_sets: HiddenSets
    search: SearchRepository
    trending: TrendingTags
    media: MediaRepository
    media_uploads: MediaUploads
    blobs: BlobStore

    def connect(self) -> None:
        """Opens at start the connections that the first request would otherwise wait for (a Bolt
        handshake and sign-in, two Redis connections), and leases the process's id node. A database
        that is down is no reason not to start: /readyz tells, and the first request connects (the
        process then keeps a random node)."""
        try:
            self.driver.verify_connectivity()
            self.raw_redis.ping()
            ids.use_node(id_nodes.lease(self.redis))
        except DEPENDENCY_DOWN as err:
            log.warning("not connected at start: %s", err)

    def close(self) -> None:
        self.driver.close()
        self.redis.close()
        self.raw_redis.close()
        if self.rq_redis is not self.raw_redis:
            self.rq_redis.close()
        self.dispatcher.client.close()


def bootstrap(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    driver = open_driver(settings)
    graph = Graph(driver)
    cluster = settings.redis_cluster
    r = redis_client(settings.redis_url, cluster=cluster)
    raw = redis_client(settings.redis_url, decode=False, cluster=cluster)
    rq = raw if settings.rq_url == settings.redis_url else redis_client(settings.rq_url, decode=False)
    tweet_cache = TweetCache(raw, settings.feed_size)
    event_streams = EventStreams(r)
    feeds = Feeds(r, settings.feed_active_days * 86400, settings.feed_size)
    sessions = SessionStore(r, settings.session_ttl_seconds, settings.session_idle_seconds)
    svc = Services(
        settings=settings,
        fanout_threshold=settings.fanout_follower_threshold,
        media_chunk_size=settings.media_chunk_size,
        driver=driver,
        graph=graph,
        redis=r,
        raw_redis=raw,
        rq_redis=rq,
        bus=event_streams,
        users=UserRepository(graph),
        tweets=TweetRepository(graph),
        tokens=TokenRepository(graph),
        recommendations=RecommendationRepository(graph),
        ranking=RankingRepository(graph),
        sessions=sessions,
        principals=Principals(r, sessions),
        token_cache=TokenCache(r),
        login_attempts=LoginAttempts(
            r, settings.login_failure_limit, settings.login_failure_window_seconds
        ),
        passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
        policy=PolicyRepository(graph),
        grants=GrantCache(r),
        feed_source=FeedSource(graph),
        feeds=feeds,
        home_pages=HomePages(raw, settings.feed_active_days * 86400, settings.feed_size),
        profiles=Profiles(raw),
        celebrities=Celebrities(r),
        tweet_cache=tweet_cache,
        new_tweets=NewTweets(raw, tweet_cache, feeds),
        popular=Popular(r),
        outbox=Outbox(graph),
        event_streams=event_streams,
        user_streams=UserStreams(r),
        notification_groups=NotificationGroups(r),
        # its own client: the one connection that all of a web worker's open streams share
        dispatcher=Dispatcher(redis_client(settings.redis_url, name=DISPATCHER_NAME, cluster=cluster)),
        revocations=Revocations(r),
        live_connections=LiveConnections(r, settings.max_live_per_user),
        notifications=NotificationRepository(graph),
        messages=MessageRepository(graph),
        relations=RelationRepository(graph),
        hidden_sets=HiddenSets(r),
        search=SearchRepository(graph),
        trending=TrendingTags(r),
        media=MediaRepository(graph),
        media_uploads=MediaUploads(r),
        blobs=open_store(settings),
    )
    return svc
