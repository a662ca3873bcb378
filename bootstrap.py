"""The composition root: builds the driver, the Redis clients, the queues and the repositories once."""
from __future__ import annotations

from dataclasses import dataclass

import neo4j
import redis
from rq import Queue

from cache.login_attempts import LoginAttempts
from cache.sessions import SessionStore
from cache.tokens import TokenCache
from graph.driver import Graph, open_driver
from graph.tokens import TokenRepository
from graph.tweets import TweetRepository
from graph.users import UserRepository
from settings import Settings
from social.passwords import Passwords


@dataclass
class Services:
    settings: Settings
    driver: neo4j.Driver
    graph: Graph
    redis: redis.Redis
    rq_redis: redis.Redis
    queue: Queue
    users: UserRepository
    tweets: TweetRepository
    tokens: TokenRepository
    sessions: SessionStore
    token_cache: TokenCache
    login_attempts: LoginAttempts
    passwords: Passwords

    def close(self) -> None:
        self.driver.close()
        self.redis.close()
        self.rq_redis.close()


def redis_client(url: str, decode: bool = True) -> redis.Redis:
    """Short timeouts: a down Redis must become a quick 503, never a hung request."""
    return redis.Redis.from_url(
        url,
        decode_responses=decode,
        socket_timeout=2.0,
        socket_connect_timeout=2.0,
        health_check_interval=15,
        retry_on_timeout=False,
    )


def bootstrap(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    driver = open_driver(settings)
    graph = Graph(driver)
    r = redis_client(settings.redis_url)
    rq_redis = redis_client(settings.redis_url, decode=False)
    return Services(
        settings=settings,
        driver=driver,
        graph=graph,
        redis=r,
        rq_redis=rq_redis,
        queue=Queue("default", connection=rq_redis),
        users=UserRepository(graph),
        tweets=TweetRepository(graph),
        tokens=TokenRepository(graph),
        sessions=SessionStore(r, settings.session_ttl_seconds),
        token_cache=TokenCache(r),
        login_attempts=LoginAttempts(
            r, settings.login_failure_limit, settings.login_failure_window_seconds
        ),
        passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
    )
