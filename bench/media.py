"""Media (issue 14): a 32 MiB audio upload in 1 MiB chunks (MB/s, and the web workers' peak RSS,
which must stay flat: chunks are streamed to storage, never buffered whole), finalize-to-ready for
a 12-megapixel JPEG and a 5-minute MP3, and Range-request throughput of the audio file next to the
same file served by a plain static file server (Python's http.server) in the same run.
BENCH_MEDIA_MIB makes the upload smaller for a quick run."""
from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

import numpy as np
import requests
from PIL import Image

from bench.core import Context, bearer_token, children, pid_of, rss_mb

MiB = 1024 * 1024
PASSWORD = "bench-password"


def _wav(total_bytes: int, rate: int = 44100) -> bytes:
    """A mono 16-bit WAV of about total_bytes: a slow sweep, so the waveform is not flat."""
    frames = (total_bytes - 44) // 2
    t = np.arange(frames) / rate
    signal = 12000 * np.sin(2 * np.pi * (200 + 50 * t) * t) * (0.5 + 0.5 * np.sin(t / 7))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(signal.astype("<i2").tobytes())
    return out.getvalue()


def _jpeg_12mp() -> bytes:
    rng = np.random.default_rng(7)
    base = np.linspace(0, 255, 4000, dtype=np.float32)[None, :, None] * np.ones((3000, 1, 3), np.float32)
    noise = rng.normal(0, 18, (3000, 4000, 3)).astype(np.float32)
    out = io.BytesIO()
    Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _mp3(seconds: int) -> bytes:
    sound = _wav(seconds * 22050 * 2 + 44, rate=22050)
    return subprocess.run(["ffmpeg", "-v", "error", "-f", "wav", "-i", "-", "-c:a", "libmp3lame", "-b:a", "128k",
                           "-f", "mp3", "-"], input=sound, capture_output=True, check=True).stdout


class Uploader:
    def __init__(self, web_url: str):
        self.api = f"{web_url}/api/v1"
        username = "media" + secrets.token_hex(4)
        requests.post(f"{self.api}/auth/register", json={"username": username, "password": PASSWORD},
                      timeout=30).raise_for_status()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {bearer_token(web_url, username, PASSWORD)}"

    def send(self, data: bytes, media_type: str) -> dict:
        r = self.http.post(f"{self.api}/media", json={"media_type": media_type, "total_bytes": len(data)}, timeout=30)
        r.raise_for_status()
        media = r.json()["media"]
        size = media["chunk_size"]
        for index in range(0, -(-len(data) // size)):
            self.http.put(f"{self.api}/media/{media['id']}/chunks/{index}", data=data[index * size:(index + 1) * size],
                          headers={"Content-Type": "application/octet-stream"}, timeout=60).raise_for_status()
        return media

    def finalize_until_ready(self, media_id: str, timeout: float = 600) -> tuple[float, dict]:
        started = time.perf_counter()
        self.http.post(f"{self.api}/media/{media_id}/finalize", timeout=60).raise_for_status()
        while time.perf_counter() - started < timeout:
            media = self.http.get(f"{self.api}/media/{media_id}", timeout=30).json()["media"]
            if media["state"] in ("ready", "failed"):
                return time.perf_counter() - started, media
            time.sleep(0.05)
        raise TimeoutError(f"media {media_id} not ready after {timeout}s")


class PeakRss:
    """Samples the web workers' resident memory every 20 ms while the block runs."""

    def __init__(self, data_dir: Path):
        master = pid_of(data_dir, "web")
        self.pids = children(master) if master else []
        self.before = sum(rss_mb(p) for p in self.pids)
        self.peak = self.before
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, sum(rss_mb(p) for p in self.pids))
            except (FileNotFoundError, ProcessLookupError):
                return

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _static_server(folder: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except requests.ConnectionError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the static file server did not start")


def _mb_per_s(url: str, headers: dict | None = None, seconds: int = 8) -> float:
    """Loopback throughput with wrk (2 threads, 8 connections), in MB/s of response bodies."""
    script = None
    if headers:
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text("".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items()))
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", *(["-s", str(script)] if script else []), url],
                         capture_output=True, text=True, check=True).stdout
    if script:
        script.unlink()
    value, unit = out.split("Transfer/sec:")[1].split()[0][:-2], out.split("Transfer/sec:")[1].split()[0][-2:]
    return round(float(value) * {"KB": 1 / 1024, "MB": 1, "GB": 1024}[unit], 1)


def run(ctx: Context) -> None:
    mib = int(os.environ.get("BENCH_MEDIA_MIB", "32"))
    up = Uploader(ctx.web_url)

    sound = _wav(mib * MiB)
    with PeakRss(ctx.data_dir) as rss:
        started = time.perf_counter()
        media = up.send(sound, "audio")
        seconds = time.perf_counter() - started
    ctx.add(f"upload {mib} MiB audio in 1 MiB chunks", round(len(sound) / MiB / seconds, 1), "MB/s",
            note=f"{-(-len(sound) // MiB)} sequential PUTs, one connection")
    grew = round(rss.peak - rss.before, 1)
    ctx.add("web workers' RSS growth during the upload", grew, "MB", goal="< 16 (flat: streamed)", met=grew < 16,
            note=f"{rss.before} MB before, {rss.peak} MB at the peak, summed over {len(rss.pids)} workers")
    _, ready = up.finalize_until_ready(media["id"])

    for label, data, kind in (("12-megapixel JPEG", _jpeg_12mp(), "image"), ("5-minute MP3", _mp3(300), "audio")):
        m = up.send(data, kind)
        took, done = up.finalize_until_ready(m["id"])
        ctx.add(f"finalize to ready: {label}", round(took, 2), "s", note=f"{len(data) / MiB:.1f} MiB, {done['state']}")

    file_url = ctx.web_url + ready["url"]
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "audio.wav").write_bytes(requests.get(file_url, timeout=60).content)
        port = int(ctx.web_url.rsplit(":", 1)[1]) + 7
        server = _static_server(Path(folder), port)
        try:
            one_mib = {"Range": f"bytes=0-{MiB - 1}"}
            ours = _mb_per_s(file_url, one_mib)
            ours_whole = _mb_per_s(file_url)
            plain = _mb_per_s(f"http://127.0.0.1:{port}/audio.wav")
        finally:
            server.terminate()
            server.wait()
    ctx.add("Range requests (1 MiB) of the audio file", ours, "MB/s")
    ctx.add("the whole audio file from the app", ours_whole, "MB/s")
    ctx.add("the whole audio file from http.server", plain, "MB/s", note="a plain static file server, same run")
    ctx.add("app Range throughput / static server", round(ours / plain, 2) if plain else "n/a", "x")
