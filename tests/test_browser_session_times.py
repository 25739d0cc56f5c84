"""An event's sessions in a real browser whose clock is not Tokyo's (a writer abroad): the
table fits a laptop beside the admin's menu a line a session, reads on a phone, and the
times typed into it and into a session's page are the event's."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from sessions.models import Session
from tests.factories import make_event, make_session, make_user
from tests.test_browser_editorial import (  # the same CSP check as the editorial journey
    CSP_VIOLATIONS,
    PASSWORD,
    no_csp_violations,  # noqa: F401  (autouse fixture: fails the test on a CSP violation)
)
from tests.test_quality import AXE_SCRIPT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staff_roles"),
]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DETROIT = ZoneInfo("America/Detroit")
TITLES = [
    "Keynote: Welcome Back to In-Person KubeCon + CloudNativeCon North America",
    "Istio Today and Tomorrow: Sidecars and Beyond",
    "Migrating From Single-Node Kubernetes Control Plane To HA In Production",
    "Lightning Talk: Dapr SDK で WasmEdge のマイクロサービスを組む",
]


@pytest.fixture
def event():
    make_user("chief", group="Editors")
    event = make_event(
        name="KubeCon + CloudNativeCon North America 2022", time_zone="America/Detroit"
    )
    for hour, title in enumerate(TITLES, start=9):
        make_session(
            event,
            title=title,
            kind="lightning_talk" if title.startswith("Lightning") else "session",
            track="Reliability + Operational Continuity",
            room="Room 250 A-D",
            starts_at=datetime.datetime(2022, 10, 26, hour, 0, tzinfo=DETROIT),
            ends_at=datetime.datetime(2022, 10, 26, hour, 35, tzinfo=DETROIT),
        )
    return event


def log_in_abroad(browser: Browser, live_server, *, bypass_csp: bool = False) -> Page:
    """The editor, from a browser on UTC: neither Tokyo's clock nor Detroit's.
    `bypass_csp` for axe-core, injected as an inline script."""
    context = browser.new_context(
        locale="ja-JP", timezone_id="UTC", viewport=LAPTOP, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and CSP_VIOLATIONS.append(message.text)
        ),
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    return page


def _serious_violations(page: Page, within: str) -> list[tuple[str, list]]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("within => axe.run(within, {resultTypes: ['violations']})", within)
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def _screenshot(locator, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"session-times-{name}.png"))


def _right(box: dict) -> float:
    return box["x"] + box["width"]


def test_an_event_s_sessions_fit_a_laptop_beside_the_menu_a_line_each(
    browser: Browser, live_server, event
):
    page = log_in_abroad(browser, live_server)
    page.goto(f"{live_server.url}/admin/conference/event/{event.pk}/change/")
    expect(page.locator("#nav-sidebar")).to_be_visible()
    sessions = page.locator("#sessions-group")
    sessions.scroll_into_view_if_needed()
    _screenshot(sessions, "laptop")

    box = sessions.locator(".wrapper")
    visible_until = min(_right(box.bounding_box()), LAPTOP["width"])
    # Every column, the last (delete) too, in sight: nothing to scroll to inside the box.
    assert _right(sessions.locator("thead th").last.bounding_box()) <= visible_until
    rows = sessions.locator("tbody tr.has_original")
    expect(rows).to_have_count(len(TITLES))
    assert _right(rows.first.locator("td.delete input").bounding_box()) <= visible_until
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth")
    # A line a session: less than two boxes tall (Django's table took 300 px a session).
    title_box = rows.first.locator("td.field-title input").bounding_box()
    for row in rows.all():
        assert row.bounding_box()["height"] < 2 * title_box["height"]
    # One note for the table, not one under each time box.
    expect(sessions.locator(".session-rows__clock")).to_have_text(
        "開始日時と終了日時は、開催地のタイムゾーン America/Detroit の時刻で入力・表示します。"
    )
    expect(sessions.locator(".timezonewarning")).to_have_count(0)
    # Nor under the first and last days, which are dates on no clock.
    expect(page.locator(".field-starts_on .datetimeshortcuts").first).to_be_visible()
    for note in page.locator(".timezonewarning").all():
        expect(note).to_be_hidden()


def test_an_event_s_sessions_read_on_a_phone(browser: Browser, live_server, event):
    page = log_in_abroad(browser, live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/conference/event/{event.pk}/change/")
    first = page.locator("#sessions-group tbody tr.has_original").first
    first.scroll_into_view_if_needed()
    _screenshot(first, "phone")

    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window
    for control in first.locator("input:not([type=hidden]), select, a").all():
        control_box = control.bounding_box()
        assert control_box["x"] >= 0 and _right(control_box) <= window
    # Each box under its column's name.
    label = first.locator("td.field-starts_at").evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert "開始日時" in label


def test_times_typed_in_the_browser_are_the_event_s(browser: Browser, live_server, event):
    page = log_in_abroad(browser, live_server)
    page.goto(f"{live_server.url}/admin/conference/event/{event.pk}/change/")
    start = page.locator("#id_sessions-0-starts_at")
    expect(start).to_have_value("2022-10-26T09:00")

    start.fill("2022-10-26T10:00")
    page.locator("#id_sessions-0-ends_at").fill("2022-10-26T10:30")
    page.get_by_role("button", name="保存して編集を続ける").click()

    expect(page.locator(".errornote, .errorlist")).to_have_count(0)
    expect(page.locator(".messagelist")).to_contain_text("変更しました")
    expect(start).to_have_value("2022-10-26T10:00")
    session = Session.objects.get(title=TITLES[0])
    assert session.starts_at == datetime.datetime(2022, 10, 26, 10, 0, tzinfo=DETROIT)

    # The session's page: Django's note under its time boxes names the event's zone.
    page.goto(f"{live_server.url}/admin/conference/session/{session.pk}/change/")
    expect(page.locator("#id_starts_at_1")).to_have_value("10:00:00")
    expect(page.locator(".timezonewarning").first).to_contain_text(
        "注意: 時刻は America/Detroit のタイムゾーンで入力してください"
    )
    page.fill("#id_starts_at_1", "10:05")
    page.get_by_role("button", name="保存して編集を続ける").click()
    expect(page.locator("#id_starts_at_1")).to_have_value("10:05:00")
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime(2022, 10, 26, 10, 5, tzinfo=DETROIT)

    # A new session whose event is not chosen yet: no note naming a zone nothing is read in.
    page.goto(f"{live_server.url}/admin/conference/session/add/")
    expect(page.locator("#id_starts_at_0")).to_be_visible()
    expect(page.locator(".timezonewarning").first).to_be_hidden()
    expect(page.locator("#id_starts_at_helptext")).to_have_text(
        "上で選ぶイベントの開催地のタイムゾーンの時刻として読み取ります。"
    )


@pytest.mark.axe
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_an_event_s_sessions_have_no_serious_accessibility_violation(
    browser: Browser, live_server, event, viewport
):
    page = log_in_abroad(browser, live_server, bypass_csp=True)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/admin/conference/event/{event.pk}/change/")

    # The table's controls (the admin's date boxes above are Django's own).
    assert _serious_violations(page, "#sessions-group") == []
