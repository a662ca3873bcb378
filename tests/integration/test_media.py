"""Media against the real Neo4j and Redis and the local store: the resumable upload, processing
(run inline by the test services), serving with ranges, tweets that carry media, and every bad
input of issue 14 refused with the contract's error and nothing kept of it."""
import io
import threading

import orjson
import pytest
from PIL import Image

from domain.clock import now_ms
from domain.ids import new_id
from domain.media import CHUNK_SIZE, MiB
from social import media
from tests import media_samples

API = "/api/v1/media"


def start(user, data_or_size, media_type="image"):
    size = data_or_size if isinstance(data_or_size, int) else len(data_or_size)
    r = user.post(API, json={"media_type": media_type, "total_bytes": size})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["media"]


def put(user, media_id, index, data, content_type="application/octet-stream"):
    return user.put(f"{API}/{media_id}/chunks/{index}", data=data, content_type=content_type)


def chunks_of(data, size=CHUNK_SIZE):
    return [data[i:i + size] for i in range(0, len(data), size)]


def upload(user, data, media_type="image"):
    """Start, send every chunk, finalize: the finalize response's media."""
    m = start(user, data, media_type)
    for i, chunk in enumerate(chunks_of(data, m["chunk_size"])):
        assert put(user, m["id"], i, chunk).status_code == 204
    r = user.post(f"{API}/{m['id']}/finalize")
    assert r.status_code == 202, r.get_json()
    return r.get_json()["media"]


def ready(user, data, media_type="image"):
    m = upload(user, data, media_type)
    got = user.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "ready", got
    return got


def error(r, status, code):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.get_json()["error"]["code"] == code, r.get_json()
    return r.get_json()["error"]


def stored_keys(services, media_id):
    root = services.settings.data_dir / "media"
    return sorted(str(p.relative_to(root)) for p in root.glob(f"*/{media_id}/*"))


# --- the chunk bookkeeping in Redis -------------------------------------------------------------

def test_chunk_bookkeeping_first_bytes_win_and_closing_needs_every_chunk(services):
    book, media_id, owner = services.media_uploads, new_id(), 7
    book.start(media_id, owner, 10, 4)
    assert book.record(media_id, owner, 1, "d1", "tok-a") == "new"
    assert book.record(media_id, owner, 1, "d1", "tok-b") == "same"
    assert book.record(media_id, owner, 1, "other", "tok-c") == "conflict"
    assert book.record(media_id, 8, 0, "d0", "tok-d") == "other"
    assert book.record(new_id(), owner, 0, "d0", "tok-e") == "gone"
    assert book.close(media_id, owner, 3) == ("missing", [0, 2])
    book.record(media_id, owner, 0, "d0", "tok-f")
    book.record(media_id, owner, 2, "d2", "tok-g")
    assert book.close(media_id, 8, 3)[0] == "other"
    assert book.close(media_id, owner, 3) == ("closed_now", [])
    assert book.close(media_id, owner, 3)[0] == "closed"
    assert book.record(media_id, owner, 2, "d2", "tok-h") == "closed"
    upload = book.get(media_id)
    assert not upload.open and upload.chunks == {0: ("d0", "tok-f"), 1: ("d1", "tok-a"), 2: ("d2", "tok-g")}
    book.forget(media_id)
    assert book.get(media_id) is None


# --- the upload ----------------------------------------------------------------------------------

def test_image_upload_is_processed_stripped_and_previewed(make_user, services):
    alice = make_user()
    photo = media_samples.jpeg_with_gps(1600, 1200)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(media_samples.GPS_IFD)
    m = start(alice, photo)
    assert m["state"] == "uploading" and m["chunk_size"] == CHUNK_SIZE and m["expires_at"]
    assert m["missing_chunks"] == [0] and m["received_bytes"] == 0
    assert put(alice, m["id"], 0, photo).status_code == 204
    r = alice.post(f"{API}/{m['id']}/finalize")
    assert r.status_code == 202 and r.get_json()["media"]["state"] == "processing"

    got = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "ready" and got["type"] == "image" and got["mime"] == "image/jpeg"
    assert (got["width"], got["height"]) == (1600, 1200)
    full = alice.get(got["url"])
    assert full.status_code == 200 and full.headers["Content-Type"] == "image/jpeg"
    im = Image.open(io.BytesIO(full.data))
    assert im.size == (1600, 1200) and not im.getexif() and "exif" not in im.info
    preview = Image.open(io.BytesIO(alice.get(got["preview_url"]).data))
    assert preview.format == "WEBP" and max(preview.size) == 640
    assert not any(k.startswith("uploads/") for k in stored_keys(services, m["id"]))


