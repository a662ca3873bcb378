"""Use cases of media: a resumable chunked upload (start, put chunks, finalize), its processing
job, the files a tweet may carry, and the cleanup of what nothing uses (docs/media.md)."""
from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Protocol

import orjson

from domain.clock import now_ms
from domain.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable
from domain.events import MediaFinalized, envelop
from domain.ids import new_id
from domain.media import (AUDIO, IMAGE, KINDS, SNIFF_BYTES, UPLOAD_TTL_MS, chunk_count, chunk_length, missing_chunks,
                          sniff)
from social import ports
from social.media_files import Processed, Rejected, process_audio, process_image



class MediaPorts(Protocol):
    """Uploads in the graph, their chunk bookkeeping, the bytes, the event publisher and the
    uploader's live stream."""

    media_chunk_size: int
    media: ports.MediaStore
    media_uploads: ports.MediaUploadBook
    blobs: ports.BlobStore
    bus: ports.EventPublisher
    user_streams: ports.UserStreams


log = logging.getLogger(__name__)
STALE_BATCH = 500
TWEET_MEDIA_FIELDS = ("type", "mime", "url", "preview_url", "width", "height", "duration_ms", "peaks")


def _not_found() -> NotFound:
    return NotFound("media_not_found", "No such media.")


def chunk_key(media_id: int, index: int, token: str) -> str:
    return f"uploads/{media_id}/{index}-{token}"


def file_key(media_id: int, name: str) -> str:
    return f"media/{media_id}/{name}"


def _public(svc: MediaPorts, media: dict) -> dict:
    """The contract's media object; an open upload tells which chunks it still lacks."""
    m = {
        "id": str(media["id"]), "state": media["state"], "type": media.get("type") or media["requested_type"],
        "mime": media.get("mime"), "url": media.get("url"), "preview_url": media.get("preview_url"),
        "width": media.get("width"), "height": media.get("height"), "duration_ms": media.get("duration_ms"),
        "peaks": media.get("peaks"), "total_bytes": media["total_bytes"], "chunk_size": media["chunk_size"],
        "expires_at": media["expires_at"], "received_bytes": media["total_bytes"], "missing_chunks": [],
    }
    if media["state"] == "uploading":
        upload = svc.media_uploads.get(media["id"])
        received = set(upload.chunks) if upload else set()
        m["missing_chunks"] = missing_chunks(media["total_bytes"], media["chunk_size"], received)
        m["received_bytes"] = sum(chunk_length(i, media["total_bytes"], media["chunk_size"]) for i in received)
    if media.get("error_code"):
        m["error"] = {"code": media["error_code"], "message": media.get("error_message")}
    return m


def _owned(svc: MediaPorts, user_id: int, media_id: int) -> dict:
    row = svc.media.get(media_id)
    if row is None or row["owner_id"] != user_id:
        raise _not_found()
    return row["media"]


def start_upload(svc: MediaPorts, user_id: int, media_type: str, total_bytes: int) -> dict:
    kind = KINDS.get(media_type)
    if kind is None:
        raise Unprocessable("media_type_unsupported", "media_type must be image or audio.", field="media_type")
    if total_bytes <= 0:
        raise Unprocessable("invalid_total_bytes", "total_bytes must be a positive number of bytes.",
                            field="total_bytes")
    if total_bytes > kind.max_bytes:
        raise PayloadTooLarge("media_too_large", f"A {kind.name} may have at most {kind.max_bytes} bytes.",
                              limit=kind.max_bytes)
    media_id, now = new_id(), now_ms()
    chunk_size = svc.media_chunk_size
    svc.media_uploads.start(media_id, user_id, total_bytes, chunk_size)
    row = svc.media.create(media_id, user_id, kind.name, total_bytes, chunk_size, now, now + UPLOAD_TTL_MS)
    return _public(svc, row["media"])


def get_media(svc: MediaPorts, user_id: int, media_id: int) -> dict:
    return _public(svc, _owned(svc, user_id, media_id))


def _refusal(svc: MediaPorts, user_id: int, media_id: int, answer: str):
    if answer in ("gone", "other"):
        row = svc.media.get(media_id)
        if answer == "other" or row is None or row["owner_id"] != user_id:
            return _not_found()
    return Conflict("upload_closed", "This upload takes no more chunks: it was finalized or has expired.")


def _limited(blocks: Iterable[bytes], limit: int, digest) -> Iterator[bytes]:
    """Passes blocks through while hashing them; refuses more than limit bytes."""
    seen = 0
    for block in blocks:
        seen += len(block)
        if seen > limit:
            raise PayloadTooLarge("chunk_too_large", f"A chunk may have at most {limit} bytes.", limit=limit)
        digest.update(block)
        yield block


