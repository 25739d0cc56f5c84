"""The coverage board in a real browser: a writer claims a session with the keyboard and
lands in the new draft about it; the board fits a phone."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from blog.models import ReportMember, Section
from tests.factories import make_event, make_report, make_session, make_speaker, make_user
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
TOKYO = datetime.timezone(datetime.timedelta(hours=9))
TITLE = "Istio Today and Tomorrow: Sidecars and Beyond"


@pytest.fixture
def event():
    event = make_event(name="KubeCon ブラウザ")
    istio = make_session(
        event,
        (
            make_speaker(name="Lin Sun", affiliation="Solo.io"),
            make_speaker(name="Mitch Connors", affiliation="Google"),
        ),
        title=TITLE,
        track="Service Mesh",
        starts_at=datetime.datetime(2022, 10, 26, 11, 0, tzinfo=TOKYO),
    )
    make_session(
        event,
        (make_speaker(name="Michael Yuan", affiliation="Second State"),),
        title="Cloud-Native WebAssembly: Containerization On the Edge",
        track="Edge",
        starts_at=datetime.datetime(2022, 10, 27, 14, 0, tzinfo=TOKYO),
    )
    event.istio = istio
    return event


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"coverage-{name}.png"), full_page=True)


def test_writer_claims_a_session_and_lands_in_the_new_draft(browser: Browser, live_server, event):
    make_user("alice", group="Writers")
    make_user("chief", group="Editors")
    report = make_report(title="KubeCon ブラウザ 参加レポート", event=event)

    page = log_in(browser, live_server, "alice")
    # Writing in no report yet, she is pointed to the board where she can claim a session.
    expect(page.locator(".ask-an-editor").last).to_contain_text("担当ボードで書きたいセッション")
    page.get_by_role("link", name="KubeCon ブラウザ: 担当ボード").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator(f"#session-{event.istio.pk}")).to_contain_text("担当者なし")

    # With the keyboard: the claim is a real button that takes focus and Enter.
    claim = page.get_by_role("button", name=re.compile(rf"^担当する\W*{re.escape(TITLE)}$"))
    claim.focus()
    expect(claim).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/admin/blog/section/\d+/change/$"))
    section = Section.objects.get(session=event.istio)
    assert page.url == f"{live_server.url}/admin/blog/section/{section.pk}/change/"
    box = page.locator(".session-box")
    expect(box).to_contain_text(TITLE)
    expect(box).to_contain_text("Lin Sun (Solo.io)")
    expect(box).to_contain_text("Mitch Connors (Google)")
    expect(page.locator(".messagelist")).to_contain_text("あなたの担当になりました")
    assert (section.report, section.author.username, section.status) == (report, "alice", "draft")
    assert ReportMember.objects.filter(report=report, user__username="alice").exists()

    # Back on the board, the session is theirs.
    page.goto(f"{live_server.url}/admin/blog/report/coverage/{event.pk}/")
    card = page.locator(f"#session-{event.istio.pk}")
    expect(card).to_contain_text("alice 表示名")
    expect(card).to_contain_text("下書き")
    expect(card.get_by_role("link", name="自分の節を開く")).to_be_visible()
    _screenshot(page, "desktop-light")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_board_fits_a_phone_in_both_themes(browser: Browser, live_server, event, scheme):
    make_user("chief", group="Editors")
    make_report(title="KubeCon ブラウザ 参加レポート", event=event)
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size({"width": 375, "height": 800})
    page.emulate_media(color_scheme=scheme)

    page.goto(f"{live_server.url}/admin/blog/report/coverage/{event.pk}/")

    expect(page.get_by_role("button", name="割り当てる").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    _screenshot(page, f"phone-{scheme}")
    # Every control on the board has a name a screen reader can say.
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll(
                '#coverage-board select, #coverage-board input:not([type=hidden])'
            )].filter(el => !(el.labels && el.labels.length)).length"""
    )
    assert unnamed == 0
    # The claim button is a thumb's size (44 px) on a phone.
    claim = page.locator(".coverage-claim-button").first
    assert claim.bounding_box()["height"] >= 44
