"""Media rules as pure values: limits per kind, the type told by a file's first bytes, the chunk
arithmetic of a resumable upload, and the one byte range a `Range` header asks for."""
from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import RangeNotSatisfiable

MiB = 1024 * 1024
CHUNK_SIZE = MiB
UPLOAD_TTL_MS = 24 * 3600 * 1000
SNIFF_BYTES = 64  # every signature below is told by this many leading bytes


@dataclass(frozen=True)
class Kind:
    name: str  # image | audio
    max_bytes: int
    max_pixels: int = 0
    max_duration_ms: int = 0
    per_tweet: int = 1


IMAGE = Kind("image", 16 * MiB, max_pixels=40_000_000, per_tweet=4)
AUDIO = Kind("audio", 64 * MiB, max_duration_ms=15 * 60 * 1000, per_tweet=1)
KINDS = {k.name: k for k in (IMAGE, AUDIO)}

# The mime types served, and the extension of the file stored for each.
EXTENSIONS = {
    "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif",
    "audio/mpeg": "mp3", "audio/ogg": "ogg", "audio/wav": "wav", "audio/flac": "flac",
}


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, mime) told by a file's leading bytes, or None for anything else (an .exe named .png)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"fLaC"):
        return "audio", "audio/flac"
    if head.startswith(b"OggS") and b"OpusHead" in head:
        return "audio", "audio/ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "audio", "audio/mpeg"  # an ID3 tag, or an MPEG audio frame sync with a layer set
    return None


def chunk_count(total_bytes: int, chunk_size: int) -> int:
    return -(-total_bytes // chunk_size)


def chunk_length(index: int, total_bytes: int, chunk_size: int) -> int:
    """The exact length of chunk `index`: chunk_size, except the last one, which holds the rest."""
    return min(chunk_size, total_bytes - index * chunk_size)


def missing_chunks(total_bytes: int, chunk_size: int, received: set[int]) -> list[int]:
    return [i for i in range(chunk_count(total_bytes, chunk_size)) if i not in received]


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a single-range `Range` header, None when there is no
    header (the whole file); RangeNotSatisfiable when it is malformed, inverted, past the end or multiple."""
    if header is None:
        return None
    m = _RANGE.fullmatch(header.strip())
    if m is None or (not m[1] and not m[2]):
        raise RangeNotSatisfiable()
    if not m[1]:  # a suffix: the last n bytes
        n = int(m[2])
        if n == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - n), size - 1
    first = int(m[1])
    last = int(m[2]) if m[2] else size - 1
    if first > last or first >= size:
        raise RangeNotSatisfiable()
    return first, min(last, size - 1)