def put_chunk(svc: MediaPorts, user_id: int, media_id: int, index: int, blocks: Iterable[bytes]) -> None:
    """Streams the chunk to storage under a key of its own, then records it: the first bytes at an
    index win; the same bytes again are fine, others are a conflict (and what was written goes)."""
    upload = svc.media_uploads.get(media_id)
    if upload is None or upload.owner_id != user_id:
        raise _refusal(svc, user_id, media_id, "gone" if upload is None else "other")
    if not upload.open:
        raise _refusal(svc, user_id, media_id, "closed")
    count = chunk_count(upload.total_bytes, upload.chunk_size)
    if not 0 <= index < count:
        raise BadRequest("invalid_chunk_index", f"This upload has chunks 0 to {count - 1}.", field="index")
    expected = chunk_length(index, upload.total_bytes, upload.chunk_size)
    digest = hashlib.sha256()
    token = secrets.token_hex(8)
    key = chunk_key(media_id, index, token)
    svc.blobs.put(key, _limited(blocks, upload.chunk_size, digest))
    size = svc.blobs.size(key)
    if size != expected:
        svc.blobs.delete([key])
        raise Unprocessable("chunk_size_mismatch", f"Chunk {index} must have exactly {expected} bytes.",
                            expected=expected, received=size)
    answer = svc.media_uploads.record(media_id, user_id, index, digest.hexdigest(), token)
    if answer == "new":
        return
    svc.blobs.delete([key])
    if answer == "same":
        return
    if answer == "conflict":
        raise Conflict("chunk_conflict", f"Chunk {index} was already received with other bytes.", index=index)
    raise _refusal(svc, user_id, media_id, answer)


def finalize(svc: MediaPorts, user_id: int, media_id: int) -> dict:
    """Closes the upload once every chunk is in and checks that its first bytes are of the announced
    kind; processing then runs in the consumers (the MediaFinalized event, recorded with the change)."""
    media = _owned(svc, user_id, media_id)
    if media["state"] != "uploading":
        raise Conflict("media_already_finalized", f"This upload is already {media['state']}.", state=media["state"])
    count = chunk_count(media["total_bytes"], media["chunk_size"])
    answer, missing = svc.media_uploads.close(media_id, user_id, count)
    if answer == "missing":
        raise Conflict("chunks_missing", f"{len(missing)} chunk(s) have not arrived.", missing_chunks=missing)
    if answer != "closed_now":
        raise Conflict("upload_closed", "This upload was finalized or has expired.")
    upload = svc.media_uploads.get(media_id)
    digest_token = upload.chunks[0][1]
    head = b"".join(svc.blobs.read(chunk_key(media_id, 0, digest_token), 0, SNIFF_BYTES - 1))
    found = sniff(head)
    if found is None or found[0] != media["requested_type"]:
        _fail(svc, media_id, ("uploading",), "media_type_mismatch", "")
        raise Unprocessable("media_type_mismatch",
                            f"The file is not a supported {media['requested_type']} "
                            f"(its content is {found[1] if found else 'of no supported type'}).",
                            detected=found[0] if found else None)
    event = envelop(MediaFinalized(media_id, user_id))
    row = svc.media.transition(media_id, ("uploading",), {"state": "processing", "type": found[0], "mime": found[1]},
                               event)
    public = _public(svc, row["media"])
    _push(svc, user_id, public, "processing")
    svc.bus.publish(event)
    return public


def _push(svc: MediaPorts, user_id: int, media: dict, stage: str) -> None:
    data = orjson.dumps({"type": "media", "media": media}).decode()
    svc.user_streams.push([(user_id, f"media:{media['id']}:{stage}", now_ms(), "media", data)])


def _fail(svc: MediaPorts, media_id: int, from_states: tuple[str, ...], code: str, message: str) -> dict | None:
    row = svc.media.transition(media_id, from_states, {"state": "failed", "error_code": code, "error_message": message})
    svc.blobs.delete_prefix(f"uploads/{media_id}/")
    svc.media_uploads.forget(media_id)
    return row


def _assemble(svc: MediaPorts, media_id: int, into: Path) -> None:
    upload = svc.media_uploads.get(media_id)
    with open(into, "wb") as out:
        for index in sorted(upload.chunks):
            for block in svc.blobs.read(chunk_key(media_id, index, upload.chunks[index][1])):
                out.write(block)


