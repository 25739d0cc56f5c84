"""The section page as a writing desk, the warning before leaving unsaved text, and the
report page's table of sections, in a real browser."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from blog.enums import SectionStatus
from blog.models import SectionAutosave
from tests.factories import make_report, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNSAVED_NOTE = "保存していない変更があります。"


def log_in(page: Page, live_server, username: str) -> Page:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill("secret-pass")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="サイト管理")).to_be_visible()
    return page


def dialogs_on_trying_to_leave(page: Page) -> list[str]:
    """Follow the admin's ホーム link, staying on the page if the browser asks; the kinds of
    dialog it showed (`beforeunload` when it asked)."""
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.once("dialog", stay)
    page.get_by_role("link", name="ホーム").click()
    page.wait_for_timeout(500)
    return asked


@pytest.fixture
def writer_at_desk(page: Page, live_server, staff_roles):
    writer = make_user("writer", group="Writers")
    section = make_section(make_report(), author=writer, heading="下書きの節", body="最初の段落。")
    log_in(page, live_server, "writer")
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    expect(page.locator(".markdown-editor__preview")).to_contain_text("最初の段落。")
    return page, section


def test_leaving_with_unsaved_text_asks_first(writer_at_desk, live_server):
    page, section = writer_at_desk
    textarea = page.locator("textarea[name=body]")
    expect(page.get_by_text(UNSAVED_NOTE)).to_be_hidden()

    textarea.press("End")
    textarea.type("書きかけの一文")
    expect(page.get_by_text(UNSAVED_NOTE)).to_be_visible()

    asked = dialogs_on_trying_to_leave(page)

    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/admin/blog/section/{section.pk}/change/")
    expect(textarea).to_have_value("最初の段落。書きかけの一文")


def test_saving_or_undoing_the_change_leaves_without_asking(writer_at_desk, live_server):
    page, section = writer_at_desk
    textarea = page.locator("textarea[name=body]")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))

    textarea.press("End")
    textarea.type("消す文")
    for _ in "消す文":
        textarea.press("Backspace")
    expect(page.get_by_text(UNSAVED_NOTE)).to_be_hidden()
    page.get_by_role("link", name="ホーム").click()
    expect(page.get_by_role("heading", name="サイト管理")).to_be_visible()

    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    textarea.press("End")
    textarea.type("保存する文")
    page.get_by_role("button", name="保存して編集を続ける").click()
    expect(page.locator(".messagelist")).to_be_visible()

    assert asked == []
    section.refresh_from_db()
    assert section.body == "最初の段落。保存する文"


def test_desk_puts_the_text_and_preview_side_by_side_at_window_height(writer_at_desk):
    page, _section = writer_at_desk
    page.set_viewport_size({"width": 1600, "height": 900})

    boxes = page.evaluate(
        """() => {
          const box = (selector) => document.querySelector(selector).getBoundingClientRect();
          const text = box("textarea[name=body]"), preview = box(".markdown-editor__preview");
          return {sideBySide: preview.left > text.right - 1 && Math.abs(preview.top - text.top) < 2,
                  tall: text.height > 600 && preview.height > 600};
        }"""
    )

    assert boxes == {"sideBySide": True, "tall": True}


def test_report_page_lists_sections_in_a_table_with_links(page: Page, live_server, staff_roles):
    make_user("chief", group="Editors")
    writer = make_user("writer", group="Writers")
    report = make_report(title="表で見るレポート")
    sections = [
        make_section(report, author=writer, heading=f"節その{number}", position=number)
        for number in range(1, 9)
    ]
    make_section(
        report, author=writer, heading="審査待ちの節", position=9, status=SectionStatus.IN_REVIEW
    )
    log_in(page, live_server, "chief")

    page.goto(f"{live_server.url}/admin/blog/report/{report.pk}/change/")

    rows = page.locator("#report-sections tbody tr")
    expect(rows).to_have_count(9)
    expect(rows.nth(0)).to_contain_text("節その1")
    expect(rows.nth(0)).to_contain_text("writer 表示名")
    expect(page.locator(".report-sections__waiting")).to_contain_text("審査待ちの節")
    assert page.evaluate("document.body.scrollHeight") < 4000
    page.screenshot(path="test-results/report-sections-table.png", full_page=True)

    page.locator("#report-sections").get_by_role("link", name="節その3").click()

    expect(page).to_have_url(f"{live_server.url}/admin/blog/section/{sections[2].pk}/change/")
    expect(page.locator("textarea[name=body]")).to_be_visible()


def test_two_tabs_on_one_section_lose_nothing(writer_at_desk, live_server):
    first, section = writer_at_desk
    second = first.context.new_page()
    second.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    for tab, words in ((first, "一つ目のタブ。"), (second, "二つ目のタブ。")):
        textarea = tab.locator("textarea[name=body]")
        textarea.press("End")
        textarea.type(words)

    first.get_by_role("button", name="保存して編集を続ける").click()
    expect(first.locator(".messagelist")).to_be_visible()
    second.get_by_role("button", name="保存して編集を続ける").click()

    # The second tab is told, keeps its text, and shows what the first one saved.
    told = second.get_by_text("どちらの内容も上書きされていません").filter(visible=True)
    expect(told).to_have_count(1)  # in the error summary, not twice more above it
    expect(told).to_contain_text("別のタブかウィンドウで")  # the writer's own tab, not "someone"
    expect(second.locator("textarea[name=body]")).to_have_value("最初の段落。二つ目のタブ。")
    expect(second.locator(".conflict-panel__text")).to_contain_text("最初の段落。一つ目のタブ。")
    expect(second.locator(".conflict-panel summary")).to_have_text("いま保存されている内容")
    # Read in order: what happened, then the saved text, then one's own text to merge into.
    tops = [
        second.locator(selector).bounding_box()["y"]
        for selector in (".error-summary", ".conflict-panel", "textarea[name=body]")
    ]
    assert tops == sorted(tops)
    section.refresh_from_db()
    assert section.body == "最初の段落。一つ目のタブ。"

    # Saved again on purpose, the second tab's text wins.
    second.get_by_role("button", name="保存して編集を続ける").click()
    expect(second.locator(".messagelist")).to_be_visible()
    section.refresh_from_db()
    assert section.body == "最初の段落。二つ目のタブ。"


def test_the_back_button_after_saving_does_not_save_again(writer_at_desk, live_server):
    page, section = writer_at_desk
    textarea = page.locator("textarea[name=body]")
    textarea.press("End")
    textarea.type("保存した文。")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    section.refresh_from_db()
    version = section.version

    page.go_back()
    expect(page.locator("textarea[name=body]")).to_be_visible()
    page.go_forward()

    section.refresh_from_db()
    assert section.version == version
    assert section.body == "最初の段落。保存した文。"


KEPT_IN_BROWSER_OFFER = "このブラウザに、まだ保存していない見出しと本文が残っています。"
KEPT_ON_THE_SERVER_OFFER = "自動保存された、まだ保存していない見出しと本文があります。"


def empty_the_heading(page: Page, live_server, section) -> None:
    page.locator("#id_heading").fill("")


def save_first_in_another_tab(page: Page, live_server, section) -> None:
    # The writer's own other tab, in the same browser: it shares the kept copy's place.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    textarea = other.locator("textarea[name=body]")
    textarea.press("End")
    textarea.type("別のタブの一文。")
    other.get_by_role("button", name="保存して編集を続ける").click()
    expect(other.locator(".messagelist")).to_be_visible()
    other.close()


@pytest.mark.parametrize("refuse", [empty_the_heading, save_first_in_another_tab])
def test_text_a_save_refused_is_still_unsaved_and_kept_in_the_browser(
    writer_at_desk, live_server, refuse
):
    page, section = writer_at_desk
    textarea = page.locator("textarea[name=body]")
    textarea.press("End")
    textarea.type("断られる一文。")
    refuse(page, live_server, section)
    page.get_by_role("button", name="保存して編集を続ける").click()
    expect(page.locator(".error-summary")).to_be_visible()

    # The page holds the typed text, but nothing of it is saved: it says so and asks. It
    # is kept in the browser and on the server, and not offered back over itself.
    expect(textarea).to_have_value("最初の段落。断られる一文。")
    expect(page.get_by_text(UNSAVED_NOTE)).to_be_visible()
    expect(page.locator("[data-autosave-status]")).to_contain_text("自動保存しました")
    expect(page.locator(".autosave-offer")).to_have_count(0)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.get_by_role("link", name="ホーム").click()
    expect(page.get_by_role("heading", name="サイト管理")).to_be_visible()
    assert asked == ["beforeunload"]

    # Left anyway, the text is offered back when the section is reopened.
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    expect(page.get_by_text(KEPT_ON_THE_SERVER_OFFER)).to_be_visible()
    page.get_by_role("button", name="エディタに戻す").click()
    expect(textarea).to_have_value("最初の段落。断られる一文。")
    section.refresh_from_db()
    assert "断られる一文。" not in section.body


def test_a_save_that_goes_through_after_a_refused_one_leaves_nothing_kept(
    writer_at_desk, live_server
):
    page, section = writer_at_desk
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    textarea = page.locator("textarea[name=body]")
    textarea.press("End")
    textarea.type("二度目で保存される一文。")
    page.locator("#id_heading").fill("")
    page.get_by_role("button", name="保存して編集を続ける").click()
    expect(page.locator(".error-summary")).to_be_visible()

    page.locator("#id_heading").fill("見出しを戻した節")
    page.get_by_role("button", name="保存して編集を続ける").click()
    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.get_by_text(UNSAVED_NOTE)).to_be_hidden()
    page.get_by_role("link", name="ホーム").click()
    expect(page.get_by_role("heading", name="サイト管理")).to_be_visible()

    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    expect(textarea).to_have_value("最初の段落。二度目で保存される一文。")
    expect(page.get_by_text(KEPT_IN_BROWSER_OFFER)).to_have_count(0)
    assert page.evaluate(f"localStorage.getItem('section-draft:{section.pk}')") is None
    assert asked == []


def test_a_submitted_text_is_shown_as_typed(page: Page, live_server, staff_roles):
    writer = make_user("writer", group="Writers")
    body = "```yaml\nmetadata:\n  name: default\n```"
    section = make_section(make_report(), author=writer, status=SectionStatus.IN_REVIEW, body=body)
    log_in(page, live_server, "writer")

    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")

    text = page.locator(".field-body .readonly")
    white_space, font = text.evaluate(
        "(text) => [getComputedStyle(text).whiteSpace, getComputedStyle(text).fontFamily]"
    )
    shown_in = font.split(", ")[0]
    assert (text.inner_text(), white_space, shown_in) == (body, "pre-wrap", "ui-monospace")


SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"desk-{name}.png"), full_page=True)


def test_a_tab_opened_before_the_section_was_submitted_gives_its_text_back(
    writer_at_desk, live_server
):
    make_user("chief", group="Editors")
    first, section = writer_at_desk
    second = first.context.new_page()
    second.set_viewport_size({"width": 1280, "height": 900})
    second.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    expect(second.locator(".markdown-editor__preview")).to_contain_text("最初の段落。")

    # Tab A: a line, then saved and sent for review in one click.
    textarea = first.locator("textarea[name=body]")
    textarea.press("End")
    textarea.type("タブAの一文。")
    first.get_by_role("button", name="保存してレビューを依頼").click()
    expect(first.locator(".messagelist")).to_contain_text("レビューを依頼しました。")

    # Tab B: while a paragraph is typed, the line under the title says what happened to the
    # section, not that the login expired.
    body = second.locator("textarea[name=body]")
    body.press("End")
    body.type("タブBで時間をかけて書いた段落。")
    status = second.locator("[data-autosave-status]")
    expect(status).to_contain_text("あなたがこの節のレビューを依頼しました", timeout=8000)
    expect(status).to_contain_text("このブラウザにだけ残っています")
    expect(status).not_to_contain_text("ログインが切れた")
    _screenshot(second, "stale-tab-typing")

    # Saved anyway: refused, with the text sent to copy, and nothing written.
    second.get_by_role("button", name="保存して編集を続ける").click()
    expect(second.locator(".refusal__reason")).to_contain_text(
        "あなたがこの節のレビューを依頼しました"
    )
    expect(second.get_by_text("何も保存していません。")).to_contain_text(
        "chief 表示名に「修正を依頼」で差し戻してもらってから"
    )
    expect(second.locator("#sent-body")).to_have_value(
        "最初の段落。タブBで時間をかけて書いた段落。"
    )
    expect(second.locator("#sent-heading")).to_have_value("下書きの節")
    _screenshot(second, "stale-tab-refused")
    second.get_by_role("button", name="本文をコピー").click()
    expect(second.locator("#sent-body-copied")).to_have_text(
        re.compile("コピーしました。|文字を選択しました。")
    )
    section.refresh_from_db()
    assert (section.body, section.status) == ("最初の段落。タブAの一文。", SectionStatus.IN_REVIEW)

    # The section as it stands now: locked, saying whom to ask.
    second.get_by_role("link", name="節を開く").click()
    expect(second.locator(".workflow-panel__locked")).to_contain_text("chief 表示名")


def test_text_kept_from_another_tab_outlives_a_submission_without_a_choice(
    writer_at_desk, live_server
):
    page, section = writer_at_desk
    page.set_viewport_size({"width": 1280, "height": 900})
    SectionAutosave.objects.create(
        section=section,
        user=section.author,
        heading=section.heading,
        body="最初の段落。タブBで書いた大事な段落です。",
        base_version=section.version,
    )
    page.reload()
    expect(page.get_by_text(KEPT_ON_THE_SERVER_OFFER)).to_be_visible()

    # Typing here while the offer stands does not replace the text offered on the server.
    textarea = page.locator("textarea[name=body]")
    textarea.press("End")
    textarea.type("このタブの一文。")
    expect(page.locator("[data-autosave-status]")).to_have_text(
        "このブラウザにだけ一時保存しました。上の自動保存された内容を戻すか破棄するまで、"
        "サーバーには保存しません。",
        timeout=8000,
    )
    assert SectionAutosave.objects.get().body == "最初の段落。タブBで書いた大事な段落です。"

    page.get_by_role("button", name="保存してレビューを依頼").click()

    expect(page.locator(".messagelist")).to_contain_text("戻さずに保存しました")
    expect(page.locator(".messagelist")).to_contain_text("レビューを依頼しました。")
    expect(page.locator("#kept-body")).to_have_value("最初の段落。タブBで書いた大事な段落です。")
    expect(page.get_by_role("button", name="エディタに戻す")).to_have_count(0)
    _screenshot(page, "kept-text-after-submission")
    section.refresh_from_db()
    assert (section.body, section.status) == (
        "最初の段落。このタブの一文。",
        SectionStatus.IN_REVIEW,
    )
