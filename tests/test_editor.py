"""The admin editor's endpoints: who may use them, what they accept, what they answer."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from blog.models import Photo
from tests.factories import jpeg_bytes, make_photo, make_report, make_section, make_user
from tests.xss import PAYLOADS, problems_in, visible_text

pytestmark = pytest.mark.django_db

PREVIEW = reverse("markdownx_markdownify")
UPLOAD = reverse("markdownx_upload")
NOT_ALLOWED = "この文章を編集する権限がありません。"
SAVE_FIRST = "写真を追加する前に、一度下書きを保存してください。写真は保存済みの文章に属します。"
NOT_AN_IMAGE = (
    "このファイルは画像として読み込めません。"
    "JPEG、PNG、WebP、GIF の写真をアップロードしてください。"
)


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def jpeg_upload(name: str = "stage.jpg", width: int = 1200, height: int = 800):
    return SimpleUploadedFile(name, jpeg_bytes(width, height), "image/jpeg")


@pytest.fixture
def section(author):
    return make_section(make_report(), author=author, body="本文")


@pytest.fixture
def staff_without_permission(db):
    """Can log in to the admin, but belongs to no group and holds no permission."""
    user = make_user("visitor")
    user.is_staff = True
    user.save()
    return user


# --- Who may use the endpoints --------------------------------------------------------------


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD], ids=["preview", "upload"])
def test_anonymous_user_is_sent_to_log_in(client, section, url):
    response = client.post(url, {"section": section.pk, "content": "x"})

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD], ids=["preview", "upload"])
def test_non_staff_user_is_sent_to_log_in(client, outsider, section, url):
    client.force_login(outsider)

    response = client.post(url, {"section": section.pk, "content": "x"})

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD], ids=["preview", "upload"])
def test_staff_without_change_permission_is_refused(client, staff_without_permission, section, url):
    client.force_login(staff_without_permission)
    before = stored_files()

    response = client.post(url, {"section": section.pk, "content": "x", "image": jpeg_upload()})

    assert (response.status_code, response.json(), Photo.objects.count()) == (
        403,
        {"error": NOT_ALLOWED},
        0,
    )
    assert stored_files() == before


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD], ids=["preview", "upload"])
def test_writer_is_refused_on_another_writers_section(client, coauthor, section, url):
    client.force_login(coauthor)

    response = client.post(url, {"section": section.pk, "content": "x", "image": jpeg_upload()})

    assert (response.status_code, Photo.objects.count()) == (403, 0)


@pytest.mark.parametrize("url", [PREVIEW, UPLOAD], ids=["preview", "upload"])
def test_writer_may_use_the_editor_on_own_draft_section(client, author, section, url):
    client.force_login(author)

    response = client.post(url, {"section": section.pk, "content": "x", "image": jpeg_upload()})

    assert response.status_code == 200
    assert Photo.objects.filter(section=section).count() == (1 if url == UPLOAD else 0)


def test_writer_is_refused_the_upload_once_the_section_is_submitted(client, author):
    section = make_section(make_report(), author=author, status="in_review")
    client.force_login(author)

    response = client.post(UPLOAD, {"section": section.pk, "image": jpeg_upload()})

    assert (response.status_code, response.json(), Photo.objects.count()) == (
        403,
        {"error": NOT_ALLOWED},
        0,
    )


def test_editor_may_preview_and_upload_for_a_reports_lead(client, editor):
    report = make_report()
    client.force_login(editor)

    preview = client.post(PREVIEW, {"report": report.pk, "field": "lead", "content": "**リード**"})
    upload = client.post(UPLOAD, {"report": report.pk, "image": jpeg_upload()})

    assert (preview.status_code, upload.status_code) == (200, 200)
    assert preview.content.decode() == "<p><strong>リード</strong></p>"
    assert Photo.objects.filter(report=report, section=None).count() == 1


def test_writer_may_not_upload_to_a_report(client, author):
    report = make_report()
    client.force_login(author)

    response = client.post(UPLOAD, {"report": report.pk, "image": jpeg_upload()})

    assert (response.status_code, response.json()) == (403, {"error": NOT_ALLOWED})


def test_staff_without_permission_is_refused_on_a_report(client, staff_without_permission):
    report = make_report()
    client.force_login(staff_without_permission)

    response = client.post(UPLOAD, {"report": report.pk, "image": jpeg_upload()})

    assert (response.status_code, response.json()) == (403, {"error": NOT_ALLOWED})


def test_superuser_may_upload_to_any_section(client, superuser, section):
    client.force_login(superuser)

    response = client.post(UPLOAD, {"section": section.pk, "image": jpeg_upload()})

    assert (response.status_code, Photo.objects.filter(section=section).count()) == (200, 1)


def test_can_upload_to_asks_for_the_change_permission_on_the_object(monkeypatch, section):
    from blog.authoring import can_upload_to

    asked = []

    class User:
        def has_perm(self, permission, obj=None):
            asked.append((permission, obj))
            return True

    assert (can_upload_to(User(), section), asked) == (
        True,
        [("blog.change_section", section)],
    )


# --- Uploads --------------------------------------------------------------------------------


def test_upload_makes_an_undescribed_photo_of_the_section_and_a_reference(
    client, superuser, section
):
    client.force_login(superuser)

    response = client.post(UPLOAD, {"section": section.pk, "image": jpeg_upload("../../x.jpg")})

    photo = Photo.objects.get()
    assert response.json() == {
        "image_code": (
            f"![ここに代替テキスト（写真の説明）を書いてください](photo:{photo.pk} "
            '"キャプション（任意）")'
        ),
        "photo": photo.pk,
        "alt_placeholder": "ここに代替テキスト（写真の説明）を書いてください",
    }
    assert (
        photo.report_id,
        photo.section_id,
        photo.is_described,
        photo.in_gallery,
        photo.image.name.startswith("photos/originals/"),
        sorted((r["format"], r["width"]) for r in photo.renditions),
    ) == (
        section.report_id,
        section.pk,
        False,
        False,
        True,
        [
            ("jpeg", 480),
            ("jpeg", 960),
            ("jpeg", 1200),
            ("webp", 480),
            ("webp", 960),
            ("webp", 1200),
        ],
    )


def test_uploads_go_after_the_sections_other_photos(client, superuser, section):
    make_photo(section.report, section, position=4)
    client.force_login(superuser)

    client.post(UPLOAD, {"section": section.pk, "image": jpeg_upload()})

    assert list(section.photos.order_by("position").values_list("position", flat=True)) == [4, 5]


def test_upload_to_a_report_makes_a_photo_of_the_report(client, superuser):
    report = make_report()
    client.force_login(superuser)

    response = client.post(
        UPLOAD, {"report": report.pk, "field": "closing", "image": jpeg_upload()}
    )

    photo = Photo.objects.get()
    assert (response.status_code, photo.report_id, photo.section_id) == (200, report.pk, None)


def test_upload_before_the_first_save_asks_to_save_the_draft(client, superuser):
    client.force_login(superuser)
    before = stored_files()

    response = client.post(UPLOAD, {"image": jpeg_upload()})

    assert (response.status_code, response.json(), Photo.objects.count()) == (
        400,
        {"error": SAVE_FIRST},
        0,
    )
    assert stored_files() == before


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


BAD_UPLOADS = [
    (
        "svg",
        "logo.svg",
        "image/svg+xml",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        NOT_AN_IMAGE,
    ),
    ("svg-named-jpg", "x.jpg", "image/jpeg", b"<svg onload=alert(1)></svg>", NOT_AN_IMAGE),
    ("html-named-png", "x.png", "image/png", b"<html><script>alert(1)</script>", NOT_AN_IMAGE),
    ("empty", "x.jpg", "image/jpeg", b"", "入力されたファイルは空です。"),  # Django's own check
    ("truncated", "x.jpg", "image/jpeg", jpeg_bytes(400, 400)[:-500], NOT_AN_IMAGE),
    (
        "polyglot",
        "x.jpg",
        "image/jpeg",
        jpeg_bytes() + b"<script>alert(1)</script>",
        "このファイルには画像のほかにウェブページやスクリプトのコードが含まれているため、"
        "受け付けられません。カメラや写真アプリから写真を書き出し直してください。",
    ),
    (
        "tiff",
        "x.jpg",
        "image/jpeg",
        encoded(Image.new("RGB", (8, 8)), "TIFF"),
        "受け付けられる写真は JPEG、PNG、WebP、GIF だけです。",
    ),
]


@pytest.mark.parametrize(
    ("name", "content_type", "content", "message"),
    [case[1:] for case in BAD_UPLOADS],
    ids=[case[0] for case in BAD_UPLOADS],
)
def test_bad_upload_is_refused_with_its_message_and_leaves_nothing(
    client, superuser, section, name, content_type, content, message
):
    client.force_login(superuser)
    before = stored_files()
    upload = SimpleUploadedFile(name, content, content_type)

    response = client.post(UPLOAD, {"section": section.pk, "image": upload})

    assert (response.status_code, response.json(), Photo.objects.count()) == (
        400,
        {"error": message},
        0,
    )
    assert stored_files() == before


def test_upload_without_a_file_is_refused(client, superuser, section):
    client.force_login(superuser)

    response = client.post(UPLOAD, {"section": section.pk})

    assert (response.status_code, response.json()) == (
        400,
        {"error": "アップロードする写真を選んでください。"},
    )


def test_unknown_section_is_refused(client, superuser):
    client.force_login(superuser)

    response = client.post(UPLOAD, {"section": 999_999, "image": jpeg_upload()})

    assert (response.status_code, Photo.objects.count()) == (400, 0)


# --- Preview --------------------------------------------------------------------------------


def test_preview_renders_as_the_section_would_store_it(client, superuser, section):
    photo = make_photo(section.report, section, alt_text="会場")
    client.force_login(superuser)
    text = f"### まとめ\n\n![舞台の様子](photo:{photo.pk})"

    response = client.post(PREVIEW, {"section": section.pk, "content": text})

    section.body = text
    section.save()
    assert (response.status_code, response.content.decode()) == (200, section.body_html)


def test_preview_shows_an_image_from_another_site_as_a_notice(client, superuser, section):
    client.force_login(superuser)

    response = client.post(
        PREVIEW,
        {
            "section": section.pk,
            "content": "![ゲートウェイの構成図](https://example.com/gateway.png)",
        },
    )

    assert (response.status_code, response.content.decode()) == (
        200,
        '<p><span class="image-not-shown"><span class="image-not-shown__label">画像を表示できません'
        "</span> ゲートウェイの構成図</span></p>",
    )


def test_preview_of_a_report_closing_uses_the_closing_anchors(client, superuser):
    report = make_report()
    client.force_login(superuser)

    response = client.post(
        PREVIEW, {"report": report.pk, "field": "closing", "content": "### 次回"}
    )

    assert response.content.decode() == '<h3 class="subheading-1" id="closing-次回">次回</h3>'


def test_preview_without_a_target_renders_plain_markdown_for_staff(client, editor):
    client.force_login(editor)

    response = client.post(PREVIEW, {"content": "**新しい節**"})

    assert response.content.decode() == "<p><strong>新しい節</strong></p>"


TOO_LONG = "この文章は長すぎます（50,001 文字）。"


def test_preview_refuses_text_over_the_limit_with_the_message(client, superuser, section):
    client.force_login(superuser)

    response = client.post(PREVIEW, {"section": section.pk, "content": "あ" * 50_001})

    assert (response.status_code, response.json()) == (
        400,
        {"error": f"{TOO_LONG}50,000 文字以内にするか、節を分けてください。"},
    )


def test_preview_refuses_a_field_the_target_does_not_have(client, superuser, section):
    client.force_login(superuser)

    response = client.post(PREVIEW, {"section": section.pk, "field": "lead", "content": "x"})

    assert (response.status_code, response.json()) == (
        400,
        {"error": "この文章はここでは編集できません。"},
    )


def test_preview_refuses_both_a_section_and_a_report(client, superuser, section):
    client.force_login(superuser)

    response = client.post(
        PREVIEW, {"section": section.pk, "report": section.report_id, "content": "x"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_preview_endpoint_output_is_harmless(client, superuser, section, payload):
    client.force_login(superuser)

    response = client.post(PREVIEW, {"section": section.pk, "content": payload})

    assert (response.status_code, problems_in(response.content.decode())) == (200, [])


@pytest.mark.parametrize(
    "element", ["math", "svg", "style", "textarea", "title", "script", "iframe"]
)
def test_preview_of_an_unclosed_element_shows_the_rest_of_the_text(
    client, superuser, section, element
):
    client.force_login(superuser)
    text = f"はじめに\n\n<{element}>\n\n続きの段落\n\n### 見出し"

    response = client.post(PREVIEW, {"section": section.pk, "content": text})

    # After what Markdown takes for a raw HTML block, the rest stays as typed (a heading
    # may keep its ###): shown, if not formatted.
    words = visible_text(response.content.decode()).split()
    assert [word for word in words if word != "###"] == [
        "はじめに",
        f"<{element}>",
        "続きの段落",
        "見出し",
    ]


def test_preview_answers_html_with_the_sites_security_headers(client, superuser, section):
    client.force_login(superuser)

    response = client.post(PREVIEW, {"section": section.pk, "content": "x"})

    assert (response["Content-Type"], response["X-Content-Type-Options"]) == (
        "text/html; charset=utf-8",
        "nosniff",
    )


def test_endpoints_accept_only_post(client, superuser):
    client.force_login(superuser)

    assert [client.get(PREVIEW).status_code, client.get(UPLOAD).status_code] == [405, 405]


# --- The admin pages tell the editor which text it edits ------------------------------------


def textarea_data(html: str, name: str) -> dict:
    import re

    tag = re.search(rf'<textarea [^>]*name="{name}"[^>]*>', html)[0]
    return dict(re.findall(r'data-(section|report|field)="([^"]*)"', tag))


def test_section_change_page_editor_knows_its_section(client, superuser, section):
    client.force_login(superuser)

    html = client.get(reverse("admin:blog_section_change", args=[section.pk])).content.decode()

    assert textarea_data(html, "body") == {"field": "body", "section": str(section.pk)}


def test_report_change_page_editors_know_their_report(client, superuser, section):
    client.force_login(superuser)
    report = section.report

    html = client.get(reverse("admin:blog_report_change", args=[report.pk])).content.decode()

    assert [textarea_data(html, "lead"), textarea_data(html, "closing")] == [
        {"field": "lead", "report": str(report.pk)},
        {"field": "closing", "report": str(report.pk)},
    ]


def test_section_add_page_editor_has_no_target_yet(client, superuser):
    client.force_login(superuser)

    html = client.get(reverse("admin:blog_section_add")).content.decode()

    assert textarea_data(html, "body") == {"field": "body"}


def test_editor_page_loads_our_script_not_markdownxs(client, superuser, section):
    client.force_login(superuser)

    html = client.get(reverse("admin:blog_section_change", args=[section.pk])).content.decode()

    assert [
        html.count("blog/admin/markdown-editor.js"),
        html.count("markdownx/js/markdownx"),
        html.count("css/pygments.css"),
    ] == [1, 0, 1]


def test_json_errors_are_plain_json(client, superuser):
    client.force_login(superuser)

    response = client.post(UPLOAD, {"image": jpeg_upload()})

    assert json.loads(response.content) == {"error": SAVE_FIRST}
