"""Where media bytes live, behind one small interface: the local filesystem for one machine
(`make run`, the tests), S3-compatible object storage for a deployment of several web nodes."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Protocol

from settings import Settings

BLOCK = 256 * 1024  # bytes per read when streaming a stored file out


class BlobStore(Protocol):
    def put(self, key: str, blocks: Iterable[bytes]) -> None:
        """Writes the blocks under key as they come (never the whole object in memory); the object
        appears whole or not at all."""

    def put_file(self, key: str, path: Path) -> None: ...

    def read(self, key: str, first: int = 0, last: int | None = None) -> Iterator[bytes]:
        """The bytes first..last (inclusive; last None: to the end), in blocks."""

    def size(self, key: str) -> int | None: ...

    def local_path(self, key: str) -> Path | None:
        """The file itself when the store is this machine's filesystem (served with sendfile)."""

    def delete(self, keys: Iterable[str]) -> None:
        """Missing keys are no error."""

    def delete_prefix(self, prefix: str) -> None: ...


def open_store(settings: Settings) -> BlobStore:
    if settings.media_storage == "s3":
        from storage.s3 import S3Store

        return S3Store(settings.s3_endpoint_url, settings.s3_bucket, settings.s3_access_key_id,
                       settings.s3_secret_access_key, settings.s3_region)
    from storage.local import LocalStore

    return LocalStore(settings.data_dir / "media")