def _store(svc: MediaPorts, media_id: int, done: Processed) -> dict:
    """Writes the processed files under names made of their digest (so a URL's bytes never change)."""
    with open(done.path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()[:20]
    name = f"{digest}.{done.path.suffix.lstrip('.')}"
    svc.blobs.put_file(file_key(media_id, name), done.path)
    props = {"state": "ready", "mime": done.mime, "file": name, "size": done.path.stat().st_size,
             "url": f"/media/{media_id}/{name}", "width": done.width, "height": done.height,
             "duration_ms": done.duration_ms, "peaks": done.peaks or None}
    if done.preview is not None:
        preview = f"{digest}-preview.webp"
        svc.blobs.put_file(file_key(media_id, preview), done.preview)
        props.update(preview=preview, preview_url=f"/media/{media_id}/{preview}")
    return props


def process(svc: MediaPorts, media_id: int) -> None:
    """The processing job: the bytes decide the type; the uploader's stream hears of progress and the end."""
    row = svc.media.get(media_id)
    if row is None or row["media"]["state"] != "processing":
        return
    owner_id, media = row["owner_id"], row["media"]
    work = Path(tempfile.mkdtemp(prefix=f"media-{media_id}-"))
    try:
        src = work / "upload"
        _assemble(svc, media_id, src)
        _push(svc, owner_id, {**_public(svc, media), "progress": 0.3}, "assembled")
        with open(src, "rb") as f:
            found = sniff(f.read(SNIFF_BYTES))
        if found is None or found[0] != media["requested_type"]:
            raise Rejected("media_type_mismatch", f"The file is not a supported {media['requested_type']}.")
        kind, mime = found
        done = (process_audio if kind == AUDIO.name else process_image)(src, mime, work)
        _push(svc, owner_id, {**_public(svc, media), "progress": 0.8}, "decoded")
        props = _store(svc, media_id, done)
        row = svc.media.transition(media_id, ("processing",), {**props, "type": kind})
        if row is None:  # purged meanwhile
            svc.blobs.delete_prefix(f"media/{media_id}/")
            return
        svc.blobs.delete_prefix(f"uploads/{media_id}/")
        svc.media_uploads.forget(media_id)
    except Rejected as err:
        row = _fail(svc, media_id, ("processing",), err.code, err.message)
    except Exception:
        log.exception("processing media %s failed", media_id)
        row = _fail(svc, media_id, ("processing",), "media_unreadable", "The file could not be processed.")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if row is not None:
        _push(svc, owner_id, _public(svc, row["media"]), row["media"]["state"])


def check_attachable(svc: MediaPorts, author_id: int, media_ids: list[int]) -> list[int]:
    """The ids a tweet may carry: the author's own ready media, up to 4 images or 1 audio."""
    if not media_ids:
        return []
    if len(media_ids) > IMAGE.per_tweet:
        raise Unprocessable("too_many_media", f"A tweet carries at most {IMAGE.per_tweet} media.", limit=IMAGE.per_tweet)
    if len(set(media_ids)) != len(media_ids):
        raise Unprocessable("duplicate_media", "A tweet carries each media once.")
    found = {r["id"]: r for r in svc.media.attachable(author_id, media_ids)}
    unknown = [str(i) for i in media_ids if i not in found]
    if unknown:
        raise Unprocessable("media_not_found", "Some media_ids are not media of yours.", media_ids=unknown)
    pending = [str(i) for i in media_ids if found[i]["state"] != "ready"]
    if pending:
        raise Unprocessable("media_not_ready", "Some media are still processing or failed.", media_ids=pending)
    kinds = {found[i]["type"] for i in media_ids}
    if len(kinds) > 1:
        raise Unprocessable("media_mixed", "A tweet carries images or audio, not both.")
    limit = KINDS[kinds.pop()].per_tweet
    if len(media_ids) > limit:
        raise Unprocessable("too_many_media", f"A tweet carries at most {limit} of these.", limit=limit)
    return media_ids


def release(svc: MediaPorts, media_ids: list[int]) -> None:
    """After a tweet's deletion: its media that no other tweet carries go, files and all."""
    for media_id in svc.media.release(media_ids) if media_ids else []:
        svc.blobs.delete_prefix(f"media/{media_id}/")


def purge_stale(svc: MediaPorts) -> int:
    """The scheduled job: uploads not ready a day after they began are deleted with their chunks."""
    purged = 0
    while ids := svc.media.stale(now_ms(), STALE_BATCH):
        for media_id in svc.media.delete_unready(ids):
            svc.media_uploads.forget(media_id)
            svc.blobs.delete_prefix(f"uploads/{media_id}/")
            svc.blobs.delete_prefix(f"media/{media_id}/")
            purged += 1
        if len(ids) < STALE_BATCH:
            break
    return purged


def served_file(svc: MediaPorts, media_id: int, name: str) -> dict:
    """{key, size, mime} of a ready media's file or preview, by its public name."""
    row = svc.media.get(media_id)
    media = row["media"] if row else None
    if media is None or media["state"] != "ready" or name not in (media.get("file"), media.get("preview")):
        raise _not_found()
    mime = media["mime"] if name == media["file"] else "image/webp"
    size = media["size"] if name == media["file"] else svc.blobs.size(file_key(media_id, name))
    return {"key": file_key(media_id, name), "size": size, "mime": mime}
