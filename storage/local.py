"""Media on the local filesystem, one file per key under a root folder (DATA_DIR/media)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from storage import BLOCK


class LocalStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def put(self, key: str, blocks: Iterable[bytes]) -> None:
        """Written to a temporary file beside the target, then renamed over it: readers never see half."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                for block in blocks:
                    out.write(block)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    def put_file(self, key: str, path: Path) -> None:
        with open(path, "rb") as f:
            self.put(key, iter(lambda: f.read(BLOCK), b""))

    def read(self, key: str, first: int = 0, last: int | None = None) -> Iterator[bytes]:
        f = open(self._path(key), "rb")  # opened now, so that a missing file fails here, not mid-response

        def blocks():
            with f:
                f.seek(first)
                left = None if last is None else last - first + 1
                while left is None or left > 0:
                    block = f.read(BLOCK if left is None else min(BLOCK, left))
                    if not block:
                        return
                    if left is not None:
                        left -= len(block)
                    yield block

        return blocks()

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix.rstrip("/")), ignore_errors=True)
