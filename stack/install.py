"""Install what the stack needs and is missing: the venv, the Neo4j jars, Debian's packages.
Each part is skipped in milliseconds when already in place."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from stack.config import ROOT, VENV_BIN, Stack, StackError

REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "requirements-dev.txt")
NEO4J_POM = ROOT / "stack" / "neo4j" / "pom.xml"
NEO4J_LIB = ROOT / "stack" / "neo4j" / "target" / "lib"
# Debian packages, each with the file that tells it is installed. The tests also need Chromium:
# Playwright drives Debian's build, since it cannot download a browser of its own here.
STACK_PACKAGES = {"redis-server": Path("/usr/bin/redis-server"), "redis-tools": Path("/usr/bin/redis-cli"),
                  "ffmpeg": Path("/usr/bin/ffprobe")}  # media: audio probing, remux, waveform
TEST_PACKAGES = {**STACK_PACKAGES, "chromium": Path("/usr/bin/chromium")}
BENCH_PACKAGES = {**STACK_PACKAGES, "wrk": Path("/usr/bin/wrk")}
BALANCER_PACKAGES = {"haproxy": Path("/usr/sbin/haproxy")}
# Wait for another apt-get or dpkg (of another developer's stack, say) instead of failing at once.
APT_LOCK_SECONDS = 600


def packages_for(stack: Stack, packages: dict[str, Path] = STACK_PACKAGES) -> dict[str, Path]:
    """The packages this instance needs: HAProxy too when it runs several web nodes."""
    return {**packages, **(BALANCER_PACKAGES if stack.web_nodes > 1 else {})}


def install(packages: dict[str, Path] = STACK_PACKAGES) -> None:
    ensure_venv()
    ensure_neo4j_jars()
    ensure_debian_packages(packages)


def ensure_venv() -> None:
    """Create .venv and install requirements-dev.txt, again whenever a requirements file changes."""
    stamp = ROOT / ".venv" / "requirements.sha256"
    digest = sha256_of(*REQUIREMENTS)
    if stamp.exists() and stamp.read_text() == digest:
        return
    if sys.version_info < (3, 11):
        raise StackError(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    with timed("python venv + requirements-dev.txt"):
        if not (VENV_BIN / "python").exists():
            sh([sys.executable, "-m", "venv", str(ROOT / ".venv")])
        sh([str(VENV_BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
            "-r", str(ROOT / "requirements-dev.txt")])
    stamp.write_text(digest)


def ensure_neo4j_jars() -> None:
    """Gather the Neo4j server and Browser jars with Maven, again whenever pom.xml changes."""
    stamp = NEO4J_LIB.parent / "lib.sha256"
    digest = sha256_of(NEO4J_POM)
    if NEO4J_LIB.is_dir() and stamp.exists() and stamp.read_text() == digest:
        return
    for tool in ("java", "mvn"):
        if not shutil.which(tool):
            raise StackError(f"`{tool}` is missing: Neo4j needs a Java 17 JDK and Maven")
    with timed("Neo4j jars (mvn package)"):
        shutil.rmtree(NEO4J_LIB, ignore_errors=True)
        sh(["mvn", "-q", "-B", "-f", str(NEO4J_POM), "package"])
    stamp.write_text(digest)


def ensure_debian_packages(packages: dict[str, Path]) -> None:
    """apt-get install the packages whose file is missing; we run their binaries, not services."""
    missing = sorted({name for name, path in packages.items() if not path.exists()})
    if not missing:
        return
    if os.geteuid() != 0:
        raise StackError(f"missing Debian packages: apt-get install {' '.join(missing)}")
    with timed(f"{' '.join(missing)} (apt-get)"), services_not_started():
        apt_get("update", "-qq")
        apt_get("install", "-y", "-qq", *missing)


def apt_get(*args: str) -> None:
    """apt-get, waiting for another apt-get or dpkg to finish instead of failing on its lock:
    DPkg::Lock::Timeout waits for dpkg's lock, and a retry waits for the package lists' lock
    (`apt-get update`), which that option does not cover."""
    argv = ["apt-get", "-o", f"DPkg::Lock::Timeout={APT_LOCK_SECONDS}", *args]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + APT_LOCK_SECONDS
    while True:
        result = quietly(argv, env=env)
        if not result.returncode:
            return
        if "Could not get lock" not in result.stdout or time.monotonic() > deadline:
            raise failed(argv, result)
        print("apt-get: waiting for another apt-get to finish ...", flush=True)
        time.sleep(5)


@contextlib.contextmanager
def services_not_started():
    """Debian starts a package's service on install (redis-server would take port 6379) unless
    policy-rc.d says no; say no for the length of our install where the machine does not already."""
    policy = Path("/usr/sbin/policy-rc.d")
    if policy.exists():
        yield
        return
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    try:
        yield
    finally:
        policy.unlink(missing_ok=True)


def sha256_of(*paths: Path) -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in paths)).hexdigest()


def sh(argv: list[str], **kwargs) -> None:
    """Run an install step quietly; on failure show its output and raise a StackError."""
    result = quietly(argv, **kwargs)
    if result.returncode:
        raise failed(argv, result)


def quietly(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", **kwargs)


def failed(argv: list[str], result: subprocess.CompletedProcess) -> StackError:
    print(result.stdout[-20000:], file=sys.stderr)
    return StackError(f"`{' '.join(argv)}` failed with exit code {result.returncode}")


@contextlib.contextmanager
def timed(what: str):
    started = time.monotonic()
    print(f"installing {what} ...", flush=True)
    yield
    print(f"installed {what} in {time.monotonic() - started:.1f}s", flush=True)