def test_multi_chunk_audio_out_of_order_with_retries_and_resume(make_user, services):
    alice = make_user()
    sound = media_samples.wav(seconds=70, rate=16000)  # 2.1 MiB: three chunks
    parts = chunks_of(sound)
    assert len(parts) == 3
    m = start(alice, sound, "audio")
    assert put(alice, m["id"], 2, parts[2]).status_code == 204
    assert put(alice, m["id"], 0, parts[0]).status_code == 204
    assert put(alice, m["id"], 0, parts[0]).status_code == 204  # a retry of the same bytes
    error(put(alice, m["id"], 0, parts[1]), 409, "chunk_conflict")
    # the connection dropped: the client asks what is missing and resumes
    status = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert status["missing_chunks"] == [1] and status["received_bytes"] == len(parts[0]) + len(parts[2])
    assert error(alice.post(f"{API}/{m['id']}/finalize"), 409, "chunks_missing")["missing_chunks"] == [1]
    assert put(alice, m["id"], 1, parts[1]).status_code == 204
    assert alice.post(f"{API}/{m['id']}/finalize").status_code == 202

    got = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "ready" and got["mime"] == "audio/wav" and got["duration_ms"] == 70000
    assert len(got["peaks"]) == 100 and max(got["peaks"]) > 40 and got["peaks"][0] < got["peaks"][-1]
    assert alice.get(got["url"]).data[:4] == b"RIFF"
    events = [orjson.loads(f.data) for f in services.user_streams.after(int(alice.id), "0-0") if f.event == "media"]
    assert [e["media"]["state"] for e in events][-1] == "ready"
    assert "processing" in [e["media"]["state"] for e in events]


