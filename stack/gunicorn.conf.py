"""Gunicorn settings of the web server, read from the same environment as the app."""
import gc
import os

bind = f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{os.environ.get('WEB_PORT', '8000')}"
# gevent: server-sent events and WebSockets hold a connection each, so workers must not block.
worker_class = "gevent"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_connections = 1000
timeout = 30
# Short, because an open event stream keeps a worker busy until this runs out.
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
# Young collections after 10,000 net allocations rather than 700 (a few ms each, mostly cyclic
# garbage); a full one after every 10 of the middle generation's, as by default.
GC_THRESHOLDS = (10_000, 10, 10)
# One control socket (for gunicornc) per stack instance and web node (WEB_NODES, stack/README.md),
# not one shared in the home folder.
control_socket = os.path.join(os.environ.get("DATA_DIR", "var"), "run",
                              f"{os.environ.get('WEB_NODE', 'gunicorn')}.ctl")


def post_worker_init(worker):
    """Each worker connects to Neo4j and Redis before it takes its first request. Then the garbage
    collector is kept from pausing the whole worker (every request and stream) for long: what the
    worker built to start lives as long as it does, so it is frozen out of the collector's passes,
    and full passes, which walk every open stream's objects (40 to 100 ms with 500 streams), come
    about once every two minutes instead of every few seconds (GC_THRESHOLDS, docs/performance.md)."""
    worker.wsgi.extensions["services"].connect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def child_exit(server, worker):
    """Drop a dead worker's gauges from the metrics that all workers share on disk."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
