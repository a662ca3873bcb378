"""The project's Redis pools (cache/client.py): a burst of concurrent commands from one process waits
for connections instead of failing (redis-py's default pool of 100 ended open event streams with
"Too many connections" under load), and a connection left holding a reply is never reused as it is."""
import threading
import time

from cache.client import is_cluster, redis_client
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


def test_a_pooled_connection_still_holding_a_reply_is_not_reused_as_it_is():
    """Before a command the pool checks that its connection holds no stray data (the reply to a
    command whose caller never read it): with the project's parser and settings (cache/client.py)."""
    settings = Settings.from_env()
    client = redis_client(settings.redis_url, cluster=settings.redis_cluster)
    key = "test:pool:stray"
    server = client.get_node_from_key(key).redis_connection if is_cluster(client) else client  # the key's node
    server.set(key, "the value")
    connection = server.connection_pool.get_connection()
    connection.send_command("ECHO", "a stray reply")  # never read
    server.connection_pool.release(connection)
    time.sleep(0.1)  # the reply is there
    assert server.get(key) == "the value"
    client.close()
