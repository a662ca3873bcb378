"""The S3 storage backend against a real S3-compatible server: S3Proxy, started here from the jars
that stack/s3proxy/pom.xml gathers, on a free port."""
import dataclasses
import os
import sys
from pathlib import Path

import pytest

from jobs.handlers import InlineEvents
from storage.s3 import S3Store
from tests import media_samples
from tests.integration.test_media import API, chunks_of, error, put, start
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "stack" / "s3proxy"))
import s3proxy  # noqa: E402


@pytest.fixture(scope="module")
def s3_endpoint(services):
    with s3proxy.running(services.settings.data_dir / "s3proxy", s3proxy.free_port()) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def s3(s3_endpoint):
    store = S3Store(s3_endpoint, "media-test", s3proxy.ACCESS_KEY, s3proxy.SECRET_KEY, "us-east-1")
    store.ensure_bucket()
    return store


def test_s3_store_streams_writes_reads_ranges_and_deletes(s3):
    data = os.urandom(3 * 1024 * 1024 + 17)
    s3.put("t/big", (data[i:i + 65536] for i in range(0, len(data), 65536)))
    assert s3.size("t/big") == len(data)
    assert b"".join(s3.read("t/big")) == data
    assert b"".join(s3.read("t/big", 100, 199)) == data[100:200]
    assert b"".join(s3.read("t/big", len(data) - 5)) == data[-5:]
    s3.put("t/small", [b"abc"])
    s3.delete(["t/small", "t/never-there"])
    assert s3.size("t/small") is None
    s3.put("t/dir/a", [b"1"])
    s3.put("t/dir/b", [b"2"])
    s3.delete_prefix("t/dir/")
    assert s3.size("t/dir/a") is None and s3.size("t/dir/b") is None and s3.size("t/big") == len(data)


def test_an_upload_through_the_api_lands_in_the_bucket(services, s3, make_user):
    on_s3 = dataclasses.replace(services, blobs=s3)
    on_s3.bus = InlineEvents(on_s3)  # processing, run inline, must see the bucket too
    app = create_app(services=on_s3)  # shares the session's clients: nothing of its own to close
    user = make_user()
    alice = type(user)(app, user.username, user.password)  # signed in to the app on S3
    sound = media_samples.wav(seconds=40, rate=16000)  # two chunks
    m = start(alice, sound, "audio")
    parts = chunks_of(sound)
    assert put(alice, m["id"], 1, parts[1]).status_code == 204
    assert put(alice, m["id"], 0, parts[0]).status_code == 204
    error(put(alice, m["id"], 0, bytes(len(parts[0]))), 409, "chunk_conflict")
    assert alice.post(f"{API}/{m['id']}/finalize").status_code == 202
    got = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "ready" and got["duration_ms"] == 40000
    key = f"media/{m['id']}/{got['url'].rsplit('/', 1)[1]}"
    served = alice.get(got["url"]).data
    assert served[:4] == b"RIFF" and s3.size(key) == len(served)
    assert alice.get(got["url"], headers={"Range": "bytes=8-11"}).data == b"WAVE"
    assert not list(s3.s3.list_objects_v2(Bucket=s3.bucket, Prefix=f"uploads/{m['id']}/").get("Contents", []))
