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
