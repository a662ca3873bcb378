"""Media in an S3-compatible bucket (AWS S3, MinIO, S3Proxy), through boto3."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from storage import BLOCK


class _BlockReader(io.RawIOBase):
    """A read-only file over an iterator of blocks, so boto3 streams the upload as it comes."""

    def __init__(self, blocks: Iterable[bytes]):
        self._blocks = iter(blocks)
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            self._rest = next(self._blocks, None)
            if self._rest is None:
                self._rest = b""
                return 0
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


class S3Store:
    def __init__(self, endpoint_url: str | None, bucket: str, access_key_id: str | None,
                 secret_access_key: str | None, region: str):
        self.bucket = bucket
        self.s3 = boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region,
            aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3},
                          connect_timeout=3, read_timeout=30,
                          request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"),
        )

    def ensure_bucket(self) -> None:
        try:
            self.s3.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.s3.create_bucket(Bucket=self.bucket)

    def put(self, key: str, blocks: Iterable[bytes]) -> None:
        self.s3.upload_fileobj(io.BufferedReader(_BlockReader(blocks), BLOCK), self.bucket, key)

    def put_file(self, key: str, path: Path) -> None:
        self.s3.upload_file(str(path), self.bucket, key)

    def read(self, key: str, first: int = 0, last: int | None = None) -> Iterator[bytes]:
        ranged = {"Range": f"bytes={first}-{'' if last is None else last}"} if first or last is not None else {}
        body = self.s3.get_object(Bucket=self.bucket, Key=key, **ranged)["Body"]
        return body.iter_chunks(BLOCK)

    def local_path(self, key: str) -> Path | None:
        return None

    def size(self, key: str) -> int | None:
        try:
            return self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def delete(self, keys: Iterable[str]) -> None:
        """One request a key: a media has few, and DeleteObjects' checksum headers are not
        understood by every S3-compatible server (S3Proxy refuses them)."""
        for key in keys:
            self.s3.delete_object(Bucket=self.bucket, Key=key)

    def delete_prefix(self, prefix: str) -> None:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        self.delete(o["Key"] for page in pages for o in page.get("Contents", []))
