import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from blog import images
from blog.models import Photo
from tests.factories import jpeg_bytes, make_photo, make_report

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = (
    "このファイルは画像として読み込めません。"
    "JPEG、PNG、WebP、GIF の写真をアップロードしてください。"
)


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def jpeg_with_exif(width=400, height=200, orientation=6) -> bytes:
    image = Image.new("RGB", (width, height), "orange")
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 0.0)}  # GPS position
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_photo_is_oriented_and_stripped_of_exif():
    photo = make_photo(make_report(), image=ContentFile(jpeg_with_exif(), name="cam.jpg"))

    with photo.image.open() as handle, Image.open(handle) as stored:
        assert stored.size == (200, 400)  # orientation 6 turns the landscape shot upright
        assert dict(stored.getexif()) == {}
    assert (photo.width, photo.height) == (200, 400)


def test_renditions_are_made_at_each_width_in_webp_and_fallback():
    photo = make_photo(make_report(), image=ContentFile(jpeg_bytes(2000, 1000), name="wide.jpg"))

    found = sorted((r["format"], r["width"], r["height"]) for r in photo.renditions)
    assert found == [
        ("jpeg", 480, 240),
        ("jpeg", 960, 480),
        ("jpeg", 1600, 800),
        ("webp", 480, 240),
        ("webp", 960, 480),
        ("webp", 1600, 800),
    ]
    for rendition in photo.renditions:
        with photo.image.storage.open(rendition["name"]) as handle, Image.open(handle) as img:
            assert (img.format.lower(), img.width) == (rendition["format"], rendition["width"])


def test_small_image_is_not_enlarged():
    photo = make_photo(make_report(), image=ContentFile(jpeg_bytes(300, 200), name="s.jpg"))

    assert sorted((r["format"], r["width"]) for r in photo.renditions) == [
        ("jpeg", 300),
        ("webp", 300),
    ]


def test_transparent_png_keeps_alpha_with_png_fallback():
    buffer = io.BytesIO()
    Image.new("RGBA", (100, 50), (255, 0, 0, 128)).save(buffer, "PNG")
    photo = make_photo(make_report(), image=ContentFile(buffer.getvalue(), name="a.png"))

    assert photo.image.name.endswith(".png")
    assert {r["format"] for r in photo.renditions} == {"webp", "png"}


def test_stored_name_is_generated_not_taken_from_the_upload():
    photo = make_photo(make_report(), image=ContentFile(jpeg_bytes(), name="../../evil name.jpg"))

    assert photo.image.name.startswith("photos/originals/")
    assert "evil" not in photo.image.name


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "ファイルが空です。"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            NOT_AN_IMAGE,
        ),
        (
            b"<html><body>not an image</body></html>",
            NOT_AN_IMAGE,
        ),
        (
            jpeg_bytes(200, 200)[:300],
            NOT_AN_IMAGE,
        ),
    ],
    ids=["empty", "svg", "html", "truncated-jpeg"],
)
def test_bad_files_are_refused_with_a_message_and_nothing_stored(content, message):
    report = make_report()
    before = stored_files()
    photo = Photo(report=report, alt_text="x", image=ContentFile(content, name="photo.jpg"))

    with pytest.raises(ValidationError) as error:
        photo.full_clean()

    assert error.value.message_dict["image"] == [message]
    assert stored_files() == before
    assert Photo.objects.count() == 0


def test_image_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    upload = ContentFile(jpeg_bytes(101, 100), name="big.jpg")

    with pytest.raises(ValidationError) as error:
        images.decode(upload)

    assert error.value.code == "too_many_pixels"


def test_bmp_is_refused_even_though_pillow_reads_it():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")

    with pytest.raises(ValidationError) as error:
        images.decode(ContentFile(buffer.getvalue(), name="x.jpg"))

    assert error.value.messages == ["受け付けられる写真は JPEG、PNG、WebP、GIF だけです。"]


