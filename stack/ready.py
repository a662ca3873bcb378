"""Readiness: is each service up and answering, and waiting until it is."""
from __future__ import annotations

import base64
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Callable

from stack.config import CLUSTER_NODES, Stack, StackError, relative
from stack.supervise import running_pid


def neo4j_ready(stack: Stack) -> bool:
    """True once the default database runs a query with the stack's credentials."""
    credentials = f"{stack.env['NEO4J_USER']}:{stack.env['NEO4J_PASSWORD']}".encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.http_port}/db/neo4j/tx/commit",
        data=b'{"statements": [{"statement": "RETURN 1"}]}',
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(credentials).decode()},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return not json.load(response)["errors"]
    except urllib.error.HTTPError as error:
        if error.code == 401:
            raise StackError(f"Neo4j refused user {stack.env['NEO4J_USER']!r} and NEO4J_PASSWORD: "
                             f"{relative(stack.neo4j_home)} was set up with another password")
        return False
    except OSError:
        return False


def redis_call(port: int, *args: str) -> bytes:
    """One command to the Redis on 127.0.0.1:port; its reply, a simple or bulk string's bytes
    (all that PING and CLUSTER INFO need; the stack manager has no Redis client of its own)."""
    request = f"*{len(args)}\r\n" + "".join(f"${len(arg.encode())}\r\n{arg}\r\n" for arg in args)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
        connection.sendall(request.encode())
        reply = b""
        while b"\r\n" not in reply:
            reply += received(connection)
        head, _, body = reply.partition(b"\r\n")
        if not head.startswith(b"$"):
            return head
        length = int(head[1:])
        while len(body) < length:
            body += received(connection)
        return body[:length]


def received(connection: socket.socket) -> bytes:
    data = connection.recv(65536)
    if not data:
        raise ConnectionError("Redis closed the connection")
    return data


def redis_ready(port: int) -> bool:
    """True once Redis answers PING (it answers LOADING until its append-only file is read)."""
    try:
        return redis_call(port, "PING") == b"+PONG"
    except OSError:
        return False


def cluster_info(port: int) -> dict[str, str]:
    """CLUSTER INFO of one node, as a dict (cluster_state, cluster_known_nodes, ...)."""
    lines = redis_call(port, "CLUSTER", "INFO").decode().splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def replication(port: int) -> dict:
    """INFO replication of one node: its `role` (master or slave) and the rest, as strings; for a
    master with a replica, `replica_port`, its first replica's port (else None)."""
    lines = redis_call(port, "INFO", "replication").decode().splitlines()
    info: dict = dict(line.split(":", 1) for line in lines if ":" in line)
    replica = dict(part.split("=", 1) for part in info.get("slave0", "").split(",") if "=" in part)
    info["replica_port"] = int(replica["port"]) if replica else None
    return info


def cluster_ok(port: int) -> bool:
    """True once this node sees the cluster whole: every slot served (`cluster_state:ok`) and every
    node known (a replica that has not gossiped in yet leaves its master without a failover)."""
    try:
        info = cluster_info(port)
    except OSError:
        return False
    return info.get("cluster_state") == "ok" and info.get("cluster_known_nodes") == str(CLUSTER_NODES)


def web_ready(url: str) -> bool:
    """True once the app's /readyz (at url) says that it reaches Neo4j and Redis."""
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_ready(stack: Stack, checks: dict[str, Callable[[], bool]], watched: list[str],
               timeout: float, what: str = "ready") -> None:
    """Poll until each check passes; fail at once, with its log, if a watched process exits.
    A check's name is also the name of the log that explains its failure."""
    started = time.monotonic()
    pending = dict(checks)
    while pending:
        for name in watched:
            if running_pid(stack, name) is None:
                raise StackError(f"{name} exited while starting", stack.log(name))
        for name, ready in list(pending.items()):
            if ready():
                del pending[name]
                print(f"{name}: {what} after {time.monotonic() - started:.1f}s", flush=True)
        if pending and time.monotonic() - started > timeout:
            name = next(iter(pending))
            raise StackError(f"{name} was not {what} after {timeout}s", stack.log(name))
        time.sleep(0.25)
