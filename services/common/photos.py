"""Photos any service keeps in its own database's GridFS: checked with Pillow, kept as the
original (staff) and a public copy re-encoded without EXIF (no GPS position, no camera).

`owner` names what a photo belongs to (`{"issue_id": ...}`, `{"project_id": ...}`): a
photo id asked for under another owner is a 404 like a missing one."""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Mapping

import gridfs
from PIL import Image, ImageOps, UnidentifiedImageError
from pymongo.database import Database

from services.common.contracts.intake import PHOTO_FORMATS
from services.common.errors import InvalidInput, NotFound

FORMATS = PHOTO_FORMATS
MAX_PIXELS = 40_000_000  # a phone photo is ~12 MP; more is a decompression bomb
BUCKET = "photos"


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


def store(db: Database, owner: Mapping[str, str], data: bytes, fmt: str,
          bucket: str = BUCKET) -> str:
    """Keep the original and its public copy; return the photo id."""
    photo_id = f"p-{uuid.uuid4().hex[:12]}"
    fs = gridfs.GridFS(db, collection=bucket)
    meta = {**owner, "content_type": FORMATS[fmt]}
    fs.put(public_copy(data), _id=f"{photo_id}.public", metadata=meta | {"copy": "public"})
    fs.put(data, _id=photo_id, metadata=meta | {"copy": "original"})
    return photo_id


def load(db: Database, owner: Mapping[str, str], photo_id: str, public: bool,
         bucket: str = BUCKET) -> tuple[bytes, str]:
    fs = gridfs.GridFS(db, collection=bucket)
    try:
        stored = fs.get(f"{photo_id}.public" if public else photo_id)
    except gridfs.errors.NoFile:
        raise NotFound("no such photo", {"photo_id": "unknown"}) from None
    meta = stored.metadata or {}
    if any(meta.get(k) != v for k, v in owner.items()):
        raise NotFound("no such photo", {"photo_id": "unknown"})
    return stored.read(), meta.get("content_type", "application/octet-stream")
