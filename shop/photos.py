"""Buyers' photos: where they are stored, their database row, the return they belong
to, safe reads and thumbnails, for the upload channel and the agents' console.

A checked and cleaned image (:mod:`shop.images`) goes to
``settings.upload_dir/<yyyy>/<mm>/<id>.<ext>`` (never inside a directory served to
browsers), then a ``Photo`` row is written, linked to the buyer's open return
request; neither stays when the other fails. Reads resolve the stored relative path
inside the upload directory only.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from shop import config
from shop.clock import local_now
from shop.db import queries
from shop.db.models import Buyer, Photo
from shop.db.session import in_transaction
from shop.images import CleanPhoto

logger = logging.getLogger(__name__)

THUMBNAIL_SIDE = 480
PHOTO_ID = re.compile(r"[0-9a-f]{32}")
ROOT = Path(__file__).resolve().parent.parent
WEB_ROOTS = (ROOT / "channels" / "static", ROOT / "console" / "static")


class StorageUnavailableError(Exception):
    """Photos cannot be stored or read here (a misconfigured upload directory)."""


@dataclass(frozen=True)
class StoredPhoto:
    """A photo's row as the readers need it."""

    conversation_id: str
    path: Path
    content_type: str


def upload_root() -> Path:
    """The upload directory; refused when it lies inside a directory served to browsers."""
    root = config.settings.upload_dir.resolve()
    for web_root in WEB_ROOTS:
        if root == web_root or web_root in root.parents or root in web_root.parents:
            logger.error("SHOP_UPLOAD_DIR %s is inside a web root; uploads refused", root)
            raise StorageUnavailableError(str(root))
    return root


def _write_file(partial: Path, target: Path, data: bytes) -> None:
    """Writes ``data`` to ``partial``, syncs it, then renames it to ``target``."""
    target.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    try:
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


async def store(
    photo: CleanPhoto, conversation_id: str, buyer_id: str | None
) -> tuple[str, str | None]:
    """Writes the file, then its ``Photo`` row; neither stays when one fails.

    Returns:
        The photo id and the return request it was linked to, if any.
    """
    now = local_now()
    photo_id = secrets.token_hex(16)
    relative = f"{now:%Y}/{now:%m}/{photo_id}.{photo.extension}"
    target = upload_root() / relative

    def record(session: Session) -> str | None:
        buyer = session.get(Buyer, buyer_id) if buyer_id else None
        request = queries.latest_open_return(buyer.id, session=session) if buyer else None
        session.add(
            Photo(
                id=photo_id,
                conversation_id=conversation_id,
                buyer_id=buyer.id if buyer else None,
                return_id=request.id if request else None,
                content_type=photo.content_type,
                size_bytes=len(photo.data),
                width=photo.width,
                height=photo.height,
                sha256=photo.sha256,
                storage_path=relative,
                created_at=now,
            )
        )
        return request.id if request else None

    await asyncio.to_thread(_write_file, target.with_name(f".{photo_id}.part"), target, photo.data)
    try:
        return photo_id, await in_transaction(record)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def photo_file(storage_path: str | None, root: Path) -> Path | None:
    """The stored file if its relative path stays inside ``root`` and exists."""
    relative = Path(storage_path or "")
    if not storage_path or relative.is_absolute() or ".." in relative.parts:
        return None
    base = root.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


async def find(photo_id: str) -> StoredPhoto | None:
    """The photo with this id whose file is safely inside the upload directory."""
    if not PHOTO_ID.fullmatch(photo_id):
        return None
    row = await in_transaction(lambda session: _row(queries.get_photo(photo_id, session=session)))
    if row is None:
        return None
    path = await asyncio.to_thread(photo_file, row[1], upload_root())
    return StoredPhoto(row[0], path, row[2]) if path else None


def _row(photo: Photo | None) -> tuple[str, str, str] | None:
    return (photo.conversation_id, photo.storage_path, photo.content_type) if photo else None


def thumbnail(path: Path) -> bytes:
    """A WebP at most :data:`THUMBNAIL_SIDE` pixels wide and high."""
    from PIL import Image

    with Image.open(path) as image:
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        image.convert("RGBA" if "A" in image.mode else "RGB").save(out, "WEBP", quality=80)
        return out.getvalue()
