"""Request limits with flask-limiter on Redis: per class of endpoint, per user (or per IP when
anonymous), plus one ceiling per IP over everything. Routes name their class in `@allow(..., rate=)`.

The numbers follow services that publish theirs: Mastodon's API throttles (1500 requests per 5 min
per account, 300 per 5 min per anonymous IP, 25 sign-ups per 5 min per IP), its posting limits
(300 statuses per 3 h, 400 follows per day) and Twitter's 1000 likes per day. Every login attempt
costs an Argon2 verification (tens of ms of a core), so an address gets 60 per 5 min whether they
succeed or not; failed ones have their own, stricter limit per username and per IP
(cache/login_attempts.py, CONTRACT.md). Moderators and admins get five times the read and write
budget, because cleaning up spam is bulk work; posting, liking and following are the same for all.
Media uploads (our own numbers): 60 started an hour and 1 GiB announced a day per user, the bytes
counted as the MiB of each upload's total_bytes; chunks have a class of their own.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import orjson
from flask import Flask, current_app, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_login import current_user
from limits import parse
from limits.storage import RedisClusterStorage, Storage

from bootstrap import Services
from domain.errors import RateLimited
from web.errors import error_response
from web.policy import UNLIMITED, current_grant


@dataclass(frozen=True)
class RateClass:
    user: str  # per signed-in user (per IP for anonymous callers unless `anonymous` says otherwise)
    staff: str | None = None  # per moderator or admin, when it differs
    anonymous: str | None = None  # per IP, for callers who are not signed in
    by_ip: bool = False  # counted per IP even when signed in (logins and sign-ups)
    mib_per_day: int = 0  # also a budget of upload MiB per user and day (the body's total_bytes)


LIMITS = {
    "login": RateClass("60 per 5 minutes", by_ip=True),
    "register": RateClass("25 per 5 minutes", by_ip=True),
    "reads": RateClass("1500 per 5 minutes", staff="7500 per 5 minutes", anonymous="300 per 5 minutes"),
    "writes": RateClass("300 per 5 minutes", staff="1500 per 5 minutes"),
    "posts": RateClass("300 per 3 hours"),
    "likes": RateClass("1000 per day"),
    "follows": RateClass("400 per day"),
    "admin": RateClass("300 per 5 minutes"),
    "media_uploads": RateClass("60 per hour", mib_per_day=1024),
    "media_chunks": RateClass("2400 per hour"),  # 2.3 GiB an hour in 1 MiB chunks
    UNLIMITED: RateClass(""),
}
PER_IP = "3000 per 5 minutes"
KEY_PREFIX = "rl"  # a little office behind one NAT address at full speed


def rate_class_of(endpoint: str | None) -> str | None:
    view = current_app.view_functions.get(endpoint or "")
    if view is None or getattr(view, "requirement", None) is None:
        return None
    return view.rate_class or ("reads" if request.method in ("GET", "HEAD") else "writes")


def _class_limit() -> str:
    name = rate_class_of(request.endpoint)
    if name is None:
        return ""
    rc = LIMITS[name]
    if rc.by_ip or not current_user.is_authenticated:
        return rc.anonymous or rc.user
    grant = current_grant()
    return rc.staff if rc.staff and grant is not None and grant.staff else rc.user


def _ip() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def _class_key() -> str:
    name = rate_class_of(request.endpoint)
    if name and not LIMITS[name].by_ip and current_user.is_authenticated:
        return f"user:{current_user.user_id}"
    return _ip()


def _ip_limit() -> str:
    return "" if rate_class_of(request.endpoint) in (None, UNLIMITED) else PER_IP


def _bytes_limit() -> str:
    name = rate_class_of(request.endpoint)
    mib = LIMITS[name].mib_per_day if name else 0
    return f"{mib} per day" if mib and current_user.is_authenticated else ""


def _upload_mib() -> int:
    """The MiB an upload announces: what it costs of the day's budget (malformed bodies cost 1)."""
    try:
        total = orjson.loads(request.get_data(cache=True)).get("total_bytes")
    except (orjson.JSONDecodeError, AttributeError):
        return 1
    return max(1, math.ceil(total / 1048576)) if isinstance(total, int) and not isinstance(total, bool) else 1


def spend(rate_class: str, user_id: int) -> int:
    """Counts one use of `rate_class` by a signed-in user in the very bucket its HTTP route counts
    in (a WebSocket command and its HTTP twin share one budget): 0 when allowed, else seconds to wait."""
    limiter: Limiter = current_app.extensions["rate_limiter"]
    if not limiter.enabled:
        return 0
    item = parse(LIMITS[rate_class].user)
    args = [KEY_PREFIX, f"user:{user_id}", rate_class]
    if limiter.limiter.hit(item, *args):
        return 0
    reset_at, _ = limiter.limiter.get_window_stats(item, *args)
    return max(1, math.ceil(reset_at - time.time()))


class _AppClusterStorage(RedisClusterStorage):
    """limits' Redis Cluster storage on the app's own cluster client (cache/client.py: its short
    timeouts, made at first use). Its keys are hash-tagged per limit, a window pair in one slot."""

    STORAGE_SCHEME = ["socialgraph+cluster"]

    def __init__(self, uri: str, client, key_prefix: str = RedisClusterStorage.PREFIX, **options):
        self.key_prefix = key_prefix
        self.target_server = "redis"
        self.dependency = self.dependencies[self.target_server].module
        self.storage = client
        self.initialize_storage(uri)
        Storage.__init__(self, uri, **options)


def _storage(services: Services) -> dict:
    """The limits' counters in the app's Redis, through the app's client."""
    if services.settings.redis_cluster:
        return {"storage_uri": "socialgraph+cluster://", "storage_options": {"client": services.redis}}
    return {"storage_uri": services.settings.redis_url,
            "storage_options": {"connection_pool": services.redis.connection_pool}}


def init(app: Flask, services: Services) -> None:
    """Runs after the policy decision (registered later), so a refused request costs no limit."""
    limiter = Limiter(
        _ip,
        default_limits=[
            Limit(_class_limit, key_function=_class_key, scope=lambda endpoint: rate_class_of(endpoint) or "", shared=True),
            Limit(_ip_limit, key_function=_ip, scope="ip", shared=True),
            Limit(_bytes_limit, key_function=_class_key, scope="upload_bytes", cost=_upload_mib, shared=True),
        ],
        **_storage(services),
        strategy="sliding-window-counter",
        key_prefix=KEY_PREFIX,
        enabled=services.settings.rate_limit_enabled,
    )
    limiter.init_app(app)
    app.extensions["rate_limiter"] = limiter

    def too_many(err: RateLimitExceeded):
        breached = limiter.current_limit
        wait = breached.window.reset_time - time.time() if breached else 60
        return error_response(
            RateLimited(
                "rate_limited",
                f"Too many requests of this kind (at most {err.limit.limit}); retry later.",
                retry_after=math.ceil(wait),
                limit=str(err.limit.limit),
            )
        )

    app.register_error_handler(RateLimitExceeded, too_many)

    @app.after_request
    def budget_headers(response):
        """The budget of the limit nearest to refusing, as GitHub and Mastodon show theirs."""
        applied = limiter.current_limits
        if applied:
            nearest = min(applied, key=lambda lim: (lim.remaining, lim.reset_at))
            response.headers["X-RateLimit-Limit"] = str(nearest.limit.amount)
            response.headers["X-RateLimit-Remaining"] = str(max(0, nearest.remaining))
            response.headers["X-RateLimit-Reset"] = str(int(nearest.reset_at))
        return response
