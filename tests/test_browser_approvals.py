"""Approvals in a real browser: they survive saves that change nothing and edits of the
report's own texts, and only a real change to one section sends that section (alone) back."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from reversion.models import Version

from blog import workflow
from blog.models import Report, Section, SectionStatus, SectionTransition
from tests.factories import make_report, make_section, make_user
from tests.test_browser_editorial import (  # the same login and CSP check as the editorial journey
    log_in,
    no_csp_violations,  # noqa: F401  (autouse fixture: fails the test on a CSP violation)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staff_roles"),
]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"

NOTHING_SAVED = "変更がなかったため、何も保存していません。"
BACK_IN_REVIEW = "内容を変更したためレビューに戻りました"

OPENING_BODY = "基調講演の要点をまとめます。\n\n講演者はクラスタ運用の自動化を紹介しました。"
ARCHITECTURE_BODY = (
    "構成は三層です。\n\n"
    "コントロールプレーンは二台で冗長化されていました。\n\n"
    "監視には既存の仕組みをそのまま使っています。"
)
CLOSING_BODY = "全体として実践的な内容でした。\n\n次回も参加したいと思います。"


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"approvals-{name}.png"), full_page=True)


def _statuses(report: Report) -> dict[str, str]:
    return dict(report.sections.values_list("heading", "status"))


def _assert_all_approvals_hold(report: Report) -> None:
    for section in Section.objects.filter(report=report):
        assert section.status == SectionStatus.APPROVED, section.heading
        assert section.approval_holds(), section.heading


def _revision_count(report: Report) -> int:
    objects = [report, *report.sections.all()]
    return sum(Version.objects.get_for_object(obj).count() for obj in objects)


def _publish_button(page: Page):
    return page.get_by_role("button", name="今すぐ公開", exact=True)


def _table_badges(page: Page):
    """The review status shown in each row of the report page's section table, in order."""
    return page.locator("#report-sections tbody .status-badge")


def _schedule_button(page: Page):
    return page.locator("button[name=schedule]")


