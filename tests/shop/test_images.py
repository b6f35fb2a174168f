"""Checking and cleaning uploaded photos (``shop/images.py``): real tiny images."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shop.images import MAX_BYTES, PhotoRejectedError, clean_photo

GPS = 0x8825
ORIENTATION = 0x0112


def image_bytes(
    kind: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **kw: object
) -> bytes:
    """A small real image of ``kind`` (Pillow format name)."""
    out = io.BytesIO()
    Image.new(mode, size, (200, 60, 20) if mode == "RGB" else 0).save(out, kind, **kw)
    return out.getvalue()


def exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    return exif.tobytes()


def rejected(data: bytes) -> tuple[str, int]:
    with pytest.raises(PhotoRejectedError) as caught:
        clean_photo(data)
    return caught.value.code, caught.value.status


@pytest.mark.parametrize(
    ("kind", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_allowed_types_pass_and_are_reencoded(kind: str, content_type: str, extension: str) -> None:
    photo = clean_photo(image_bytes(kind))
    assert (photo.content_type, photo.extension) == (content_type, extension)
    assert (photo.width, photo.height) == (64, 48)
    with Image.open(io.BytesIO(photo.data)) as again:
        assert again.format == kind and again.size == (64, 48)
    assert len(photo.sha256) == 64


def test_exif_gps_and_camera_data_are_dropped_and_orientation_applied() -> None:
    original = image_bytes("JPEG", (60, 40), exif=exif_with_gps(orientation=6))
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS)  # the test image really has GPS
    photo = clean_photo(original)
    with Image.open(io.BytesIO(photo.data)) as after:
        assert not after.getexif()
        assert "exif" not in after.info
        assert after.size == (40, 60)  # rotated as the phone meant it
    assert b"Exif" not in photo.data and b"PhoneMaker" not in photo.data
    assert (photo.width, photo.height) == (40, 60)


def test_png_text_and_webp_exif_are_dropped() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "31.2N 121.4E")
    png = clean_photo(image_bytes("PNG", pnginfo=info))
    assert b"31.2N" not in png.data
    webp = clean_photo(image_bytes("WEBP", exif=exif_with_gps()))
    assert b"PhoneMaker" not in webp.data


def test_a_text_file_named_jpg_is_not_an_image() -> None:
    assert rejected("这不是图片，只是文字 named photo.jpg".encode()) == ("not_an_image", 415)
    assert rejected(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>") == ("not_an_image", 415)


def test_gif_and_other_real_images_are_not_allowed() -> None:
    assert rejected(image_bytes("GIF", mode="P")) == ("unsupported_type", 415)
    assert rejected(image_bytes("BMP")) == ("unsupported_type", 415)


def test_more_than_5_mb_is_refused_before_decoding() -> None:
    body = image_bytes("PNG") + b"\0" * MAX_BYTES
    assert rejected(body) == ("too_large", 413)
    assert rejected(b"") == ("empty", 422)


def test_a_truncated_image_is_broken() -> None:
    data = image_bytes("JPEG", (200, 200))
    assert rejected(data[: len(data) // 2]) == ("broken_image", 422)
    png = image_bytes("PNG", (200, 200))
    assert rejected(png[: len(png) - 30]) == ("broken_image", 422)


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = image_bytes("PNG", (13_000, 4_000), mode="1")  # 52 MP in a few kB
    assert len(bomb) < 100_000
    assert rejected(bomb) == ("too_many_pixels", 413)
    assert rejected(image_bytes("PNG", (12_001, 10), mode="1")) == ("too_many_pixels", 413)
    assert rejected(image_bytes("PNG", (4, 4))) == ("too_small", 422)


def test_unusual_modes_are_converted() -> None:
    assert clean_photo(image_bytes("JPEG", mode="CMYK")).data[:2] == b"\xff\xd8"
    assert clean_photo(image_bytes("PNG", mode="1")).content_type == "image/png"
    rgba = clean_photo(image_bytes("WEBP", mode="RGBA"))
    with Image.open(io.BytesIO(rgba.data)) as again:
        assert again.mode == "RGBA"
