"""The service's configuration: read once from the environment into one typed object."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    web_port: int = 8000
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = field(default="socialgraph-dev", repr=False)
    redis_url: str = "redis://127.0.0.1:6379/0"
    secret_key: str = field(default="dev-only-secret-change-me", repr=False)
    session_ttl_seconds: int = 1209600
    session_cookie_secure: bool = False
    data_dir: Path = Path("var")
    rate_limit_enabled: bool = True
    max_body_bytes: int = 64 * 1024
    login_failure_limit: int = 20
    login_failure_window_seconds: int = 900
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456
    fanout_follower_threshold: int = 10_000
    feed_active_days: int = 7
    web_max_in_flight: int = 64
    web_max_waiting: int = 256
    web_max_wait_ms: int = 1000
    web_max_lag_ms: int = 250
    warm_query_plans: bool = True

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        d = cls()
        return cls(
            web_port=int(env.get("WEB_PORT", d.web_port)),
            neo4j_uri=env.get("NEO4J_URI", d.neo4j_uri),
            neo4j_user=env.get("NEO4J_USER", d.neo4j_user),
            neo4j_password=env.get("NEO4J_PASSWORD", d.neo4j_password),
            redis_url=env.get("REDIS_URL", d.redis_url),
            secret_key=env.get("SECRET_KEY", d.secret_key),
            session_ttl_seconds=int(env.get("SESSION_TTL_SECONDS", d.session_ttl_seconds)),
            session_cookie_secure=_flag(env.get("SESSION_COOKIE_SECURE", "0")),
            data_dir=Path(env.get("DATA_DIR", str(d.data_dir))),
            rate_limit_enabled=_flag(env.get("RATE_LIMIT_ENABLED", "1")),
            argon2_time_cost=int(env.get("ARGON2_TIME_COST", d.argon2_time_cost)),
            argon2_memory_kib=int(env.get("ARGON2_MEMORY_KIB", d.argon2_memory_kib)),
            fanout_follower_threshold=int(
                env.get("FANOUT_FOLLOWER_THRESHOLD", d.fanout_follower_threshold)
            ),
            feed_active_days=int(env.get("FEED_ACTIVE_DAYS", d.feed_active_days)),
            web_max_in_flight=int(env.get("WEB_MAX_IN_FLIGHT", d.web_max_in_flight)),
            web_max_waiting=int(env.get("WEB_MAX_WAITING", d.web_max_waiting)),
            web_max_wait_ms=int(env.get("WEB_MAX_WAIT_MS", d.web_max_wait_ms)),
            web_max_lag_ms=int(env.get("WEB_MAX_LAG_MS", d.web_max_lag_ms)),
            warm_query_plans=_flag(env.get("WARM_QUERY_PLANS", "1")),
        )
