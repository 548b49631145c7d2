"""Where shoppers' uploaded files (return and claim photos, short videos) are kept.

One small interface, two implementations: ``LocalDiskStorage`` under the instance folder (the
embedded default, `make run`) and ``ObjectStorage`` for an S3-compatible object store in production
(``UPLOAD_STORAGE=s3://bucket/prefix``; it needs the ``boto3`` package, which is not a dependency of
the embedded default). Keys are chosen by ``plugin.benefits.uploads`` and name their shop and
customer, so a key alone says whose file it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

KEY = re.compile(r"^[0-9]+/[0-9]+/[0-9a-f]{32}\.[a-z0-9]{2,5}$")


class FileStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> tuple[bytes, str] | None:
        """The file's bytes and content type, or None when there is no such file."""
        ...


def _checked(key: str) -> str:
    if not KEY.match(key):  # never a path outside the store
        raise ValueError(f"not an upload key: {key!r}")
    return key


@dataclass
class LocalDiskStorage:
    root: Path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.root / _checked(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(data)
        path.with_suffix(path.suffix + ".type").write_text(content_type, encoding="ascii")
        partial.replace(path)  # a reader never sees half a file

    def get(self, key: str) -> tuple[bytes, str] | None:
        path = self.root / _checked(key)
        if not path.is_file():
            return None
        kind = path.with_suffix(path.suffix + ".type")
        return path.read_bytes(), kind.read_text(
            encoding="ascii"
        ) if kind.is_file() else "application/octet-stream"


@dataclass
class ObjectStorage:
    """An S3-compatible bucket (AWS S3, Cloudflare R2, MinIO...), credentials from the usual
    AWS environment variables."""

    bucket: str
    prefix: str = ""
    client: Any = None

    def _client(self) -> Any:
        if self.client is None:
            import boto3  # optional: only a deployment that sets UPLOAD_STORAGE=s3://... needs it

            self.client = boto3.client("s3")
        return self.client

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client().put_object(
            Bucket=self.bucket, Key=self.prefix + _checked(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> tuple[bytes, str] | None:
        client = self._client()
        try:
            found = client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(key))
        except client.exceptions.NoSuchKey:
            return None
        return found["Body"].read(), found.get("ContentType") or "application/octet-stream"


def storage_from_setting(value: str | None, instance_path: str) -> FileStorage:
    if value and value.startswith("s3://"):
        bucket, _, prefix = value[len("s3://") :].partition("/")
        return ObjectStorage(bucket, prefix.rstrip("/") + "/" if prefix else "")
    if value and value.startswith("file://"):
        return LocalDiskStorage(Path(value[len("file://") :]))
    return LocalDiskStorage(Path(instance_path) / "uploads")


def init_storage(app: Flask) -> None:
    app.extensions["tesmart_storage"] = storage_from_setting(
        app.config.get("UPLOAD_STORAGE"), app.instance_path
    )


def storage() -> FileStorage:
    configured: FileStorage = current_app.extensions["tesmart_storage"]
    return configured
