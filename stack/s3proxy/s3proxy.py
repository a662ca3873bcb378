#!/usr/bin/env python3
"""A local S3-compatible server for the media storage tests and benchmarks: S3Proxy (from Maven
Central, gathered by pom.xml like Neo4j's jars) over a folder of the filesystem.

    python3 stack/s3proxy/s3proxy.py DATA_DIR PORT   # runs in the foreground until Ctrl-C

Or from Python: `with running(data_dir, port) as endpoint: ...` starts it, waits until it answers,
and stops it (by its pid) afterwards; `free_port()` finds a port no one listens on. Standard library only, like stack/stackctl.py.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIB = HERE / "target" / "lib"
ACCESS_KEY = "local-access-key"
SECRET_KEY = "local-secret-key"
START_SECONDS = 180
HEAP = "-Xmx256m"


def ensure_jars() -> None:
    """mvn package, again whenever pom.xml changes (milliseconds when in place)."""
    stamp = LIB.parent / "lib.sha256"
    digest = hashlib.sha256((HERE / "pom.xml").read_bytes()).hexdigest()
    if LIB.is_dir() and stamp.exists() and stamp.read_text() == digest:
        return
    shutil.rmtree(LIB, ignore_errors=True)
    subprocess.run(["mvn", "-q", "-B", "-f", str(HERE / "pom.xml"), "package"], check=True)
    stamp.write_text(digest)


def _config(data_dir: Path, port: int) -> Path:
    (data_dir / "blobs").mkdir(parents=True, exist_ok=True)
    conf = data_dir / "s3proxy.conf"
    conf.write_text(
        f"s3proxy.endpoint=http://127.0.0.1:{port}\n"
        "s3proxy.authorization=aws-v2-or-v4\n"
        f"s3proxy.identity={ACCESS_KEY}\n"
        f"s3proxy.credential={SECRET_KEY}\n"
        "jclouds.provider=filesystem-nio2\n"
        "jclouds.identity=local\njclouds.credential=local\n"
        f"jclouds.filesystem.basedir={data_dir / 'blobs'}\n"
    )
    return conf


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(endpoint: str) -> bool:
    """True once an S3 server answers there: an anonymous request is refused with an S3 error."""
    try:
        urllib.request.urlopen(endpoint, timeout=2)
    except urllib.error.HTTPError as refused:
        return b"<Error>" in refused.read(4096)
    except OSError:
        return False
    return False


def start(data_dir: Path, port: int) -> subprocess.Popen:
    ensure_jars()
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise RuntimeError(f"port {port} is taken: S3Proxy cannot start there") from None
    conf = _config(Path(data_dir), port)
    log = open(Path(data_dir) / "s3proxy.log", "ab")
    argv = [shutil.which("java") or "java", HEAP, f"-Dlogback.configurationFile={HERE / 'logback.xml'}",
            "-cp", f"{LIB}/*", "org.gaul.s3proxy.Main", "--properties", str(conf)]
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while not _answers(endpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"S3Proxy did not start on port {port}; see {data_dir}/s3proxy.log")
        time.sleep(0.25)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def running(data_dir: Path, port: int):
    """The endpoint URL of an S3Proxy started for the block."""
    process = start(data_dir, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


if __name__ == "__main__":
    with running(Path(sys.argv[1]).resolve(), int(sys.argv[2])) as url:
        print(f"S3Proxy at {url} (access key {ACCESS_KEY}); Ctrl-C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
