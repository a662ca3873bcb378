"""How each process of the stack is started, in which order, and stopped: Redis (one server, or a
cluster of six nodes and RQ's own server), Neo4j, the RQ workers, the event consumers, the scheduler, the gunicorn
masters and, in front of several of them, HAProxy."""
from __future__ import annotations

import shutil
import socket
import string
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Callable

from stack.config import CLUSTER_BUS_OFFSET, STACK_DIR, VENV_BIN, Stack, StackError, relative
from stack.install import NEO4J_LIB
from stack.ready import cluster_info, cluster_ok, neo4j_ready, redis_ready, wait_ready, web_ready
from stack.supervise import (Service, pidfile_names, run_step, running_pid, signals_ignored, spawn,
                             stop_processes)

JVM_OPTIONS = (
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+ExitOnOutOfMemoryError",
)
# Each kind of process stops in this order (its instances together), given this many seconds to
# finish cleanly before it is killed (Neo4j checkpoints its stores on the way down).
STOP_SECONDS = {"haproxy": 10, "web": 30, "scheduler": 30, "consumer": 30, "worker": 30,
                "neo4j": 120, "redis": 30}
START_SECONDS = {"databases": 240, "app": 120}
SUPERVISOR = "supervisor"  # the pid file of the process that started and watches the stack


def kind(name: str) -> str:
    """worker-2 -> worker, redis-17379 -> redis."""
    return name.partition("-")[0]


def instance_names(kind_: str, count: int) -> list[str]:
    """consumer; or consumer, consumer-2, ... (the first keeps its plain name)."""
    return [kind_, *(f"{kind_}-{i}" for i in range(2, count + 1))]


# --- the services --------------------------------------------------------------------------------

def redis_services(stack: Stack) -> list[Service]:
    if stack.redis_mode == "single":
        return [Service("redis", ["redis-server", str(stack.redis_dir / "redis.conf")], stack.env)]
    # A cluster node that exits is started again: it rejoins as its shard's replica once the other
    # has taken over (a failover), or as its master if it came back before that.
    nodes = [Service(f"redis-{port}", ["redis-server", str(stack.cluster_dir(port) / "redis.conf")], stack.env,
                     restart=True) for port in stack.redis_ports]
    return [*nodes, Service("redis-rq", ["redis-server", str(stack.rq_redis_dir / "redis.conf")], stack.env)]


def neo4j_service(stack: Stack) -> Service:
    """The Neo4j server as a single foreground JVM: what `neo4j console` finally runs."""
    return Service("neo4j", java_argv(
        "org.neo4j.server.CommunityEntryPoint", f"--home-dir={stack.neo4j_home}",
        f"--config-dir={stack.neo4j_home / 'conf'}", "--console-mode",
        heap=(f"-Xms{stack.neo4j_memory}", f"-Xmx{stack.neo4j_memory}")), stack.env)


def app_services(stack: Stack) -> list[Service]:
    """The job processes and the web server, in start order; each restarted when it crashes."""
    env = {**stack.env, "PROMETHEUS_MULTIPROC_DIR": str(stack.metrics_dir)}
    python = str(VENV_BIN / "python")
    services = [Service(name, [python, "-m", "jobs.worker"], env, restart=True)
                for name in instance_names("worker", stack.workers)]
    # Several consumers share each consumer group under names of their own (jobs/consumer.py).
    consumer_name = env.get("CONSUMER_NAME") or socket.gethostname()
    services += [Service(name, [python, "-m", "jobs.consumer"],
                         env if stack.consumers == 1 else {**env, "CONSUMER_NAME": f"{consumer_name}-{i}"},
                         restart=True)
                 for i, name in enumerate(instance_names("consumer", stack.consumers), 1)]
    gunicorn = [str(VENV_BIN / "gunicorn"), "-c", str(STACK_DIR / "gunicorn.conf.py"), "wsgi:app"]
    if stack.web_nodes == 1:
        services.append(Service("web", gunicorn, env, restart=True))
    else:
        services += [Service(name, gunicorn, {"TRUSTED_PROXY_HOPS": "1", **env, "WEB_PORT": str(port),
                                              "WEB_NODE": name}, restart=True)
                     for name, port in zip(instance_names("web", stack.web_nodes), stack.web_node_ports)]
        services.append(Service("haproxy", ["haproxy", "-db", "-f", str(haproxy_cfg(stack))],
                                stack.env, restart=True))
    if stack.scheduled:
        services.append(Service("scheduler", [python, "-m", "jobs.schedule"], env, restart=True))
    return services


