"""Checks a buyer's photo and re-encodes it without metadata (pure, no I/O).

The declared content type and file name are never trusted: Pillow identifies
the bytes. Only JPEG, PNG and WebP pass; the pixel size is checked from the
header before anything is decoded (decompression bombs); the whole image is
then decoded (truncated files fail) and written again, keeping the pixels,
the EXIF orientation (applied) and the colour profile, and nothing else: no
EXIF (GPS, camera, time), no XMP, no text chunks.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 5 MB photo is far below; a bomb is far above
MAX_SIDE = 12_000
MIN_SIDE = 8

# Pillow's format -> (content type, extension).
ALLOWED = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
_MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L", "LA", "P"), "WEBP": ("RGB", "RGBA")}


class PhotoRejectedError(Exception):
    """The upload is not an acceptable photo; ``code`` goes to the client."""

    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: re-encoded bytes and what to record about them."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        """The SHA-256 of the stored bytes, hex."""
        return hashlib.sha256(self.data).hexdigest()


def _check_header(data: bytes) -> str:
    """The Pillow format of ``data`` after a structural check, else rejected."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            if kind not in ALLOWED:
                raise PhotoRejectedError("unsupported_type", 415)
            width, height = probe.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise PhotoRejectedError("too_many_pixels", 413)
            if min(width, height) < MIN_SIDE:
                raise PhotoRejectedError("too_small", 422)
            probe.verify()
    except UnidentifiedImageError:
        raise PhotoRejectedError("not_an_image", 415) from None
    except PhotoRejectedError:
        raise
    except Exception:  # Pillow raises many kinds on corrupt data
        raise PhotoRejectedError("broken_image", 422) from None
    return kind


def _reencode(data: bytes, kind: str) -> tuple[bytes, int, int]:
    with Image.open(io.BytesIO(data)) as source:
        source.seek(0)  # an animated PNG/WebP keeps its first frame only
        source.load()
        icc = source.info.get("icc_profile")
        image = ImageOps.exif_transpose(source)
        if image.mode not in _MODES[kind]:
            alpha = kind != "JPEG" and ("A" in image.mode or "transparency" in image.info)
            image = image.convert("RGBA" if alpha else "RGB")
            icc = None  # the profile described the old colour space
        out = io.BytesIO()
        options: dict[str, object] = {"icc_profile": icc} if icc else {}
        if kind == "JPEG":
            options.update(quality=90, optimize=True)
        elif kind == "WEBP":
            options.update(quality=90, method=4)
        image.save(out, format=kind, **options)
        return out.getvalue(), image.width, image.height


def clean_photo(data: bytes) -> CleanPhoto:
    """Checks an uploaded file and returns it re-encoded without metadata.

    Args:
        data: The uploaded bytes, whatever the client said they are.

    Returns:
        The photo to store.

    Raises:
        PhotoRejectedError: With ``code`` ``empty``, ``too_large`` (413),
            ``not_an_image``, ``unsupported_type`` (415), ``too_many_pixels``
            (413), ``too_small`` or ``broken_image`` (422).
    """
    if not data:
        raise PhotoRejectedError("empty", 422)
    if len(data) > MAX_BYTES:
        raise PhotoRejectedError("too_large", 413)
    kind = _check_header(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            encoded, width, height = _reencode(data, kind)
    except Exception:
        raise PhotoRejectedError("broken_image", 422) from None
    content_type, extension = ALLOWED[kind]
    return CleanPhoto(encoded, content_type, extension, width, height)
