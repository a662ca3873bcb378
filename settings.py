"""The service's configuration: read once from the environment into one typed object."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEFAULT_SECRET_KEY = "dev-only-secret-change-me"
DEFAULT_NEO4J_PASSWORD = "socialgraph-dev"


@dataclass(frozen=True)
class Settings:
    web_port: int = 8000
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = field(default=DEFAULT_NEO4J_PASSWORD, repr=False)
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_mode: str = "single"  # cluster: redis_url names a startup node of a Redis Cluster
    rq_redis_url: str | None = None  # RQ's own Redis (a single server); unset: redis_url's, if not a cluster
    secret_key: str = field(default=DEFAULT_SECRET_KEY, repr=False)
    app_env: str = "development"  # production: Secure __Host- cookies by default, default secrets refused
    session_ttl_seconds: int = 1209600
    session_idle_seconds: int = 3 * 86400
    session_cookie_secure: bool = False
    hsts_seconds: int = 0  # Strict-Transport-Security on requests that came over TLS, when > 0
    trusted_proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto/-Host count
    max_live_per_user: int = 10  # open streams and sockets of one user, over every worker
    max_live_per_worker: int = 1000
    data_dir: Path = Path("var")
    rate_limit_enabled: bool = True
    max_body_bytes: int = 64 * 1024
    login_failure_limit: int = 20
    login_failure_window_seconds: int = 900
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456
    fanout_follower_threshold: int = 10_000
    feed_size: int = 800  # the newest entries Redis keeps of each home feed and each merged author
    feed_active_days: int = 7
    web_max_in_flight: int = 64
    web_max_waiting: int = 256
    web_max_wait_ms: int = 1000
    web_max_lag_ms: int = 250
    warm_query_plans: bool = True
    media_storage: str = "local"  # local (DATA_DIR/media) or s3
    media_chunk_size: int = 1024 * 1024
    s3_endpoint_url: str | None = None
    s3_bucket: str = "socialgraph-media"
    s3_access_key_id: str | None = field(default=None, repr=False)
    s3_secret_access_key: str | None = field(default=None, repr=False)
    s3_region: str = "us-east-1"

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        d = cls()
        app_env = env.get("APP_ENV", d.app_env).strip().lower()
        return cls(
            app_env=app_env,
            session_idle_seconds=int(env.get("SESSION_IDLE_SECONDS", d.session_idle_seconds)),
            hsts_seconds=int(env.get("HSTS_SECONDS", d.hsts_seconds)),
            trusted_proxy_hops=int(env.get("TRUSTED_PROXY_HOPS", d.trusted_proxy_hops)),
            max_live_per_user=int(env.get("MAX_LIVE_PER_USER", d.max_live_per_user)),
            max_live_per_worker=int(env.get("MAX_LIVE_PER_WORKER", d.max_live_per_worker)),
            web_port=int(env.get("WEB_PORT", d.web_port)),
            neo4j_uri=env.get("NEO4J_URI", d.neo4j_uri),
            neo4j_user=env.get("NEO4J_USER", d.neo4j_user),
            neo4j_password=env.get("NEO4J_PASSWORD", d.neo4j_password),
            redis_url=env.get("REDIS_URL", d.redis_url),
            redis_mode=env.get("REDIS_MODE") or d.redis_mode,
            rq_redis_url=env.get("RQ_REDIS_URL") or None,
            secret_key=env.get("SECRET_KEY", d.secret_key),
            session_ttl_seconds=int(env.get("SESSION_TTL_SECONDS", d.session_ttl_seconds)),
            session_cookie_secure=_flag(env.get("SESSION_COOKIE_SECURE", "1" if app_env == "production" else "0")),
            data_dir=Path(env.get("DATA_DIR", str(d.data_dir))),
            rate_limit_enabled=_flag(env.get("RATE_LIMIT_ENABLED", "1")),
            argon2_time_cost=int(env.get("ARGON2_TIME_COST", d.argon2_time_cost)),
            argon2_memory_kib=int(env.get("ARGON2_MEMORY_KIB", d.argon2_memory_kib)),
            fanout_follower_threshold=int(
                env.get("FANOUT_FOLLOWER_THRESHOLD", d.fanout_follower_threshold)
            ),
            feed_size=int(env.get("FEED_SIZE", d.feed_size)),
            feed_active_days=int(env.get("FEED_ACTIVE_DAYS", d.feed_active_days)),
            web_max_in_flight=int(env.get("WEB_MAX_IN_FLIGHT", d.web_max_in_flight)),
            web_max_waiting=int(env.get("WEB_MAX_WAITING", d.web_max_waiting)),
            web_max_wait_ms=int(env.get("WEB_MAX_WAIT_MS", d.web_max_wait_ms)),
            web_max_lag_ms=int(env.get("WEB_MAX_LAG_MS", d.web_max_lag_ms)),
            warm_query_plans=_flag(env.get("WARM_QUERY_PLANS", "1")),
            media_storage=env.get("MEDIA_STORAGE", d.media_storage),
            media_chunk_size=int(env.get("MEDIA_CHUNK_SIZE", d.media_chunk_size)),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
            s3_bucket=env.get("S3_BUCKET", d.s3_bucket),
            s3_access_key_id=env.get("S3_ACCESS_KEY_ID") or None,
            s3_secret_access_key=env.get("S3_SECRET_ACCESS_KEY") or None,
            s3_region=env.get("S3_REGION", d.s3_region),
        )

    @property
    def redis_cluster(self) -> bool:
        return self.redis_mode == "cluster"

    @property
    def rq_url(self) -> str:
        """RQ's queues need one server (docs/scale-out.md): RQ_REDIS_URL, which a cluster requires."""
        if self.rq_redis_url:
            return self.rq_redis_url
        if self.redis_cluster:
            raise RuntimeError("REDIS_MODE=cluster needs RQ_REDIS_URL: RQ keeps a single Redis server of its own.")
        return self.redis_url

    @property
    def session_cookie_name(self) -> str:
        """`__Host-` binds a Secure cookie to this host and path /: no subdomain can set or shadow it."""
        return "__Host-sid" if self.session_cookie_secure else "sid"

    def check(self) -> None:
        """Refuses to run in production with the secrets everyone can read in this repository."""
        if self.app_env != "production":
            return
        weak = [name for name, value, default in (
            ("SECRET_KEY", self.secret_key, DEFAULT_SECRET_KEY),
            ("NEO4J_PASSWORD", self.neo4j_password, DEFAULT_NEO4J_PASSWORD),
        ) if not value or value == default]
        if weak:
            raise RuntimeError(f"APP_ENV=production refuses the default {' and '.join(weak)}: set your own.")
