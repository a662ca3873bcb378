"""Owns `media_upload:{id}`, the chunk bookkeeping of each resumable upload: who uploads, how many
bytes in what chunk size, whether it is still open, and for every received chunk the digest of its
bytes and the storage token it was written under. The Media node in Neo4j holds the upload's state;
this hash only lives while chunks come in (and a day at most, like an unfinished upload)."""
from __future__ import annotations

from dataclasses import dataclass

import redis

TTL_SECONDS = 25 * 3600  # outlives the upload's 24 h, so the purge job still finds its chunks

# KEYS: [upload]; ARGV: owner id, index, "digest token". The first bytes recorded at an index win:
# answers "new", or the value already there; "gone" / "other" / "closed" refuse.
_RECORD = """
local meta = redis.call('HMGET', KEYS[1], 'owner', 'state')
if not meta[1] then return 'gone' end
if meta[1] ~= ARGV[1] then return 'other' end
if meta[2] ~= 'open' then return 'closed' end
if redis.call('HSETNX', KEYS[1], 'c:' .. ARGV[2], ARGV[3]) == 1 then return 'new' end
return redis.call('HGET', KEYS[1], 'c:' .. ARGV[2])
"""

# KEYS: [upload]; ARGV: owner id, chunk count. Closes the upload when every chunk is in (no chunk
# can land after that); else answers the missing indexes.
_CLOSE = """
local meta = redis.call('HMGET', KEYS[1], 'owner', 'state')
if not meta[1] then return {'gone'} end
if meta[1] ~= ARGV[1] then return {'other'} end
if meta[2] ~= 'open' then return {'closed'} end
local missing = {'missing'}
for i = 0, tonumber(ARGV[2]) - 1 do
  if redis.call('HEXISTS', KEYS[1], 'c:' .. i) == 0 then table.insert(missing, i) end
end
if #missing > 1 then return missing end
redis.call('HSET', KEYS[1], 'state', 'closed')
return {'closed_now'}
"""


def upload_key(media_id: int) -> str:
    return f"media_upload:{media_id}"


@dataclass(frozen=True)
class Upload:
    owner_id: int
    total_bytes: int
    chunk_size: int
    open: bool
    chunks: dict[int, tuple[str, str]]  # index -> (digest, storage token)


class MediaUploads:
    def __init__(self, r: redis.Redis):
        """r decodes responses."""
        self.r = r
        self._record = r.register_script(_RECORD)
        self._close = r.register_script(_CLOSE)

    def start(self, media_id: int, owner_id: int, total_bytes: int, chunk_size: int) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(upload_key(media_id), mapping={
            "owner": owner_id, "total": total_bytes, "chunk_size": chunk_size, "state": "open"})
        pipe.expire(upload_key(media_id), TTL_SECONDS)
        pipe.execute()

    def get(self, media_id: int) -> Upload | None:
        fields = self.r.hgetall(upload_key(media_id))
        if not fields:
            return None
        chunks = {}
        for name, value in fields.items():
            if name.startswith("c:"):
                digest, token = value.split(" ")
                chunks[int(name[2:])] = (digest, token)
        return Upload(int(fields["owner"]), int(fields["total"]), int(fields["chunk_size"]),
                      fields["state"] == "open", chunks)

    def record(self, media_id: int, owner_id: int, index: int, digest: str, token: str) -> str:
        """'new' when these are the first bytes at index; else 'same', 'conflict', or the refusal
        'gone' / 'other' / 'closed'."""
        answer = self._record(keys=[upload_key(media_id)], args=[owner_id, index, f"{digest} {token}"])
        if answer in ("new", "gone", "other", "closed"):
            return answer
        return "same" if answer.split(" ")[0] == digest else "conflict"

    def close(self, media_id: int, owner_id: int, count: int) -> tuple[str, list[int]]:
        """('closed_now', []) when every chunk is in, ('missing', indexes), or a refusal as record's."""
        answer = self._close(keys=[upload_key(media_id)], args=[owner_id, count])
        return answer[0], [int(i) for i in answer[1:]]

    def forget(self, media_id: int) -> None:
        self.r.delete(upload_key(media_id))
