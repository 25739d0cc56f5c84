"""Readable slugs for any title, editable by editors, and old addresses that redirect."""

import importlib
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.core.validators import validate_unicode_slug
from django.test import RequestFactory
from django.urls import reverse

from blog.editing import save_report
from blog.models import Report, Tag
from cms.models import OldSlug
from sessions.models import Event, Session, Speaker
from tests.factories import (
    make_event,
    make_report,
    make_section,
    make_session,
    make_speaker,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("エッジケース検証用レポート", "エッジケース検証用レポート"),
        ("KubeCon 2022 参加レポート", "kubecon-2022-参加レポート"),
        (
            "ＫｕｂｅＣｏｎ　全角",
            "kubecon-全角",
        ),  # full-width letters and space, as typed by an IME
        ("Kubernetes 🎉 入門", "kubernetes-入門"),
        ("🎉", "party-popper"),
        ("🎉🚀", "party-popper-rocket"),
        ("!!!", "report"),
    ],
)
def test_report_slugs_read_like_their_titles(title, slug):
    report = make_report(title=title)

    assert report.slug == slug
    validate_unicode_slug(report.slug)


def test_same_japanese_title_twice_gets_distinct_slugs():
    slugs = [make_report(title="参加レポート").slug for _ in range(3)]

    assert slugs == ["参加レポート", "参加レポート-2", "参加レポート-3"]


def test_tag_and_session_slugs_keep_japanese():
    event = make_event()

    assert (
        Tag.objects.create(name="カンファレンス").slug,
        make_session(event, title="基調講演").slug,
    ) == (
        "カンファレンス",
        "基調講演",
    )


def test_japanese_address_is_percent_encoded_and_opens_the_page(client):
    report = make_report(title="参加レポート", published=True)

    url = report.get_absolute_url()
    response = client.get(url)

    assert (url.isascii(), unquote(url), response.status_code) == (
        True,
        "/reports/参加レポート/",
        200,
    )


def test_sitemap_lists_japanese_addresses_as_valid_uris(client):
    make_report(title="参加レポート", published=True)

    sitemap = client.get(reverse("blog:sitemap")).content.decode()

    assert "/reports/%E5%8F%82%E5%8A%A0%E3%83%AC%E3%83%9D%E3%83%BC%E3%83%88/" in sitemap
    assert sitemap.isascii()


# --- Old addresses ------------------------------------------------------------------------------


def renamed_report(editor, old: str, new: str) -> Report:
    report = make_report(title="参加レポート", slug=old, published=True)
    report.slug = new
    save_report(report, by=editor)
    return report


def assert_moved(client, old_url: str, new_url: str) -> None:
    response = client.get(old_url)
    assert (response.status_code, response["Location"]) == (301, new_url)
    assert client.get(new_url).status_code == 200


def test_old_report_address_redirects_permanently(client, editor):
    renamed_report(editor, "old-name", "新しい名前")

    assert_moved(
        client, "/reports/old-name/", "/reports/%E6%96%B0%E3%81%97%E3%81%84%E5%90%8D%E5%89%8D/"
    )


def test_every_old_address_of_a_chain_leads_to_the_newest(client, editor):
    report = renamed_report(editor, "a", "b")
    report.slug = "c"
    save_report(report, by=editor)

    assert [client.get(f"/reports/{slug}/")["Location"] for slug in ("a", "b")] == [
        "/reports/c/",
        "/reports/c/",
    ]


def test_taking_back_an_old_slug_makes_it_live_again(client, editor):
    report = renamed_report(editor, "a", "b")
    report.slug = "a"
    save_report(report, by=editor)

    assert (client.get("/reports/a/").status_code, client.get("/reports/b/")["Location"]) == (
        200,
        "/reports/a/",
    )


def test_a_new_report_with_an_old_slug_wins_over_the_redirect(client, editor):
    renamed_report(editor, "a", "b")
    newcomer = make_report(title="新しい", slug="a", published=True)

    response = client.get("/reports/a/")

    assert (response.status_code, response.context["report"]) == (200, newcomer)


def test_old_address_of_an_unpublished_report_is_404_not_a_hint(client, editor):
    report = renamed_report(editor, "old-name", "secret-new-name")
    Report.objects.filter(pk=report.pk).update(status="draft")

    assert client.get("/reports/old-name/").status_code == 404