def all_services(stack: Stack) -> dict[str, Service]:
    return {s.name: s for s in (*redis_services(stack), neo4j_service(stack), *app_services(stack))}


def java_argv(main_class: str, *args: str, heap: tuple[str, ...] = ()) -> list[str]:
    return [shutil.which("java") or "java", *heap, *JVM_OPTIONS, "-cp", f"{NEO4J_LIB}/*",
            main_class, *args]


def haproxy_cfg(stack: Stack) -> Path:
    return stack.data_dir / "haproxy" / "haproxy.cfg"


# --- starting -------------------------------------------------------------------------------------

def check_can_start(stack: Stack) -> None:
    """Refuse to start over a running instance, or on a port that another program holds."""
    running = [name for name in pidfile_names(stack) if running_pid(stack, name)]
    if running:
        raise StackError(f"{', '.join(running)} already running from {relative(stack.data_dir)}: "
                         f"stop them first (DATA_DIR={relative(stack.data_dir)} make down)")
    for port in stack.ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise StackError(f"port {port} is taken; `ss -ltnp 'sport = :{port}'` "
                                 "shows by whom") from None


def start_stack(stack: Stack, seed: bool, beside_migrate: Callable[[], None] | None = None
                ) -> list[tuple[Service, subprocess.Popen]]:
    """Start the databases, migrate, start the jobs and the web server, and (first time) seed.
    `beside_migrate`, if given, runs in a thread from the moment the databases answer, and the
    stack is up once it has returned too. Returns the processes it started, for the supervisor."""
    prepare_folders(stack)
    started = start_databases(stack)
    beside = ThreadPoolExecutor(1)
    also = beside.submit(beside_migrate) if beside_migrate else None
    try:
        run_step(stack, "migrate", [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "migrate"],
                 stack.env)
    finally:
        beside.shutdown(wait=False)  # after a failed migrate, it ends when the caller stops the stack
    if also:
        also.result()  # its failure is the start's
    started += [(service, spawn(stack, service)) for service in app_services(stack)]
    checks = {name: partial(web_ready, f"http://127.0.0.1:{port}")
              for name, port in zip(instance_names("web", stack.web_nodes), stack.web_node_ports)}
    if stack.web_nodes > 1:
        checks["haproxy"] = partial(web_ready, stack.env["WEB_URL"])
    wait_ready(stack, checks, [service.name for service, _ in started], START_SECONDS["app"])

    if seed and not stack.seeded_marker.exists():
        run_step(stack, "seed", [str(VENV_BIN / "python"), "seed_graph.py"], stack.env)
        stack.seeded_marker.touch()
    return started


def set_initial_password(stack: Stack) -> None:
    """Neo4j's password, set before the first start of a data folder."""
    if not (stack.neo4j_home / "data" / "dbms" / "auth.ini").exists():
        run_step(stack, "neo4j-password", java_argv(
            "org.neo4j.server.startup.Neo4jAdminCommand",
            "dbms", "set-initial-password", stack.env["NEO4J_PASSWORD"]), {
            **stack.env, "NEO4J_HOME": str(stack.neo4j_home),
            "NEO4J_CONF": str(stack.neo4j_home / "conf")})


def start_databases(stack: Stack) -> list[tuple[Service, subprocess.Popen]]:
    """Start Redis (forming the cluster on its first start) and Neo4j, and wait until they answer."""
    started = start_redis(stack)
    set_initial_password(stack)
    neo4j = neo4j_service(stack)
    started.append((neo4j, spawn(stack, neo4j)))
    wait_ready(stack, {"neo4j": partial(neo4j_ready, stack)}, [service.name for service, _ in started],
               START_SECONDS["databases"])
    return started