def test_deleting_a_photo_removes_its_files(django_capture_on_commit_callbacks):
    photo = make_photo(make_report())
    names = photo.stored_names

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()

    assert len(names) == 3
    assert [photo.image.storage.exists(name) for name in names] == [False, False, False]


def test_replacing_an_image_removes_the_old_files(django_capture_on_commit_callbacks):
    photo = make_photo(make_report())
    old_names = photo.stored_names

    with django_capture_on_commit_callbacks(execute=True):
        photo.image = ContentFile(jpeg_bytes(80, 60), name="new.jpg")
        photo.save()

    assert [photo.image.storage.exists(name) for name in old_names] == [False, False, False]
    assert all(photo.image.storage.exists(name) for name in photo.stored_names)


# --- Hardening: every bad class refused, metadata gone, odd modes handled ------------------

TOO_MANY_PIXELS = "画像の画素数が多すぎます（上限は 4000 万画素）。"
ACTIVE_CONTENT = (
    "このファイルには画像のほかにウェブページやスクリプトのコードが含まれているため、"
    "受け付けられません。カメラや写真アプリから写真を書き出し直してください。"
)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels and holds almost none: a bomb's shape."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


BAD_FILES = [
    ("empty", b"", "ファイルが空です。"),
    ("svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", NOT_AN_IMAGE),
    ("html-named-jpg", b"<!DOCTYPE html><script>alert(1)</script>", NOT_AN_IMAGE),
    ("script-named-jpg", b"alert(document.cookie);", NOT_AN_IMAGE),
    ("truncated-jpeg", jpeg_bytes(300, 300)[:-400], NOT_AN_IMAGE),
    ("truncated-png", encoded(Image.effect_noise((200, 200), 50), "PNG")[:-300], NOT_AN_IMAGE),
    ("jpeg-header-only", jpeg_bytes(300, 300)[:200], NOT_AN_IMAGE),
    (
        "bmp",
        encoded(Image.new("RGB", (10, 10)), "BMP"),
        "受け付けられる写真は JPEG、PNG、WebP、GIF だけです。",
    ),
    ("pixel-bomb", png_header_only(7_000, 7_000), TOO_MANY_PIXELS),
    ("pillow-bomb", png_header_only(20_000, 20_000), TOO_MANY_PIXELS),
    (
        "jpeg-with-html-appended",
        jpeg_bytes() + b"<html><script>alert(1)</script></html>",
        ACTIVE_CONTENT,
    ),
    (
        "jpeg-comment-with-script",
        encoded(Image.new("RGB", (32, 32)), "JPEG", comment=b"<script>alert(1)</script>"),
        ACTIVE_CONTENT,
    ),
    (
        "gif-comment-with-php",
        encoded(Image.new("P", (8, 8)), "GIF", comment=b"<?php system($_GET['c']); ?>"),
        ACTIVE_CONTENT,
    ),
    (
        "png-text-with-javascript-url",
        encoded(Image.new("RGB", (8, 8)), "PNG", pnginfo=None) + b"javascript:alert(1)",
        ACTIVE_CONTENT,
    ),
]


@pytest.mark.parametrize(
    ("content", "message"),
    [(content, message) for _, content, message in BAD_FILES],
    ids=[name for name, _, _ in BAD_FILES],
)
def test_photo_save_refuses_bad_files_and_writes_nothing(content, message):
    report = make_report()
    before = stored_files()
    photo = Photo(report=report, alt_text="説明", image=ContentFile(content, name="photo.jpg"))

    with pytest.raises(ValidationError) as error:
        photo.save()

    assert error.value.messages == [message]
    assert stored_files() == before
    assert Photo.objects.count() == 0


def test_upload_over_the_byte_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1024 * 1024)
    noisy = encoded(Image.effect_noise((1200, 1200), 80).convert("RGB"), "PNG")

    with pytest.raises(ValidationError) as error:
        images.decode(ContentFile(noisy, name="big.png"))

    assert (len(noisy) > 1024 * 1024, error.value.messages) == (
        True,
        ["画像のファイルサイズが 1 MB を超えています。"],
    )