def test_a_save_without_a_slug_change_records_nothing(editor):
    report = make_report(title="参加レポート", published=True)
    report.title = "参加レポート（改訂）"
    save_report(report, by=editor)

    assert (OldSlug.objects.count(), report.slug) == (0, "参加レポート")


@pytest.fixture
def covered_session():
    """A session with a speaker, covered by a published report with a tag."""
    event = make_event(name="Open Source Summit", slug="oss")
    speaker = make_speaker(name="Lin Sun", slug="lin-sun")
    session = make_session(event, (speaker,), title="Istio Today", slug="istio-today")
    report = make_report(published=True, event=event)
    report.tags.add(Tag.objects.create(name="サービスメッシュ", slug="mesh"))
    make_section(report, session=session)
    return session


def test_editor_changes_a_tag_slug_in_the_admin_and_the_old_one_redirects(
    client, superuser, covered_session
):
    tag = Tag.objects.get(slug="mesh")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:blog_tag_change", args=[tag.pk]),
        {"name": tag.name, "slug": "サービスメッシュ"},
    )

    assert response.status_code == 302
    assert_moved(client, "/tags/mesh/", Tag.objects.get(pk=tag.pk).get_absolute_url())


def test_editor_changes_a_speaker_slug_in_the_admin_and_the_old_one_redirects(
    client, superuser, covered_session
):
    speaker = Speaker.objects.get(slug="lin-sun")
    client.force_login(superuser)

    client.post(
        reverse("admin:conference_speaker_change", args=[speaker.pk]),
        {"name": speaker.name, "slug": "lin", "affiliation": "", "profile_url": ""},
    )

    assert_moved(client, "/speakers/lin-sun/", "/speakers/lin/")


@pytest.mark.parametrize(
    ("model", "old", "new", "prefix"),
    [(Event, "oss", "oss-2022", "/events/"), (Session, "istio-today", "istio-2022", "/sessions/")],
)
def test_event_and_session_admin_saves_keep_the_old_slug(
    client, superuser, covered_session, model, old, new, prefix
):
    obj = model.objects.get(slug=old)
    obj.slug = new
    request = RequestFactory().post("/")
    request.user = superuser

    admin.site.get_model_admin(model).save_model(request, obj, form=None, change=True)

    assert_moved(client, f"{prefix}{old}/", f"{prefix}{new}/")


def test_session_numbers_of_old_links_redirect_to_the_readable_address(client, covered_session):
    assert_moved(client, f"/sessions/{covered_session.pk}/", "/sessions/istio-today/")


def test_admin_refuses_a_slug_with_a_slash_and_changes_nothing(client, superuser, covered_session):
    tag = Tag.objects.get(slug="mesh")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:blog_tag_change", args=[tag.pk]), {"name": "別名", "slug": "a/b"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "ユニコード文字、数字、アンダースコアまたはハイフンで構成された、"
        "有効なスラグを入力してください。"
    ]
    assert (Tag.objects.get(pk=tag.pk).name, OldSlug.objects.count()) == ("サービスメッシュ", 0)


def test_admin_refuses_a_slug_another_tag_has(client, superuser, covered_session):
    Tag.objects.create(name="別のタグ", slug="taken")
    tag = Tag.objects.get(slug="mesh")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:blog_tag_change", args=[tag.pk]), {"name": tag.name, "slug": "taken"}
    )

    assert response.context["adminform"].form.errors["slug"] == [
        "この スラッグ を持った タグ が既に存在します。"
    ]
    assert Tag.objects.get(pk=tag.pk).slug == "mesh"


def test_migration_gives_fallback_slugs_readable_ones_and_keeps_the_old_address(client):
    from django.apps import apps

    migration = importlib.import_module("cms.migrations.0002_readable_fallback_slugs")
    report = make_report(title="エッジケース検証用レポート", slug="report", published=True)
    kept = make_report(title="Chosen by hand", slug="report-2", published=True)

    migration.readable_slugs(apps, schema_editor=None)

    report.refresh_from_db()
    kept.refresh_from_db()
    assert (report.slug, kept.slug) == ("エッジケース検証用レポート", "report-2")
    assert_moved(client, "/reports/report/", report.get_absolute_url())
