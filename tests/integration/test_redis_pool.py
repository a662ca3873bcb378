"""A burst of concurrent Redis commands from one process waits for connections instead of failing:
redis-py's default pool of 100 ended open event streams with "Too many connections" under load."""
import threading

from cache.client import redis_client
from settings import Settings


def test_more_concurrent_commands_than_redis_pys_default_pool_all_succeed():
    settings = Settings.from_env()
    client = redis_client(settings.redis_url, cluster=settings.redis_cluster)
    failures, start = [], threading.Barrier(150)

    def hold_a_connection():
        start.wait()
        try:
            client.blpop(["test:pool:nothing-comes"], timeout=0.5)
        except Exception as err:  # noqa: BLE001 - the test counts any failure
            failures.append(repr(err))

    threads = [threading.Thread(target=hold_a_connection) for _ in range(150)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    client.close()
    assert failures == []