def camera_jpeg() -> bytes:
    """A landscape shot from a camera turned upright, with GPS, a comment, XMP and ICC."""
    image = Image.new("RGB", (400, 200), "orange")
    image.paste((0, 0, 255), (0, 0, 100, 200))  # blue on the left before turning
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 12.0), 3: "E", 4: (139.0, 45.0, 3.0)}
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encoded(
        image,
        "JPEG",
        exif=exif.tobytes(),
        comment=b"shot at home, Setagaya",
        xmp=b"<x:xmpmeta><rdf:Description dc:creator='Sato'/></x:xmpmeta>",
        icc_profile=srgb,
    )


def stored_images(photo: Photo):
    for name in photo.stored_names:
        with photo.image.storage.open(name) as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as image:
            yield name, data, image


def test_every_stored_file_is_free_of_exif_gps_comments_xmp_and_icc():
    photo = make_photo(make_report(), image=ContentFile(camera_jpeg(), name="cam.jpg"))

    found = []
    for _name, data, image in stored_images(photo):
        image.load()
        found.append(
            (
                dict(image.getexif()),
                sorted(k for k in image.info if k in {"comment", "xmp", "icc_profile", "exif"}),
                b"Setagaya" in data or b"CameraMaker" in data or b"Sato" in data,
            )
        )
    assert found == [({}, [], False)] * 3  # the original, a WebP and a JPEG


def test_orientation_is_applied_before_metadata_goes():
    photo = make_photo(make_report(), image=ContentFile(camera_jpeg(), name="cam.jpg"))

    with photo.image.open() as handle, Image.open(handle) as stored:
        top_left = stored.convert("RGB").getpixel((5, 5))
        bottom_left = stored.convert("RGB").getpixel((5, 395))
    # Turned upright, the blue left edge of the sensor becomes the top of the picture.
    assert ((photo.width, photo.height), top_left[2] > 200, bottom_left[2] < 60) == (
        (200, 400),
        True,
        True,
    )


def test_a_plain_resave_would_keep_the_comment_so_the_pipeline_must_drop_it():
    with Image.open(io.BytesIO(camera_jpeg())) as original:
        resaved = encoded(original, "JPEG")

    assert b"Setagaya" in resaved  # why decode() clears image.info before encoding


def stored_summary(photo: Photo) -> list[tuple[str, str, tuple[int, int]]]:
    return [(image.format, image.mode, image.size) for _, _, image in stored_images(photo)]


def test_cmyk_jpeg_becomes_rgb():
    cmyk = encoded(Image.new("CMYK", (64, 32), (0, 200, 200, 0)), "JPEG")

    photo = make_photo(make_report(), image=ContentFile(cmyk, name="print.jpg"))

    assert stored_summary(photo) == [
        ("JPEG", "RGB", (64, 32)),
        ("JPEG", "RGB", (64, 32)),
        ("WEBP", "RGB", (64, 32)),
    ]


def test_sixteen_bit_grey_png_is_scaled_to_eight_bits_not_clipped():
    grey16 = encoded(Image.new("I;16", (16, 16), 40_000), "PNG")

    photo = make_photo(make_report(), image=ContentFile(grey16, name="scan.png"))

    with photo.image.open() as handle, Image.open(handle) as stored:
        assert (stored.mode, stored.getpixel((8, 8))) == ("RGB", (156, 156, 156))


