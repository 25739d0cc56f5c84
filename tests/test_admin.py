import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.models import PHOTO_ALT_PLACEHOLDER, Photo
from tests.factories import (
    jpeg_bytes,
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    event = make_event()
    session = make_session(event, speakers=(make_speaker(),))
    report = make_report(event=event)
    section = make_section(report, session=session)
    make_photo(report, section)
    make_photo(report, in_gallery=True)
    return {"event": event, "session": session, "report": report, "section": section}


ADMIN_MODELS = [
    ("conference", "event"),
    ("conference", "session"),
    ("conference", "speaker"),
    ("blog", "report"),
    ("blog", "section"),
    ("blog", "photo"),
    ("blog", "tag"),
    ("auth", "user"),
]


@pytest.mark.parametrize(("app", "model"), ADMIN_MODELS)
def test_admin_list_and_add_pages_open(client, superuser, content, app, model):
    client.force_login(superuser)

    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200


@pytest.mark.parametrize("name", ["event", "session", "report", "section"])
def test_admin_change_pages_open_with_markdown_editor(client, superuser, content, name):
    client.force_login(superuser)
    app = "conference" if name in {"event", "session"} else "blog"

    response = client.get(reverse(f"admin:{app}_{name}_change", args=[content[name].pk]))

    assert response.status_code == 200
    if name in {"report", "section"}:
        assert "markdownx-editor" in response.content.decode()


def test_admin_report_list_shows_review_progress(client, superuser, content):
    make_section(content["report"], status="approved")
    client.force_login(superuser)

    response = client.get(reverse("admin:blog_report_changelist"))

    assert '<td class="field-review_progress">1 / 2</td>' in response.content.decode()


def test_admin_refuses_a_fake_image_and_keeps_what_was_typed(client, superuser, content):
    client.force_login(superuser)
    before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", "image/jpeg")

    response = client.post(
        reverse("admin:blog_photo_add"),
        {
            "report": content["report"].pk,
            "image": fake,
            "alt_text": "説明文",
            "caption": "図の説明",
            "position": 0,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'class="errorlist[^>]*><li>(.*?)</li>', html) == [
        "画像をアップロードしてください。アップロードしたファイルは画像でないか、または壊れています。"
    ]
    assert 'value="図の説明"' in html
    assert Photo.objects.count() == 2
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == before


def test_admin_uploads_a_photo_with_renditions(client, superuser, content):
    client.force_login(superuser)
    upload = SimpleUploadedFile("p.jpg", jpeg_bytes(1000, 500), "image/jpeg")

    response = client.post(
        reverse("admin:blog_photo_add"),
        {"report": content["report"].pk, "image": upload, "alt_text": "説明文", "position": 3},
    )

    assert response.status_code == 302
    photo = Photo.objects.get(position=3)
    assert sorted(r["width"] for r in photo.renditions) == [480, 480, 960, 960, 1000, 1000]


@pytest.mark.parametrize("name", ["markdownx_markdownify", "markdownx_upload"])
def test_markdownx_endpoints_refuse_anonymous_and_non_staff(client, outsider, name):
    assert client.post(reverse(name), {"content": "x"}).status_code == 302
    client.force_login(outsider)
    assert client.post(reverse(name), {"content": "x"}).status_code == 302


def test_markdown_preview_renders_sanitised_html_for_staff(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("markdownx_markdownify"), {"content": "**太字**<img src=x onerror=alert(1)>"}
    )

    # An <img> written in HTML is never shown: its notice takes its place, handler and all.
    assert response.content.decode() == (
        '<p><strong>太字</strong><span class="image-not-shown">'
        '<span class="image-not-shown__label">画像を表示できません</span></span></p>'
    )


def test_admin_offers_only_the_reports_own_photos_as_cover(client, superuser, content):
    make_photo(make_report())  # another report's photo, which must not be offered
    own = list(Photo.objects.filter(report=content["report"]).order_by("position", "pk"))
    # Dropped into a text and never described: not offered either.
    Photo.objects.filter(pk=make_photo(content["report"]).pk).update(
        alt_text=str(PHOTO_ALT_PLACEHOLDER)
    )
    client.force_login(superuser)

    response = client.get(reverse("admin:blog_report_change", args=[content["report"].pk]))
    new = client.get(reverse("admin:blog_report_add"))

    choices = response.context["adminform"].form.fields["cover"].queryset
    assert list(choices) == own
    assert list(new.context["adminform"].form.fields["cover"].queryset) == []
