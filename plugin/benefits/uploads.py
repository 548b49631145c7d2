"""Photos and short videos a shopper attaches to a return request or a warranty claim
(POLICY.md 6: a request carries photos or video).

A file is bounded by size (``UPLOAD_MAX_BYTES``, 10 MB by default) and by type, read from its first
bytes rather than from the Content-Type the browser claims: JPEG, PNG, WebP, HEIC images and MP4,
QuickTime and WebM videos. It is kept through ``plugin.storage`` under a key naming the shop and the
customer, so a request can only attach its own customer's files; the shopper gets an opaque id.
"""

from __future__ import annotations

import re
import uuid

from plugin.program.errors import Invalid, TooLarge, UnsupportedMedia
from plugin.storage import FileStorage

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{2,5}$")
REFERENCE = "upload:"  # how a stored request names an uploaded file among its photo links

# (content type, extension) by signature; ISO media brands for the ftyp box.
IMAGE_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"}
QUICKTIME_BRANDS = {b"qt  "}


class UploadRefused(Invalid):
    """An upload that is not taken: malformed, empty or unknown."""


class FileTooLarge(UploadRefused, TooLarge):
    pass


class UnsupportedFile(UploadRefused, UnsupportedMedia):
    pass


def sniff(head: bytes) -> tuple[str, str] | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm", "webm"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in IMAGE_BRANDS:
            return "image/heic", "heic"
        if brand in QUICKTIME_BRANDS:
            return "video/quicktime", "mov"
        return "video/mp4", "mp4"
    return None


def check_size(length: int | None, limit: int) -> None:
    if length is not None and length > limit:
        raise FileTooLarge(
            f"A file may be up to {limit // (1024 * 1024)} MB.", code="file_too_large"
        )


def save(
    store: FileStorage, shop_id: int, customer_id: str, data: bytes, limit: int
) -> dict[str, object]:
    check_size(len(data), limit)
    if not data:
        raise UploadRefused("The file is empty.", code="empty_file")
    found = sniff(data[:16])
    if found is None:
        raise UnsupportedFile(
            "Send a photo (JPEG, PNG, WebP, HEIC) or a video (MP4, MOV, WebM).",
            code="unsupported_file",
        )
    content_type, extension = found
    upload_id = f"{uuid.uuid4().hex}.{extension}"
    store.put(key_for(shop_id, customer_id, upload_id), data, content_type)
    return {"id": upload_id, "content_type": content_type, "size": len(data)}


def key_for(shop_id: int, customer_id: str, upload_id: str) -> str:
    return f"{shop_id}/{customer_id}/{upload_id}"


def own_references(
    store: FileStorage, shop_id: int, customer_id: str, upload_ids: object
) -> list[str]:
    """The customer's uploaded files named by ``upload_ids``, as stored references; a 400 for an
    id that is not one of theirs (never says whose it is)."""
    if upload_ids is None:
        return []
    if not isinstance(upload_ids, list) or len(upload_ids) > 10:
        raise UploadRefused(
            "uploads must be a list of up to 10 upload ids.", code="invalid_request"
        )
    references = []
    for upload_id in upload_ids:
        if not isinstance(upload_id, str) or not UPLOAD_ID.match(upload_id):
            raise UploadRefused(
                "uploads must hold the ids POST /uploads returned.", code="invalid_request"
            )
        if store.get(key_for(shop_id, customer_id, upload_id)) is None:
            raise UploadRefused(
                "One of the uploaded files was not found; upload it again.", code="unknown_upload"
            )
        references.append(f"{REFERENCE}{customer_id}/{upload_id}")
    return references


def stored_key(shop_id: int, reference: str) -> str | None:
    """The storage key of a request's ``upload:`` reference, within this shop (None otherwise)."""
    if not reference.startswith(REFERENCE):
        return None
    customer_id, _, upload_id = reference[len(REFERENCE) :].partition("/")
    if not customer_id.isdigit() or not UPLOAD_ID.match(upload_id):
        return None
    return key_for(shop_id, customer_id, upload_id)
