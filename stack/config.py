"""One instance of the stack: its folders, its ports and the environment its processes share,
read from the contract's environment variables (stack/README.md lists them)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STACK_DIR = ROOT / "stack"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_PASSWORD = "socialgraph-dev"
TEST_PORT_OFFSET = 10000
REDIS_MODES = ("single", "cluster")
CLUSTER_NODES = 6  # 3 masters, each with one replica
# A cluster node's bus port is its port plus this: not Redis's default +10000, which is where the
# test stack's Redis listens (6379 + TEST_PORT_OFFSET), nor +20000, which puts the test stacks' bus
# ports in the kernel's ephemeral range (32768-60999), where any outgoing connection may hold them;
# and not a multiple of 1000, the step between the offsets of stacks that share a machine.
CLUSTER_BUS_OFFSET = 500


def seeded_marker(data_dir: Path) -> Path:
    """Present once the graph of data_dir holds data (the demo's, or a bulk import's): the next
    start seeds nothing."""
    return data_dir / "seeded"


class StackError(Exception):
    """A failure the user can act on: printed without a traceback, with the log that explains it."""

    def __init__(self, message: str, log: Path | None = None):
        super().__init__(message)
        self.log = log


@dataclass(frozen=True)
class Stack:
    """One instance of the stack. How many of each app process it runs: `web_nodes` gunicorn
    masters (behind HAProxy when more than one), `consumers` event consumers, `workers` RQ workers."""

    data_dir: Path
    web_port: int
    bolt_port: int
    http_port: int
    redis_port: int
    neo4j_memory: str
    env: dict[str, str]
    scheduled: bool = True  # the ranking schedule; tests and benchmarks run ranking themselves
    redis_mode: str = "single"
    web_nodes: int = 1
    consumers: int = 1
    workers: int = 1

    @property
    def neo4j_home(self) -> Path:
        return self.data_dir / "neo4j"

    @property
    def redis_dir(self) -> Path:
        return self.data_dir / "redis"

    def cluster_dir(self, port: int) -> Path:
        return self.data_dir / "redis-cluster" / str(port)

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def metrics_dir(self) -> Path:
        return self.run_dir / "prometheus"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def seeded_marker(self) -> Path:
        return seeded_marker(self.data_dir)

    @property
    def ready_marker(self) -> Path:
        """Written by the supervisor once the stack is up; `make up` waits for it."""
        return self.run_dir / "ready"

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    @property
    def redis_ports(self) -> tuple[int, ...]:
        count = CLUSTER_NODES if self.redis_mode == "cluster" else 1
        return tuple(range(self.redis_port, self.redis_port + count))

    @property
    def rq_redis_port(self) -> int | None:
        """Beside a cluster, RQ's own single Redis server (docs/scale-out.md), on the port after the
        cluster's six; with one server, RQ shares it."""
        return self.redis_port + CLUSTER_NODES if self.redis_mode == "cluster" else None

    @property
    def rq_redis_dir(self) -> Path:
        return self.data_dir / "redis-rq"

    @property
    def web_node_ports(self) -> tuple[int, ...]:
        """The gunicorn masters' ports: WEB_PORT itself, or the ports after it behind HAProxy."""
        if self.web_nodes == 1:
            return (self.web_port,)
        return tuple(range(self.web_port + 1, self.web_port + 1 + self.web_nodes))

    @property
    def ports(self) -> tuple[int, ...]:
        """Every port the stack listens on."""
        bus = tuple(p + CLUSTER_BUS_OFFSET for p in self.redis_ports if self.redis_mode == "cluster")
        web = dict.fromkeys((self.web_port, *self.web_node_ports))
        rq = (self.rq_redis_port,) if self.rq_redis_port else ()
        return (*web, self.bolt_port, self.http_port, *self.redis_ports, *rq, *bus)


def dev_stack(environ: dict[str, str]) -> Stack:
    """The stack of `run`, `up` and `down`, configured by the contract's environment variables."""
    neo4j_uri = environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    redis_url = environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return make_stack(
        environ,
        data_dir=Path(environ.get("DATA_DIR", "var")),
        web_port=int(environ.get("WEB_PORT", "8000")),
        bolt_port=urlsplit(neo4j_uri).port or 7687,
        http_port=int(environ.get("NEO4J_HTTP_PORT", "7474")),
        redis_port=urlsplit(redis_url).port or 6379,
        neo4j_uri=neo4j_uri,
        redis_url=redis_url,
        neo4j_memory=environ.get("NEO4J_MEMORY", "1g"),
    )


def isolated_stack(environ: dict[str, str], name: str) -> Stack:
    """A throwaway stack for tests or benchmarks, on the default ports plus TEST_PORT_OFFSET.

    Its folder is var/<name>, or var/<name>-<offset> for another offset, so that runs with
    different offsets can share the machine.
    """
    offset = int(environ.get("TEST_PORT_OFFSET", TEST_PORT_OFFSET))
    folder = name if offset == TEST_PORT_OFFSET else f"{name}-{offset}"
    bolt_port, redis_port = 7687 + offset, 6379 + offset
    return make_stack(
        environ,
        data_dir=Path("var") / folder,
        web_port=8000 + offset,
        bolt_port=bolt_port,
        http_port=7474 + offset,
        redis_port=redis_port,
        neo4j_uri=f"bolt://127.0.0.1:{bolt_port}",
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        neo4j_memory=environ.get("NEO4J_MEMORY", "512m"),
        scheduled=False,
    )


def make_stack(environ: dict[str, str], *, data_dir: Path, web_port: int, bolt_port: int,
               http_port: int, redis_port: int, neo4j_uri: str, redis_url: str,
               neo4j_memory: str, scheduled: bool = True) -> Stack:
    """Build a Stack whose environment is the caller's, with its own addresses written in.
    REDIS_MODE passes through to the app's processes as it is; with a cluster, RQ_REDIS_URL names
    RQ's own server."""
    data_dir = (ROOT / data_dir).resolve()
    redis_mode = environ.get("REDIS_MODE") or "single"
    if redis_mode not in REDIS_MODES:
        raise StackError(f"REDIS_MODE={redis_mode!r}: expected one of {', '.join(REDIS_MODES)}")
    env = {
        **environ,
        "NEO4J_URI": neo4j_uri,
        "NEO4J_HTTP_PORT": str(http_port),
        "NEO4J_USER": environ.get("NEO4J_USER", "neo4j"),
        "NEO4J_PASSWORD": environ.get("NEO4J_PASSWORD", DEFAULT_PASSWORD),
        "REDIS_URL": redis_url,
        "WEB_PORT": str(web_port),
        "WEB_URL": f"http://127.0.0.1:{web_port}",
        "DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("RQ_REDIS_URL", None)
    if redis_mode == "cluster":
        env["RQ_REDIS_URL"] = f"redis://127.0.0.1:{redis_port + CLUSTER_NODES}/0"
    return Stack(data_dir, web_port, bolt_port, http_port, redis_port, neo4j_memory, env, scheduled,
                 redis_mode, count(environ, "WEB_NODES"), count(environ, "CONSUMERS"),
                 count(environ, "WORKERS"))


def count(environ: dict[str, str], name: str) -> int:
    """How many processes of a kind to run: a small positive number, 1 when unset."""
    value = environ.get(name) or "1"
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 8:
        raise StackError(f"{name}={value!r}: expected a number from 1 to 8")
    return int(value)


def relative(path: Path) -> str:
    return os.path.relpath(path, Path.cwd())
