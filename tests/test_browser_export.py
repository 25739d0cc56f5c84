"""An editor downloads a report for the company blog from its admin page, in a real browser."""

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import make_photo, make_report, make_section, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staff_roles"),
]


@pytest.mark.parametrize(
    ("button", "filename", "start"),
    [
        ("はてなブログ Markdown でダウンロード", "report-to-go.hatena.md", "リード文です。"),
        ("単体の HTML でダウンロード", "report-to-go.html", "<!DOCTYPE html>"),
    ],
)
def test_editor_downloads_the_report_from_its_change_page(
    browser: Browser, live_server, tmp_path, button, filename, start
):
    make_user("chief", group="Editors")
    report = make_report(title="持ち出すレポート", slug="report-to-go")
    section = make_section(report, heading="はじめに")
    make_photo(report, section, caption="会場の入口")
    page = browser.new_context(locale="ja-JP", accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    page.goto(f"{live_server.url}/admin/blog/report/{report.pk}/change/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=button).click()

    download = download_info.value
    assert download.suggested_filename == filename
    saved = tmp_path / filename
    download.save_as(saved)
    content = saved.read_text(encoding="utf-8")
    assert content.startswith(start)
    assert f'src="{live_server.url}/media/' in content
    assert "会場の入口" in content
