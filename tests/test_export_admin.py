"""Downloading a report for the company blog from its admin page: who may, and how."""

import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from blog.models import Report
from tests.factories import make_photo, make_report, make_section, make_writer_of

IMAGE_SOURCE = re.compile(r'<img [^>]*src="([^"]+)"')


def export_url(report: Report, export_format: str) -> str:
    return f"/admin/blog/report/{report.pk}/export/{export_format}/"


@pytest.mark.django_db
def test_export_permission_is_for_editors(editor, author, outsider, superuser):
    report = make_report()
    make_writer_of(report, author)

    allowed = {
        user.username: user.has_perm("blog.export_report", report)
        for user in (editor, author, outsider, superuser)
    }
    assert allowed == {"editor": True, "author": False, "outsider": False, "root": True}


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("", "http://127.0.0.1:8000 False"),
        ("https://reports.example.jp/", "https://reports.example.jp True"),
    ],
)
def test_site_url_setting_says_whether_it_was_configured(site_url, expected):
    environment = {**os.environ, "SECRET_KEY": "k", "SITE_URL": site_url}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cms.settings as s; print(s.SITE_URL, s.SITE_URL_CONFIGURED)",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == expected


@pytest.mark.django_db
@override_settings(SITE_URL_CONFIGURED=True, SITE_URL="https://reports.example.jp")
def test_download_uses_the_configured_site_url(client, editor):
    report = make_report()
    make_photo(report, in_gallery=True)
    client.force_login(editor)

    response = client.get(export_url(report, "html"))

    assert IMAGE_SOURCE.findall(response.content.decode())[0].startswith(
        "https://reports.example.jp/media/"
    )


@pytest.mark.django_db
def test_unpublished_report_with_japanese_slug_downloads_under_its_name(client, editor):
    report = make_report(title="社内勉強会の記録", slug="社内勉強会")
    make_section(report, heading="はじめに", body="下書きです。")
    client.force_login(editor)

    response = client.get(export_url(report, "hatena"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%A4%BE%E5%86%85%E5%8B%89%E5%BC%B7%E4%BC%9A.hatena.md"
    )
    assert "## はじめに\n\n執筆: " in response.content.decode()


@pytest.mark.django_db
def test_writer_of_the_report_is_refused_the_download(client, author):
    report = make_report()
    make_section(report, author)
    client.force_login(author)

    response = client.get(export_url(report, "hatena"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_anonymous_download_goes_to_login(client):
    report = make_report()

    response = client.get(export_url(report, "html"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.django_db
def test_unknown_format_is_not_found(client, editor):
    client.force_login(editor)

    assert client.get(export_url(make_report(), "pdf")).status_code == 404


@pytest.mark.django_db
def test_report_page_offers_the_downloads_to_editors_only(client, editor, author):
    report = make_report()
    make_section(report, author)
    links = [
        f'href="{export_url(report, "hatena")}" download>はてなブログ Markdown でダウンロード',
        f'href="{export_url(report, "html")}" download>単体の HTML でダウンロード',
    ]

    client.force_login(editor)
    editor_page = client.get(f"/admin/blog/report/{report.pk}/change/").content.decode()
    client.force_login(author)
    writer_page = client.get(f"/admin/blog/report/{report.pk}/change/").content.decode()

    assert [link in editor_page for link in links] == [True, True]
    assert [link in writer_page for link in links] == [False, False]


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", ["hatena", "html"])
def test_download_costs_the_same_queries_for_one_section_or_three(client, editor, export_format):
    reports = {count: make_report() for count in (1, 3)}
    for count, report in reports.items():
        for _ in range(count):
            make_photo(report, make_section(report))
        make_photo(report, in_gallery=True)
    client.force_login(editor)

    queries = {}
    for count, report in reports.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(export_url(report, export_format)).status_code == 200
        queries[count] = len(captured)

    assert queries == {1: 8, 3: 8}