def start_redis(stack: Stack) -> list[tuple[Service, subprocess.Popen]]:
    """Start the Redis server, or the cluster's nodes and RQ's server, and wait until they serve
    every slot."""
    prepare_redis(stack)
    started = [(service, spawn(stack, service)) for service in redis_services(stack)]
    names = [service.name for service, _ in started]
    ports = [*stack.redis_ports, *([stack.rq_redis_port] if stack.rq_redis_port else [])]
    wait_ready(stack, {name: partial(redis_ready, port) for name, port in zip(names, ports)},
               names, START_SECONDS["databases"])
    if stack.redis_mode == "cluster":
        form_cluster(stack)
        wait_ready(stack, {name: partial(cluster_ok, port) for name, port in zip(names, stack.redis_ports)},
                   names, START_SECONDS["databases"], what="cluster_state:ok")
    return started


def form_cluster(stack: Stack) -> None:
    """On the nodes' first start, make them one cluster: 3 masters, each with a replica. Later
    starts find it in each node's nodes.conf."""
    if any(cluster_info(port)["cluster_known_nodes"] != "1" for port in stack.redis_ports):
        return
    run_step(stack, "redis-cluster-create", [
        "redis-cli", "--cluster", "create", *(f"127.0.0.1:{port}" for port in stack.redis_ports),
        "--cluster-replicas", "1", "--cluster-yes"], stack.env)


def prepare_folders(stack: Stack) -> None:
    """Create the instance's folders and render its config files from the templates in stack/."""
    for folder in (stack.neo4j_home / "conf", stack.run_dir, stack.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    stack.ready_marker.unlink(missing_ok=True)
    shutil.rmtree(stack.metrics_dir, ignore_errors=True)
    stack.metrics_dir.mkdir()
    render(stack.neo4j_home / "conf" / "neo4j.conf", STACK_DIR / "neo4j" / "neo4j.conf",
           home=stack.neo4j_home, memory=stack.neo4j_memory, bolt_port=stack.bolt_port,
           http_port=stack.http_port)
    if stack.web_nodes > 1:
        servers = "".join(f"    server {name} 127.0.0.1:{port}\n" for name, port in
                          zip(instance_names("web", stack.web_nodes), stack.web_node_ports))
        render(haproxy_cfg(stack), STACK_DIR / "haproxy" / "haproxy.cfg",
               port=stack.web_port, servers=servers)


def prepare_redis(stack: Stack) -> None:
    for folder in (stack.run_dir, stack.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if stack.redis_mode == "single":
        render(stack.redis_dir / "redis.conf", STACK_DIR / "redis" / "redis.conf",
               port=stack.redis_port, dir=stack.redis_dir)
        return
    for port in stack.redis_ports:
        folder = stack.cluster_dir(port)
        render(folder / "redis.conf", STACK_DIR / "redis" / "redis.conf",
               STACK_DIR / "redis" / "cluster.conf", port=port, dir=folder,
               bus_port=port + CLUSTER_BUS_OFFSET)
    render(stack.rq_redis_dir / "redis.conf", STACK_DIR / "redis" / "redis.conf", port=stack.rq_redis_port,
           dir=stack.rq_redis_dir)


def render(target: Path, *templates: Path, **values) -> None:
    """Write the templates, one after the other, with their ${names} filled in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(string.Template(template.read_text()).substitute(values)
                              for template in templates))


# --- stopping -------------------------------------------------------------------------------------

def stop_stack(stack: Stack) -> None:
    """Stop every process of the stack that still runs, by its pid file, kind by kind in the
    reverse of the start order: politely, then by force. It finds what an earlier start with other
    settings (WEB_NODES, REDIS_MODE) left running too."""
    stack.ready_marker.unlink(missing_ok=True)
    names = [name for name in pidfile_names(stack) if name != SUPERVISOR]
    with signals_ignored():
        for each, grace in STOP_SECONDS.items():
            stop_processes(stack, [name for name in names if kind(name) == each], grace)
