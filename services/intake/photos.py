"""Issue photos: checked with Pillow, kept in GridFS as the original (staff and the
reporter) and a public copy re-encoded without EXIF (no GPS position, no camera)."""

from __future__ import annotations

import io
import uuid
import warnings

import gridfs
from PIL import Image, ImageOps, UnidentifiedImageError
from pymongo.database import Database

from services.common.contracts.intake import PHOTO_FORMATS
from services.common.errors import InvalidInput, NotFound

FORMATS = PHOTO_FORMATS
MAX_PIXELS = 40_000_000  # a phone photo is ~12 MP; more is a decompression bomb
BUCKET = "photos"
MAX_PER_ISSUE = 9  # what a phone's picker offers at once; more is abuse of the store


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
        image.load()
    return image


def check_image(data: bytes, max_bytes: int) -> str:
    """The image's format, or InvalidInput naming `file`."""
    if not data:
        raise InvalidInput("the photo is empty", {"file": "empty"})
    if len(data) > max_bytes:
        raise InvalidInput("the photo is too large", {"file": f"at most {max_bytes} bytes"})
    try:
        image = _open(data)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        raise InvalidInput("not an image", {"file": "must be a JPEG, PNG or WebP image"}) from None
    if image.format not in FORMATS:
        raise InvalidInput("unsupported image type",
                           {"file": "must be a JPEG, PNG or WebP image"})
    if image.width * image.height > MAX_PIXELS:
        raise InvalidInput("the photo has too many pixels", {"file": f"at most {MAX_PIXELS}"})
    return image.format


def public_copy(data: bytes) -> bytes:
    """Re-encode without metadata: Pillow writes EXIF only when asked to."""
    image = _open(data)
    fmt = image.format or "JPEG"
    upright = ImageOps.exif_transpose(image)  # keep the orientation the EXIF tag implied
    out = io.BytesIO()
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    upright.save(out, format=fmt)
    return out.getvalue()


def store(db: Database, issue_id: str, data: bytes, fmt: str) -> str:
    """Keep the original and its public copy; return the photo id."""
    photo_id = f"p-{uuid.uuid4().hex[:12]}"
    fs = gridfs.GridFS(db, collection=BUCKET)
    meta = {"issue_id": issue_id, "content_type": FORMATS[fmt]}
    fs.put(public_copy(data), _id=f"{photo_id}.public", metadata=meta | {"copy": "public"})
    fs.put(data, _id=photo_id, metadata=meta | {"copy": "original"})
    return photo_id


def load(db: Database, issue_id: str, photo_id: str, public: bool) -> tuple[bytes, str]:
    fs = gridfs.GridFS(db, collection=BUCKET)
    try:
        stored = fs.get(f"{photo_id}.public" if public else photo_id)
    except gridfs.errors.NoFile:
        raise NotFound("no such photo", {"photo_id": "unknown"}) from None
    meta = stored.metadata or {}
    if meta.get("issue_id") != issue_id:
        raise NotFound("no such photo", {"photo_id": "unknown"})
    return stored.read(), meta.get("content_type", "application/octet-stream")
