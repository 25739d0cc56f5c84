"""Photos in an S3-compatible bucket: a real S3 API server (moto's, in its own process) is
the default storage, configured as MEDIA_STORAGE and MEDIA_BUCKET_* configure it."""

import re
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from blog import editing, images, trash, workflow
from blog.models import Photo, Section
from tests.factories import jpeg_bytes, make_photo, make_report, make_section
from tests.servers import free_port
from tests.test_editor import jpeg_upload

pytestmark = pytest.mark.django_db

UPLOAD = reverse("markdownx_upload")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_photo_uploaded_in_the_editor_is_stored_in_the_bucket_and_shown_from_it(
    client, bucket, author, editor, superuser, django_capture_on_commit_callbacks
):
    report = make_report(title="バケットのレポート")
    section = make_section(report, author=author, body="本文")
    login = client.post(
        reverse("admin:login"), {"username": "author", "password": "secret-pass", "next": "/"}
    )
    assert login.status_code == 302

    response = client.post(UPLOAD, {"section": section.pk, "image": jpeg_upload()})

    photo = Photo.objects.get()
    assert (response.status_code, bucket.keys()) == (200, set(photo.stored_names))
    assert len(photo.stored_names) == 7  # the original and six renditions

    section.body = f'本文\n\n![登壇者と満員の会場](photo:{photo.pk} "基調講演")'
    editing.save_section(section, by=author)
    workflow.submit(section, by=author)
    workflow.approve(section, by=editor)
    workflow.publish(report, by=editor)
    client.logout()
    page = client.get(report.get_absolute_url()).content.decode()

    fallback = photo.fallback["name"]
    source = re.search(r'<img src="([^"]+)"[^>]*alt="登壇者と満員の会場"', page)[1]
    assert source == f"{bucket.public_url}/{fallback}"
    assert fetch(source) == bucket.read(fallback)
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', page)[1]
    assert {entry.split(" ")[0] for entry in webp.split(", ")} == {
        f"{bucket.public_url}/{r['name']}" for r in photo.renditions if r["format"] == "webp"
    }

    # Deleting moves to the trash, files and all; they go when it is emptied.
    workflow.unpublish(report, by=editor)
    trash.trash_photo(photo, by=editor)
    assert bucket.keys() == set(photo.stored_names)
    with django_capture_on_commit_callbacks(execute=True):
        trash.purge(photo, by=superuser)

    assert bucket.keys() == set()


def test_replacing_a_photos_image_removes_the_old_objects_from_the_bucket(
    bucket, author, django_capture_on_commit_callbacks
):
    section = make_section(make_report(), author=author)
    photo = Photo(report=section.report, section=section, alt_text="会場")
    photo.image = ContentFile(jpeg_bytes(800, 600), name="first.jpg")
    photo.save()
    first = set(photo.stored_names)

    with django_capture_on_commit_callbacks(execute=True):
        photo.image = ContentFile(jpeg_bytes(640, 480, "orange"), name="second.jpg")
        photo.save()

    assert (bucket.keys(), first & set(photo.stored_names)) == (set(photo.stored_names), set())


def test_photo_that_fails_to_save_leaves_nothing_in_the_bucket(bucket, author, monkeypatch):
    section = make_section(make_report(), author=author)
    photo = Photo(report=section.report, section=section, alt_text="会場")
    photo.image = ContentFile(jpeg_bytes(800, 600), name="stage.jpg")

    def refuse(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("django.db.models.Model.save", refuse)
    with pytest.raises(RuntimeError):
        photo.save()

    assert bucket.keys() == set()


def test_unreachable_bucket_on_clean_up_is_logged_not_raised(settings, caplog):
    from django.core.files.storage import default_storage

    from cms import backends

    settings.STORAGES = {
        **settings.STORAGES,
        "default": backends.media_storage(
            backends.BUCKET_STORAGE,
            bucket="photos",
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            region="us-east-1",
            access_key="k",
            secret_key="s",
        ),
    }

    images.delete_quietly(default_storage, ["photos/originals/gone.jpg"])

    assert [record.getMessage() for record in caplog.records] == [
        "Could not delete 'photos/originals/gone.jpg' from the media storage"
    ]


def test_render_texts_points_figures_at_the_photos_new_address(settings, author):
    from io import StringIO

    from django.core.management import call_command

    from cms import backends

    section = make_section(make_report(), author=author)
    photo = make_photo(section.report, section)
    section.body = f'![会場](photo:{photo.pk} "会場の様子")'
    editing.save_section(section, by=author)
    fallback = photo.fallback["name"]
    assert f'src="/media/{fallback}"' in Section.objects.get(pk=section.pk).body_html
    settings.STORAGES = {
        **settings.STORAGES,
        "default": backends.media_storage(
            backends.BUCKET_STORAGE,
            bucket="photos",
            region="ap-northeast-1",
            public_url="https://media.example.com/photos",
        ),
    }
    output = StringIO()

    call_command("render_texts", stdout=output)

    assert f'src="https://media.example.com/photos/{fallback}"' in (
        Section.objects.get(pk=section.pk).body_html
    )
    assert output.getvalue() == "Rendered 2 texts again.\n"