def test_palette_png_with_transparency_keeps_alpha_as_png():
    palette = Image.new("P", (20, 10), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.paste(0, (0, 0, 10, 10))

    photo = make_photo(
        make_report(),
        image=ContentFile(encoded(palette, "PNG", transparency=0), name="logo.png"),
    )

    with photo.image.open() as handle, Image.open(handle) as stored:
        pixels = (stored.getpixel((2, 2)), stored.getpixel((15, 5)))
    assert (stored_summary(photo)[0], pixels) == (
        ("PNG", "RGBA", (20, 10)),
        ((0, 0, 0, 0), (255, 0, 0, 255)),
    )


def test_opaque_rgba_is_stored_as_jpeg_without_alpha():
    opaque = encoded(Image.new("RGBA", (30, 20), (10, 200, 30, 255)), "PNG")

    photo = make_photo(make_report(), image=ContentFile(opaque, name="shot.png"))

    assert [(fmt, mode) for fmt, mode, _ in stored_summary(photo)] == [
        ("JPEG", "RGB"),
        ("JPEG", "RGB"),
        ("WEBP", "RGB"),
    ]


def test_grey_with_alpha_becomes_rgba():
    grey_alpha = encoded(Image.new("LA", (12, 12), (100, 128)), "PNG")

    photo = make_photo(make_report(), image=ContentFile(grey_alpha, name="la.png"))

    with photo.image.open() as handle, Image.open(handle) as stored:
        assert (stored.mode, stored.getpixel((6, 6))) == ("RGBA", (100, 100, 100, 128))


def test_animated_gif_keeps_its_first_frame_only():
    red = Image.new("RGBA", (16, 16), (255, 0, 0, 255))
    red.paste((0, 0, 0, 0), (0, 0, 4, 4))  # a transparent corner keeps the output lossless
    blue = Image.new("RGBA", (16, 16), (0, 0, 255, 255))
    animation = encoded(red, "GIF", save_all=True, append_images=[blue], duration=100, loop=0)

    photo = make_photo(make_report(), image=ContentFile(animation, name="anim.gif"))

    with photo.image.open() as handle, Image.open(handle) as stored:
        frames, centre = getattr(stored, "n_frames", 1), stored.getpixel((8, 8))
    assert (stored_summary(photo)[0], frames, centre) == (
        ("PNG", "RGBA", (16, 16)),
        1,
        (255, 0, 0, 255),
    )


def test_phone_jpeg_with_a_multi_picture_index_is_accepted():
    frames = [Image.new("RGB", (40, 30), "navy"), Image.new("RGB", (40, 30), "white")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "MPO", save_all=True, append_images=frames[1:])

    photo = make_photo(make_report(), image=ContentFile(buffer.getvalue(), name="phone.jpg"))

    assert (photo.width, photo.height, stored_summary(photo)[0][0]) == (40, 30, "JPEG")


def test_portrait_renditions_follow_the_turned_size():
    image = Image.new("RGB", (2000, 1000), "orange")
    exif = Image.Exif()
    exif[0x0112] = 8
    upload = ContentFile(encoded(image, "JPEG", exif=exif.tobytes()), name="tall.jpg")

    photo = make_photo(make_report(), image=upload)

    assert sorted((r["format"], r["width"], r["height"]) for r in photo.renditions) == [
        ("jpeg", 480, 960),
        ("jpeg", 960, 1920),
        ("jpeg", 1000, 2000),
        ("webp", 480, 960),
        ("webp", 960, 1920),
        ("webp", 1000, 2000),
    ]


def test_failing_storage_leaves_no_file_and_no_row(monkeypatch):
    report = make_report()
    before = stored_files()
    storage = Photo._meta.get_field("image").storage
    real_save = storage.save
    calls = []

    def save_then_fail(name, content, **kwargs):
        calls.append(name)
        if len(calls) == 4:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", save_then_fail)
    photo = Photo(
        report=report, alt_text="説明", image=ContentFile(jpeg_bytes(1000, 500), name="a.jpg")
    )

    with pytest.raises(OSError):
        photo.save()

    assert (len(calls), stored_files(), Photo.objects.count()) == (4, before, 0)


def test_validation_and_save_decode_the_upload_once(monkeypatch):
    decoded = []
    real_decode = images.decode
    monkeypatch.setattr(images, "decode", lambda upload: decoded.append(1) or real_decode(upload))
    photo = Photo(
        report=make_report(), alt_text="説明", image=ContentFile(jpeg_bytes(), name="a.jpg")
    )

    photo.full_clean()
    photo.save()

    assert len(decoded) == 1