def test_approvals_hold_until_a_section_really_changes(browser: Browser, live_server):
    # 1. A draft report: three submitted sections by two writers, and an editor.
    alice = make_user("alice", group="Writers")
    bob = make_user("bob", group="Writers")
    make_user("chief", group="Editors")
    report = make_report(title="承認を守るレポート", lead="最初のリード文です。")
    opening = make_section(report, author=alice, position=1, heading="基調講演", body=OPENING_BODY)
    architecture = make_section(
        report, author=alice, position=2, heading="構成の話", body=ARCHITECTURE_BODY
    )
    closing = make_section(report, author=bob, position=3, heading="まとめ", body=CLOSING_BODY)
    sections = [opening, architecture, closing]
    for section in sections:
        workflow.submit(section, by=section.author)
    assert set(_statuses(report).values()) == {SectionStatus.IN_REVIEW}
    report_url = f"{live_server.url}/admin/blog/report/{report.pk}/change/"

    # 2. The editor approves each section on its own page.
    chief = log_in(browser, live_server, "chief")
    for section in sections:
        chief.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
        expect(chief.locator(".workflow-panel__state")).to_contain_text("レビュー中")
        chief.get_by_role("button", name="承認する", exact=True).click()
        expect(chief.locator(".messagelist")).to_contain_text("承認しました")
        expect(chief.locator(".workflow-panel__state")).to_contain_text("承認済み")
    _assert_all_approvals_hold(report)

    # 3. Saving the report page without changing anything changes nothing.
    transitions = SectionTransition.objects.count()
    versions = dict(report.sections.values_list("pk", "version"))
    revisions = _revision_count(report)
    chief.goto(report_url)
    expect(_publish_button(chief)).to_be_enabled()
    chief.click("input[name=_continue]")
    expect(chief.locator(".messagelist")).to_contain_text(NOTHING_SAVED)
    expect(chief.locator(".messagelist")).not_to_contain_text(BACK_IN_REVIEW)
    expect(chief.locator("#publication-blockers")).to_have_count(0)
    expect(_publish_button(chief)).to_be_enabled()
    expect(_schedule_button(chief)).to_be_enabled()
    expect(_table_badges(chief)).to_have_text(["承認済み", "承認済み", "承認済み"])
    _screenshot(chief, "1-saved-without-changes")
    _assert_all_approvals_hold(report)
    assert SectionTransition.objects.count() == transitions
    assert dict(report.sections.values_list("pk", "version")) == versions
    assert _revision_count(report) == revisions

    # 4. Editing only the report's lead leaves every approval standing.
    chief.fill("#id_lead", "書き直したリード文です。三つの講演を紹介します。")
    chief.click("input[name=_continue]")
    expect(chief.locator(".messagelist")).to_contain_text("変更しました")
    expect(chief.locator(".messagelist")).not_to_contain_text(NOTHING_SAVED)
    expect(chief.locator(".messagelist")).not_to_contain_text(BACK_IN_REVIEW)
    expect(chief.locator("#publication-blockers")).to_have_count(0)
    expect(_publish_button(chief)).to_be_enabled()
    report.refresh_from_db()
    assert report.lead == "書き直したリード文です。三つの講演を紹介します。"
    _assert_all_approvals_hold(report)
    assert SectionTransition.objects.count() == transitions
    assert dict(report.sections.values_list("pk", "version")) == versions

    # 5. The editor reopens one section; its writer changes one sentence and resubmits.
    chief.goto(f"{live_server.url}/admin/blog/section/{architecture.pk}/change/")
    chief.get_by_role("button", name="差し戻して再編集可能にする", exact=True).click()
    expect(chief.locator(".workflow-panel__state")).to_contain_text("下書き")

    writer = log_in(browser, live_server, "alice")
    writer.goto(f"{live_server.url}/admin/blog/section/{architecture.pk}/change/")
    expect(writer.locator(".workflow-panel__state")).to_contain_text("下書き")
    changed_body = ARCHITECTURE_BODY.replace(
        "二台で冗長化されていました。", "三台で冗長化されていました。"
    )
    writer.fill("#id_body", changed_body)
    writer.click("input[name=_submit_for_review]")
    expect(writer.locator(".messagelist")).to_contain_text("レビューを依頼しました")
    expect(writer.locator(".workflow-panel__state")).to_contain_text("レビュー中")

    assert _statuses(report) == {
        "基調講演": SectionStatus.APPROVED,
        "構成の話": SectionStatus.IN_REVIEW,
        "まとめ": SectionStatus.APPROVED,
    }
    architecture.refresh_from_db()
    assert architecture.body == changed_body
    for section in (opening, closing):
        section.refresh_from_db()
        assert section.approval_holds(), section.heading
    # Only the reopened section moved: reopened, then submitted.
    assert SectionTransition.objects.count() == transitions + 2
    assert list(
        SectionTransition.objects.filter(section=architecture)
        .order_by("-created_at", "-pk")
        .values_list("to_status", flat=True)[:2]
    ) == [SectionStatus.IN_REVIEW, SectionStatus.DRAFT]

    chief.goto(report_url)
    blockers = chief.locator("#publication-blockers")
    expect(blockers).to_be_visible()
    expect(blockers.get_by_role("listitem")).to_have_count(1)
    expect(blockers).to_contain_text("構成の話")
    expect(blockers).not_to_contain_text("基調講演")
    expect(blockers).not_to_contain_text("まとめ")
    expect(_table_badges(chief)).to_have_text(["承認済み", "レビュー中", "承認済み"])
    expect(_publish_button(chief)).to_be_disabled()
    expect(_publish_button(chief)).to_have_attribute("disabled", "")
    expect(_schedule_button(chief)).to_be_disabled()
    _screenshot(chief, "2-one-section-back-in-review")
