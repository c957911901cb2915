"""Issue photos: checked and stripped of EXIF by services/common/photos.py (shared with the
volunteers' renewal projects), kept in intake's GridFS under the issue."""

from __future__ import annotations

from pymongo.database import Database

from services.common import photos as common
from services.common.photos import FORMATS, MAX_PIXELS, check_image, public_copy

__all__ = ["BUCKET", "FORMATS", "MAX_PER_ISSUE", "MAX_PIXELS", "check_image", "load",
           "public_copy", "store"]

BUCKET = common.BUCKET
MAX_PER_ISSUE = 9  # what a phone's picker offers at once; more is abuse of the store


def store(db: Database, issue_id: str, data: bytes, fmt: str) -> str:
    """Keep the original and its public copy; return the photo id."""
    return common.store(db, {"issue_id": issue_id}, data, fmt, BUCKET)


def load(db: Database, issue_id: str, photo_id: str, public: bool) -> tuple[bytes, str]:
    return common.load(db, {"issue_id": issue_id}, photo_id, public, BUCKET)