def test_concurrent_chunks_of_one_upload(make_user, app):
    alice = make_user()
    sound = media_samples.wav(seconds=200, rate=16000)  # 6.1 MiB: seven chunks
    m = start(alice, sound, "audio")
    parts = chunks_of(sound)
    statuses = []

    def send(indexes):
        me = type(alice)(app, alice.username, alice.password)  # a connection of its own
        statuses.extend(put(me, m["id"], i, parts[i]).status_code for i in indexes)

    threads = [threading.Thread(target=send, args=(range(k, len(parts), 3),)) for k in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert statuses == [204] * len(parts)
    assert alice.post(f"{API}/{m['id']}/finalize").status_code == 202
    got = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "ready" and got["duration_ms"] == 200000


@pytest.mark.parametrize("make, mime", [(media_samples.mp3, "audio/mpeg"), (media_samples.ogg_opus, "audio/ogg")])
def test_compressed_audio_loses_its_tags(make_user, make, mime):
    alice = make_user()
    data = make(3.0)
    got = ready(alice, data, "audio")
    assert got["mime"] == mime and 2900 <= got["duration_ms"] <= 3200
    served = alice.get(got["url"]).data
    assert b"secret title" in data and b"secret title" not in served


def test_finalize_twice_and_chunk_after_finalize_are_conflicts(make_user):
    alice = make_user()
    m = upload(alice, media_samples.png())
    error(alice.post(f"{API}/{m['id']}/finalize"), 409, "media_already_finalized")
    error(put(alice, m["id"], 0, media_samples.png()), 409, "upload_closed")


# --- bad input -----------------------------------------------------------------------------------

def test_an_exe_renamed_png_is_refused_and_not_kept(make_user, services):
    alice = make_user()
    exe = media_samples.windows_exe()
    m = start(alice, exe)
    assert put(alice, m["id"], 0, exe).status_code == 204
    err = error(alice.post(f"{API}/{m['id']}/finalize"), 422, "media_type_mismatch")
    assert err["detected"] is None
    got = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "failed" and got["url"] is None
    assert stored_keys(services, m["id"]) == []


def test_a_png_sent_as_audio_is_a_type_mismatch(make_user):
    alice = make_user()
    data = media_samples.png()
    m = start(alice, data, "audio")
    put(alice, m["id"], 0, data)
    assert error(alice.post(f"{API}/{m['id']}/finalize"), 422, "media_type_mismatch")["detected"] == "image"


def test_a_truncated_jpeg_fails_unreadable(make_user, services):
    alice = make_user()
    photo = media_samples.jpeg_with_gps(400, 300)
    m = upload(alice, photo[: len(photo) // 2])
    got = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "failed" and got["error"]["code"] == "media_unreadable" and got["url"] is None
    assert stored_keys(services, m["id"]) == []


def test_a_png_bomb_fails_too_large_without_being_decoded(make_user):
    alice = make_user()
    bomb = media_samples.png_bomb()
    assert len(bomb) < 2 * MiB
    m = upload(alice, bomb)
    got = alice.get(f"{API}/{m['id']}").get_json()["media"]
    assert got["state"] == "failed" and got["error"]["code"] == "media_too_large"


def test_oversize_and_wrong_chunks(make_user):
    alice = make_user()
    m = start(alice, CHUNK_SIZE + 10)
    error(put(alice, m["id"], 0, b"x" * (CHUNK_SIZE + 1)), 413, "chunk_too_large")
    error(put(alice, m["id"], 1, b"x" * 11), 422, "chunk_size_mismatch")
    error(put(alice, m["id"], 2, b"x"), 400, "invalid_chunk_index")
    error(put(alice, m["id"], "-1", b"x"), 404, "chunk_not_found")
    error(put(alice, m["id"], 0, b"x", content_type="application/json"), 415, "unsupported_media_type")
    assert alice.get(f"{API}/{m['id']}").get_json()["media"]["missing_chunks"] == [0, 1]


def test_another_users_upload_is_not_found(make_user):
    alice, mallory = make_user(), make_user()
    data = media_samples.png()
    m = start(alice, data)
    error(put(mallory, m["id"], 0, data), 404, "media_not_found")
    error(mallory.get(f"{API}/{m['id']}"), 404, "media_not_found")
    error(mallory.post(f"{API}/{m['id']}/finalize"), 404, "media_not_found")
    error(mallory.get(f"{API}/123456789"), 404, "media_not_found")
    error(mallory.get(f"{API}/abc"), 404, "media_not_found")
    assert alice.get(f"{API}/{m['id']}").get_json()["media"]["missing_chunks"] == [0]


@pytest.mark.parametrize("body, status, code", [
    ({"media_type": "image", "total_bytes": 0}, 422, "invalid_total_bytes"),
    ({"media_type": "image", "total_bytes": -5}, 422, "invalid_total_bytes"),
    ({"media_type": "image", "total_bytes": 16 * MiB + 1}, 413, "media_too_large"),
    ({"media_type": "audio", "total_bytes": 64 * MiB + 1}, 413, "media_too_large"),
    ({"media_type": "video", "total_bytes": 10}, 422, "media_type_unsupported"),
    ({"media_type": "image", "total_bytes": "10"}, 400, "invalid_parameter"),
    ({"media_type": "image"}, 400, "missing_field"),
])
def test_bad_upload_starts(make_user, body, status, code):
    error(make_user().post(API, json=body), status, code)


# --- tweets with media ---------------------------------------------------------------------------

def test_tweets_carry_media_everywhere_and_take_them_with_them(make_user, services):
    alice, bob = make_user(), make_user()
    bob.post(f"/api/v1/users/{alice.username}/follow")
    pics = [ready(alice, media_samples.png(color=(i * 40, 0, 0)))["id"] for i in range(2)]
    r = alice.post("/api/v1/tweets", json={"text": "two pictures", "media_ids": pics})
    assert r.status_code == 201, r.get_json()
    tweet = r.get_json()["tweet"]
    assert [m["id"] for m in tweet["media"]] == pics and tweet["media"][0]["preview_url"]

    assert [m["id"] for m in bob.get(f"/api/v1/tweets/{tweet['id']}").get_json()["tweet"]["media"]] == pics
    profile = bob.get(f"/api/v1/users/{alice.username}/tweets").get_json()["tweets"]
    assert [m["id"] for m in profile[0]["media"]] == pics
    home = bob.get("/api/v1/feed/home").get_json()["tweets"]
    assert [m["id"] for m in home[0]["media"]] == pics
    bob.post(f"/api/v1/tweets/{tweet['id']}/like")
    (note,) = alice.get("/api/v1/notifications").get_json()["notifications"][:1]
    assert note["type"] == "like" and [m["id"] for m in note["tweet"]["media"]] == pics
    assert stored_keys(services, pics[0])

    assert alice.delete(f"/api/v1/tweets/{tweet['id']}").status_code == 204
    assert stored_keys(services, pics[0]) == [] and stored_keys(services, pics[1]) == []
    error(alice.get(f"{API}/{pics[0]}"), 404, "media_not_found")


def test_media_that_a_tweet_cannot_carry(make_user):
    alice, mallory = make_user(), make_user()
    pics = [ready(alice, media_samples.png())["id"] for _ in range(5)]
    sound = ready(alice, media_samples.wav(0.5), "audio")["id"]
    pending = start(alice, media_samples.png())["id"]
    post = lambda user, ids: user.post("/api/v1/tweets", json={"text": "media", "media_ids": ids})  # noqa: E731
    error(post(alice, pics), 422, "too_many_media")
    error(post(alice, [pics[0], sound]), 422, "media_mixed")
    error(post(alice, [sound, sound]), 422, "duplicate_media")
    error(post(alice, [pending]), 422, "media_not_ready")
    error(post(mallory, [pics[0]]), 422, "media_not_found")
    error(post(alice, ["nonsense"]), 422, "media_not_found")
    assert alice.get(f"/api/v1/users/{alice.username}").get_json()["user"]["tweets_count"] == 0
    assert post(alice, [sound]).get_json()["tweet"]["media"][0]["type"] == "audio"
    assert post(alice, pics[:4]).status_code == 201


# --- serving -------------------------------------------------------------------------------------

def test_files_are_served_with_ranges_etag_and_immutable_caching(make_user, client):
    alice = make_user()
    got = ready(alice, media_samples.wav(2.0), "audio")
    whole = client.get(got["url"])
    size = len(whole.data)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Type"] == "audio/wav" and whole.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in whole.headers["Cache-Control"] and whole.headers["ETag"]

    part = client.get(got["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == whole.data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{size}"
    tail = client.get(got["url"], headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.data == whole.data[-5:]
    for bad in ("bytes=abc", "bytes=20-10", f"bytes={size}-", "bytes=0-1,4-5", "pages=1-2"):
        r = client.get(got["url"], headers={"Range": bad})
        error(r, 416, "range_not_satisfiable")
        assert r.headers["Content-Range"] == f"bytes */{size}"
    assert client.get(got["url"], headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304
    stale = client.get(got["url"], headers={"Range": "bytes=0-3", "If-Range": '"other"'})
    assert stale.status_code == 200 and len(stale.data) == size
    error(client.get(got["url"].replace(".wav", ".exe")), 404, "media_not_found")


def test_unfinished_and_unready_uploads_are_not_served(make_user, client):
    alice = make_user()
    m = start(alice, media_samples.png())
    error(client.get(f"/media/{m['id']}/anything.png"), 404, "media_not_found")


# --- the purge -----------------------------------------------------------------------------------

def test_unfinished_uploads_are_purged_after_a_day(make_user, services):
    alice = make_user()
    old_id = new_id()
    two_days_ago = now_ms() - 2 * 86400_000
    services.media_uploads.start(old_id, int(alice.id), 10, CHUNK_SIZE)
    services.media.create(old_id, int(alice.id), "image", 10, CHUNK_SIZE, two_days_ago, two_days_ago + 86400_000)
    assert put(alice, old_id, 0, b"0123456789").status_code == 204
    fresh = start(alice, media_samples.png())
    done = ready(alice, media_samples.png())
    assert stored_keys(services, old_id)

    assert media.purge_stale(services) >= 1
    error(alice.get(f"{API}/{old_id}"), 404, "media_not_found")
    assert stored_keys(services, old_id) == [] and services.media_uploads.get(old_id) is None
    assert alice.get(f"{API}/{fresh['id']}").status_code == 200
    assert alice.get(f"{API}/{done['id']}").status_code == 200
