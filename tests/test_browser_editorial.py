"""The editorial journey in a real browser: draft, preview, submit, review, publish, read."""

import pytest
from playwright.sync_api import Browser, Page, expect
from reversion.models import Version

from blog.models import Section, SectionAutosave
from tests.factories import make_report, make_section, make_user, make_writer_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staff_roles"),
]

PASSWORD = "secret-pass"
CSP_VIOLATIONS: list[str] = []


@pytest.fixture(autouse=True)
def no_csp_violations():
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == []


def log_in(browser: Browser, live_server, username: str, *, bypass_csp: bool = False) -> Page:
    """`bypass_csp` for checkers injected as inline scripts, which the policy refuses."""
    page = browser.new_context(locale="ja-JP", bypass_csp=bypass_csp).new_page()
    # Anything the Content Security Policy blocks would break the admin silently.
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and CSP_VIOLATIONS.append(message.text)
        ),
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    return page


def test_writer_and_editor_take_a_section_from_draft_to_the_published_page(
    browser: Browser, live_server
):
    writer = make_user("writer", group="Writers")
    make_user("chief", group="Editors")
    colleague = make_user("colleague", group="Writers")
    report = make_report(title="ブラウザで作るレポート")
    make_writer_of(report, writer)
    make_section(report, author=colleague, heading="同僚の節", status="approved")

    # The writer drafts a section in Markdown and previews the whole report.
    page = log_in(browser, live_server, "writer")
    page.goto(f"{live_server.url}/admin/blog/section/add/")
    page.select_option("#id_report", label="ブラウザで作るレポート")
    page.fill("#id_heading", "私の担当セクション")
    page.fill("#id_body", "最初の下書きです。\n\n- **要点** その一")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_be_visible()
    section = Section.objects.get(heading="私の担当セクション")
    page.get_by_role("link", name="レポートをプレビュー").click()
    expect(page.locator(".preview-banner")).to_contain_text("未公開")
    expect(page.locator(f"#{section.anchor}")).to_contain_text("最初の下書きです。")
    expect(page.locator(f"#{section.anchor} .review-marker")).to_have_text("未承認: 下書き")
    page.go_back()
    page.click("input[name=_submit_for_review]")
    expect(page.locator(".workflow-panel__state")).to_contain_text("レビュー中")

    # The editor finds it waiting and asks for changes with a comment.
    chief = log_in(browser, live_server, "chief")
    waiting = chief.locator(".dashboard-panel", has=chief.locator("#awaiting-title"))
    waiting.get_by_role("link", name="私の担当セクション").click()
    chief.fill("#request_changes-comment", "結論を最初に書いてください。")
    chief.get_by_role("button", name="修正を依頼").click()
    expect(chief.locator(".workflow-panel__state")).to_contain_text("修正依頼中")

    # The writer reads the comment, edits and submits again in one click.
    page.reload()
    expect(page.locator(".workflow-panel__request-note")).to_contain_text(
        "結論を最初に書いてください。"
    )
    expect(page.locator("#review-thread")).to_contain_text("結論を最初に書いてください。")
    page.fill("#id_body", "結論: とても良い講演でした。\n\n最初の下書きです。")
    page.click("input[name=_submit_for_review]")
    expect(page.locator(".workflow-panel__state")).to_contain_text("レビュー中")

    # The editor approves and publishes the report.
    chief.reload()
    chief.get_by_role("button", name="承認する").click()
    expect(chief.locator(".workflow-panel__state")).to_contain_text("承認済み")
    chief.goto(f"{live_server.url}/admin/blog/report/{report.pk}/change/")
    # Format names as their makers spell them, not in the admin's capitals.
    # (innerText, unlike the text, is as shown: after CSS's text-transform.)
    export = chief.locator(".object-tools a[download]").first
    assert export.inner_text() == "はてなブログ Markdown でダウンロード"
    chief.get_by_role("button", name="今すぐ公開").click()
    expect(chief.locator(".messagelist")).to_contain_text("公開しました")

    # A reader without an account sees the new text on the report page.
    reader = browser.new_context(locale="ja-JP").new_page()
    reader.goto(f"{live_server.url}{report.get_absolute_url()}")
    expect(reader.get_by_role("heading", level=1)).to_have_text("ブラウザで作るレポート")
    expect(reader.locator(f"#{section.anchor}")).to_contain_text("結論: とても良い講演でした。")
    expect(reader.locator(".review-marker")).to_have_count(0)


def test_typing_is_kept_automatically_and_offered_back(browser: Browser, live_server):
    writer = make_user("writer", group="Writers")
    section = make_section(make_report(), author=writer, body="保存済みの本文")
    page = log_in(browser, live_server, "writer")
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")

    page.fill("#id_heading", "書き直した見出し")
    page.fill("#id_body", "保存済みの本文\n\n閉じる前に書き足した段落")
    expect(page.locator("[data-autosave-status]")).to_contain_text("自動保存しました", timeout=8000)

    kept = SectionAutosave.objects.get(section=section, user=writer)
    assert (kept.heading, kept.body) == (
        "書き直した見出し",
        "保存済みの本文\n\n閉じる前に書き足した段落",
    )
    assert Version.objects.get_for_object(section).count() == 0
    page.close()  # the tab is closed without saving

    again = log_in(browser, live_server, "writer")
    again.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    expect(again.get_by_text("まだ保存していない見出しと本文があります")).to_be_visible()
    again.get_by_role("button", name="エディタに戻す").click()
    expect(again.locator("#id_heading")).to_have_value("書き直した見出し")
    expect(again.locator("#id_body")).to_have_value("保存済みの本文\n\n閉じる前に書き足した段落")


def test_discarded_typing_is_offered_back_neither_from_the_server_nor_the_browser(
    browser: Browser, live_server
):
    writer = make_user("writer", group="Writers")
    section = make_section(make_report(), author=writer, heading="見出し", body="保存済みの本文")
    page = log_in(browser, live_server, "writer")
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    page.fill("#id_body", "保存済みの本文\n\n要らなくなった段落")
    expect(page.locator("[data-autosave-status]")).to_contain_text("自動保存しました", timeout=8000)

    page.reload()
    page.get_by_role("button", name="破棄").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "自動保存された見出しと本文を破棄しました。"
    )
    expect(page.locator(".autosave-offer")).to_have_count(0)
    expect(page.locator("#id_body")).to_have_value("保存済みの本文")
    assert not SectionAutosave.objects.exists()


def test_text_typed_after_the_login_expired_is_kept_in_the_browser(browser: Browser, live_server):
    writer = make_user("writer", group="Writers")
    section = make_section(
        make_report(), author=writer, heading="元の見出し", body="保存済みの本文"
    )
    page = log_in(browser, live_server, "writer")
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    page.context.clear_cookies()  # the login ends while the writer types

    page.fill("#id_heading", "ログイン切れのあとの見出し")
    page.fill("#id_body", "保存済みの本文\n\nログイン切れのあとの段落")
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text("このブラウザに一時保存しました")
    expect(status).to_contain_text("ログインが切れたため", timeout=8000)
    assert not SectionAutosave.objects.filter(section=section).exists()

    # Logged in again in the same browser, the writer is offered the text back.
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "writer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    expect(
        page.get_by_text("このブラウザに、まだ保存していない見出しと本文が残っています。")
    ).to_be_visible()
    page.get_by_role("button", name="入力内容を戻す").click()
    expect(page.locator("#id_heading")).to_have_value("ログイン切れのあとの見出し")
    expect(page.locator("#id_body")).to_have_value("保存済みの本文\n\nログイン切れのあとの段落")
    section.refresh_from_db()
    assert (section.heading, section.body) == ("元の見出し", "保存済みの本文")  # only a save saves


def test_a_save_leaves_nothing_to_offer_back_whatever_blank_space_it_took_off(
    browser: Browser, live_server
):
    writer = make_user("writer", group="Writers")
    section = make_section(make_report(), author=writer, body="保存済みの本文")
    page = log_in(browser, live_server, "writer")
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")

    # A writer often ends with Enter; the save keeps the text without it.
    page.fill("#id_body", "保存済みの本文\n\n書き足した段落\n")
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.locator("#id_body")).to_have_value("保存済みの本文\n\n書き足した段落")
    expect(
        page.get_by_text("このブラウザに、まだ保存していない見出しと本文が残っています。")
    ).to_have_count(0)
    section.refresh_from_db()
    assert section.body == "保存済みの本文\n\n書き足した段落"


def test_an_editor_moves_a_section_with_the_keyboard_and_readers_see_the_order(
    browser: Browser, live_server
):
    make_user("chief", group="Editors")
    writer = make_user("writer", group="Writers")
    report = make_report(title="並べ替えるレポート", slug="narabe", published=True)
    for position, heading in enumerate(("はじめに", "本題", "おわりに")):
        make_section(report, author=writer, heading=heading, position=position)
    chief = log_in(browser, live_server, "chief")
    chief.goto(f"{live_server.url}/admin/blog/report/{report.pk}/change/")
    sections = chief.locator("#report-sections")

    sections.get_by_role("button", name="「おわりに」を1つ上へ").click()
    expect(sections.locator("[role=status]").first).to_have_text(
        "「おわりに」を1つ上へ移しました。"
    )
    # The arrow pressed keeps the focus: Enter moves the section one more place.
    expect(sections.get_by_role("button", name="「おわりに」を1つ上へ")).to_be_focused()
    chief.keyboard.press("Enter")
    expect(sections.locator("tbody th")).to_have_text(["おわりに", "はじめに", "本題"])

    reader = browser.new_page()
    reader.goto(f"{live_server.url}/reports/narabe/")
    expect(reader.locator(".report-section__title")).to_have_text(["おわりに", "はじめに", "本題"])
