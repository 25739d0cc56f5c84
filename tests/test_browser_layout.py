"""The editors' admin pages fit the screen, in a real browser: on a phone (390 px) no page is
wider than the screen, a wide table scrolling in its own box with its title and state in
sight; on a desktop (1280 px) the change lists show every column beside the filters, and
the buttons beside a long title keep their labels on one line.

The data is sized like the demo's: long report titles, sessions' long English titles."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from blog import membership, trash, workflow
from blog.enums import SectionStatus
from blog.models import ShareLink
from tests.factories import (
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_user,
)
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
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
EVENT = "KubeCon + CloudNativeCon North America 2022"
PUBLISHED_REPORT = f"{EVENT} 参加レポート"
OPEN_REPORT = "KubeCon で学んだことを社内に持ち帰る: 参加メンバーの振り返り"
SESSION_TITLES = [
    "Istio Today and Tomorrow: Sidecars and Beyond",
    "Cloud Governance With Infrastructure As Code (IaC) With Kyverno And Crossplane",
    "Migrating From Single-Node Kubernetes Control Plane To HA In Production",
    "When the Logs Just Don’t Cut It: Root-Causing Incidents Without Re-Deploying Prod",
]
LONG_HEADING = (
    "“Why Can’t Kubernetes Devs Just Add This New Feature? Seems So Easy!” - "
    "Understanding the Feature Lifecycle In Kubernetes, and What It Takes To Ship One"
)

# How far the page scrolls sideways: never more than the window.
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# What scroll-cue.js marks a box with while part of its table is out of sight that way.
MORE_LEFT = re.compile(r"\bhas-more-left\b")
MORE_RIGHT = re.compile(r"\bhas-more-right\b")


@pytest.fixture
def desk():
    return build_desk()


def build_desk():
    """Two reports as the demo has them: one published, one being written with a section
    in each review state, late and due-soon work, share links and an audit trail."""
    chief = make_user("chief", group="Editors")
    writer = make_user("writer", group="Writers")
    colleagues = [make_user(f"colleague{n}", group="Writers") for n in range(3)]
    today = timezone.localdate()

    published = make_report(published=True, title=PUBLISHED_REPORT, event=make_event(name=EVENT))
    for position, title in enumerate(SESSION_TITLES):
        make_section(published, author=colleagues[position % 3], heading=title, position=position)

    report = make_report(title=OPEN_REPORT, due_on=today + datetime.timedelta(days=2))
    for person in (writer, *colleagues):
        membership.add_writer(report, person, by=chief)
    make_section(
        report,
        author=writer,
        heading="サイドカーの再起動をどう減らすか",
        position=0,
        due_on=today - datetime.timedelta(days=1),
    )
    asked = make_section(
        report, author=colleagues[0], heading="ポリシーで守るインフラのコード化", position=1
    )
    workflow.submit(asked, by=colleagues[0])
    workflow.request_changes(
        asked,
        by=chief,
        comment="Kyverno のポリシー例を一つ載せると、読者がイメージしやすくなると思います。",
    )
    waiting = make_section(
        report, author=colleagues[1], heading=LONG_HEADING, position=2, due_on=today
    )
    workflow.submit(waiting, by=colleagues[1])
    workflow.assign_reviewer(waiting, chief, by=chief)
    make_section(
        report,
        author=colleagues[2],
        heading="ランタイムの脅威検知を小さく始める",
        position=3,
        status=SectionStatus.APPROVED,
    )
    ShareLink.objects.create(
        report=report, created_by=chief, expires_at=timezone.now() + datetime.timedelta(days=7)
    )
    ShareLink.objects.create(
        report=report,
        created_by=chief,
        expires_at=timezone.now() + datetime.timedelta(days=3),
        revoked_at=timezone.now(),
    )
    return {"report": report, "waiting": waiting}


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"layout-{name}.png"), full_page=True)


def _right_edge(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"]


def columns_out_of_sight(page) -> dict[str, float]:
    """The change list's column headings whose right edge is past what the list shows."""
    visible_until = min(_right_edge(page, "#changelist-form .results"), DESKTOP["width"])
    headings = page.locator("#result_list thead th:not(.action-checkbox-column)")
    edges = {
        heading.inner_text().strip(): heading.bounding_box()["x"] + heading.bounding_box()["width"]
        for heading in headings.all()
    }
    return {name: edge for name, edge in edges.items() if edge > visible_until}


@pytest.mark.parametrize("username", ["chief", "writer"])
def test_admin_home_fits_a_phone(browser: Browser, live_server, desk, username):
    page = log_in(browser, live_server, username)
    page.set_viewport_size(PHONE)
    page.reload()

    expect(page.locator("#deadlines-title")).to_be_visible()
    _screenshot(page, f"home-{username}-phone")
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    # The late section's title and its state are both in sight.
    late = page.locator(".dashboard-deadline--late").first
    for part in ("a", ".status-badge"):
        box = late.locator(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= window


def test_a_report_with_a_long_word_in_its_title_fits_a_phone(browser: Browser, live_server, desk):
    report = desk["report"]
    report.title = "長いタイトル KubernetesObservabilityPlatformEngineeringConference の報告"
    report.save(update_fields=["title"])
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/blog/report/{report.pk}/change/")

    _screenshot(page, "report-long-word-phone")
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window


def test_a_share_link_is_copied_with_its_button(browser: Browser, live_server, desk):
    page = log_in(browser, live_server, "chief")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/admin/blog/report/{desk['report'].pk}/change/")
    links = page.locator(".share-links tbody tr")
    # Only the link still usable has the button; the revoked one has nothing to copy.
    expect(links.get_by_role("button", name="コピー")).to_have_count(1)

    links.get_by_role("button", name="コピー").click()

    expect(page.get_by_role("status").filter(has_text="リンクをコピーしました。")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"{live_server.url}/preview/shared/")
    assert copied in [field.input_value() for field in links.locator("input").all()]


def test_report_page_fits_a_phone_its_sections_scrolling_in_their_box(
    browser: Browser, live_server, desk
):
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/blog/report/{desk['report'].pk}/change/")

    expect(page.locator(".share-links")).to_be_visible()
    _screenshot(page, "report-phone")
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    first_row = page.locator("#report-sections tbody tr").first
    for cell in ("th a", ".status-badge"):
        assert _right_edge(page, f"#report-sections tbody tr:first-child {cell}") <= window
    assert _right_edge(page, ".share-links__url") <= window

    # The columns out of sight are there to scroll to, and the box says so.
    box = page.locator("#report-sections .scroll-box")
    expect(box).to_have_class(MORE_RIGHT)
    expect(box).not_to_have_class(MORE_LEFT)
    box.evaluate("box => box.scrollTo({left: box.scrollWidth})")
    expect(box).to_have_class(MORE_LEFT)
    expect(box).not_to_have_class(MORE_RIGHT)
    expect(first_row).to_contain_text("未割り当て")


def test_report_writers_are_readable_on_a_phone(browser: Browser, live_server, desk):
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/blog/report/{desk['report'].pk}/change/")

    writers = page.locator("#memberships-group")
    writers.scroll_into_view_if_needed()
    expect(writers.locator("tbody tr.has_original")).to_have_count(4)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    writers.screenshot(path=str(SCREENSHOTS / "layout-report-writers-phone.png"))
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    # Each name once, in its menu; headings, who added a writer and when on one line each.
    expect(writers.locator("tbody tr.has_original td.original p").first).to_be_hidden()
    lines = writers.evaluate(
        """group => [...group.querySelectorAll(
               "thead th, td.field-added_by_name p, td.field-added_at p")]
             .filter(cell => cell.offsetParent && cell.textContent.trim())
             .map(cell => {
               const range = document.createRange();
               range.selectNodeContents(cell);
               const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
               return [cell.textContent.trim(), tops.size];
             })"""
    )
    assert lines and {text: count for text, count in lines if count > 1} == {}
    # What does not fit scrolls in the table's own box, which says so.
    expect(writers.locator(".wrapper")).to_have_class(MORE_RIGHT)


def test_audit_trail_fits_a_phone(browser: Browser, live_server, desk):
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/blog/report/audit/")

    entry = page.locator(".audit-trail table tbody tr").filter(has_text="Kyverno のポリシー例")
    expect(entry).to_be_visible()
    _screenshot(page, "audit-phone")
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    assert _right_edge(page, ".audit-trail table tbody tr") <= window


def trash_with_a_section_and_a_photo(desk) -> None:
    chief = get_user_model().objects.get(username="chief")
    trash.trash_section(desk["waiting"], by=chief)
    trash.trash_photo(make_photo(desk["report"], in_gallery=True, alt_text="会場の写真"), by=chief)


def test_trash_fits_a_phone_its_buttons_on_one_line(browser: Browser, live_server, desk):
    trash_with_a_section_and_a_photo(desk)
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/blog/report/trash/")

    buttons = page.locator(".trash table").get_by_role("button", name="元に戻す")
    expect(buttons).to_have_count(2)
    _screenshot(page, "trash-phone")
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    lines = page.evaluate(
        """() => [...document.querySelectorAll(
               '.trash tbody td:nth-last-child(3), .trash tbody td:nth-last-child(2), '
               + '.trash-actions .button')]
             .map(cell => {
               const range = document.createRange();
               range.selectNodeContents(cell);
               const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
               return [cell.textContent.trim().slice(0, 20), tops.size];
             })"""
    )
    # When, who moved it and each button read on one line each, not a character a line.
    assert len(lines) == 6 and {text: count for text, count in lines if count > 1} == {}
    for row in page.locator(".trash table tbody tr").all():
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= window


def test_trash_on_a_desktop_reads_its_short_columns_in_one_line(
    browser: Browser, live_server, desk
):
    trash_with_a_section_and_a_photo(desk)
    make_user("root", is_superuser=True, group="Editors")  # restores and deletes for good
    page = log_in(browser, live_server, "root")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/blog/report/trash/")

    expect(page.locator(".trash table").get_by_role("button", name="完全に削除")).to_have_count(2)
    _screenshot(page, "trash-desktop")
    tables = page.locator(".trash table")
    # The headings, when, who: one line each (移した人 broke after 移した).
    short = tables.locator(
        "thead th:not(:last-child), tbody td:nth-last-child(3), tbody td:nth-last-child(2)"
    )
    for cell in short.all():
        assert cell.evaluate(TEXT_LINES) == 1, cell.inner_text()
    # Both buttons side by side, not one above the other.
    for row in tables.locator("tbody tr").all():
        restore, purge = (
            row.get_by_role("button", name="元に戻す"),
            row.get_by_role("button", name="完全に削除"),
        )
        assert restore.bounding_box()["y"] == purge.bounding_box()["y"]
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window


def test_trash_buttons_are_a_thumb_s_size_on_a_phone(browser: Browser, live_server, desk):
    trash_with_a_section_and_a_photo(desk)
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/blog/report/trash/")

    buttons = page.locator(".trash table").get_by_role("button", name="元に戻す")
    expect(buttons).to_have_count(2)
    for button in buttons.all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box


@pytest.mark.parametrize(
    ("changelist", "state"),
    [("section", "レビュー状態"), ("report", "公開")],
    ids=["sections", "reports"],
)
def test_change_list_shows_every_column_beside_the_filters(
    browser: Browser, live_server, desk, changelist, state
):
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/blog/{changelist}/")

    expect(page.locator("#changelist-filter")).to_be_visible()
    _screenshot(page, f"{changelist}-list-desktop")
    # The list ends where the filters begin: a column past that edge is cut off.
    visible_until = min(_right_edge(page, "#changelist-form .results"), DESKTOP["width"])
    headings = page.locator("#result_list thead th:not(.action-checkbox-column)")
    edges = {
        heading.inner_text().strip(): heading.bounding_box()["x"] + heading.bounding_box()["width"]
        for heading in headings.all()
    }
    assert edges[state] <= visible_until
    assert {name: edge for name, edge in edges.items() if edge > visible_until} == {}


# 200 characters, Japanese and Latin, with a run of Latin no space breaks (a product name).
LONG_TITLE = (
    "KubeCon 参加レポート: "
    + "CloudNativeObservabilityPlatformEngineering" * 3
    + "、サイドカーレス Istio と Kyverno によるクラウドガバナンス、HA コントロールプレーンへの移行"
)
LONG_TITLE = (LONG_TITLE + "、そして eBPF による本番環境の障害調査まで" * 3)[:200]


@pytest.mark.parametrize("changelist", ["report", "section"])
def test_a_long_title_wraps_in_its_column(browser: Browser, live_server, desk, changelist):
    assert len(LONG_TITLE) == 200
    if changelist == "report":
        make_report(title=LONG_TITLE)
    else:
        desk["waiting"].heading = LONG_TITLE
        desk["waiting"].save(update_fields=["heading"])
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/blog/{changelist}/")

    expect(page.locator("#result_list")).to_contain_text(LONG_TITLE[:20])
    _screenshot(page, f"{changelist}-list-long-title-desktop")
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    # Every column in sight beside the filters, as without a long title.
    assert columns_out_of_sight(page) == {}
    title = page.locator("#result_list tbody th").filter(has_text=LONG_TITLE[:20])
    assert title.bounding_box()["width"] >= 120  # lines of a few words still

    # On a phone the list scrolls in its box; the title still reads in lines of words.
    page.set_viewport_size(PHONE)
    page.reload()
    _screenshot(page, f"{changelist}-list-long-title-phone")
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
    assert title.bounding_box()["width"] >= 150


def test_buttons_beside_a_long_title_keep_their_labels_on_one_line(
    browser: Browser, live_server, desk
):
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/blog/section/{desk['waiting'].pk}/change/")

    preview = page.get_by_role("link", name="レポートをプレビュー")
    expect(preview).to_be_visible()
    _screenshot(page, "section-long-title-desktop")
    lines = page.evaluate(
        """() => [...document.querySelectorAll('.object-tools a')].map(link => {
             const range = document.createRange();
             range.selectNodeContents(link);
             const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
             return [link.textContent.trim(), tops.size];
           })"""
    )
    assert lines and all(count == 1 for _label, count in lines), lines
    # Side by side, not one under the other in a column as narrow as the widest.
    history = page.locator(".object-tools").get_by_role("link", name="履歴")
    assert history.bounding_box()["y"] == preview.bounding_box()["y"]


@pytest.mark.parametrize(
    ("page_of", "inputs"),
    [
        ("section", ["#id_heading", "#id_author_team"]),
        ("report", ["#id_title"]),
    ],
    ids=["section", "report"],
)
def test_title_inputs_take_the_width_of_the_form(
    browser: Browser, live_server, desk, page_of, inputs
):
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(DESKTOP)
    item = desk["waiting"] if page_of == "section" else desk["report"]
    page.goto(f"{live_server.url}/admin/blog/{page_of}/{item.pk}/change/")

    expect(page.locator(inputs[0])).to_be_visible()
    _screenshot(page, f"{page_of}-titles-desktop")
    form_edge = _right_edge(page, "#content-main form fieldset")
    # A session's or event's title shows whole enough in its search menu.
    menu = page.locator(".field-session .select2-container, .field-event .select2-container")
    assert menu.first.bounding_box()["width"] >= 480
    for selector in inputs:
        box = page.locator(selector).bounding_box()
        # Long enough for a title of some thirty-five Japanese characters, within the form.
        assert box["width"] >= 560, (selector, box["width"])
        assert box["x"] + box["width"] <= form_edge, selector


@pytest.mark.parametrize("width", [DESKTOP["width"], PHONE["width"]])
def test_a_long_report_title_keeps_the_report_menu_and_its_icons_in_the_form(
    browser: Browser, live_server, desk, width
):
    make_report(
        title="🚀クラウドネイティブ会議東京2026参加報告：大規模Kubernetesクラスタの運用自動化と"
        "オブザーバビリティ実践、そしてプラットフォームエンジニアリングの未来に向けた提言まとめ🎉"
    )
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/admin/blog/section/{desk['waiting'].pk}/change/")

    _screenshot(page, f"section-report-menu-{width}")
    menu = page.locator("#id_report").bounding_box()
    icons = page.locator(".field-report .related-widget-wrapper-link").all()
    form_edge = _right_edge(page, "#content-main form fieldset")
    assert menu["x"] + menu["width"] <= form_edge
    for icon in icons:
        box = icon.bounding_box()
        # Beside the menu, on its line: not wrapped under it.
        assert abs(box["y"] + box["height"] / 2 - (menu["y"] + menu["height"] / 2)) < 8
        assert box["x"] + box["width"] <= form_edge


LONG_ALT_TEXT = (
    "コントロールプレーンの下に3つの Pod が並び、各 Pod の中でアプリケーションと"
    "サイドカープロキシが対になっている構成図"
)


def test_photo_list_shows_every_column_beside_the_filters(browser: Browser, live_server, desk):
    report = desk["report"]
    section = report.sections.get(position=0)
    make_photo(report, section, alt_text=LONG_ALT_TEXT)
    make_photo(report, alt_text="黄色い四角が青い背景の中央にある図", in_gallery=True)
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/admin/blog/photo/")

    expect(page.locator("#changelist-filter")).to_be_visible()
    _screenshot(page, "photo-list-desktop")
    assert columns_out_of_sight(page) == {}
    # The description reads in lines of words, not a word a line; a long report title is
    # cut to three lines, whole on hovering.
    alt_text = page.locator("#result_list td.field-alt_text, #result_list th.field-alt_text")
    assert alt_text.first.bounding_box()["width"] >= 150
    title = page.locator("#result_list td.field-report_display [title]").first
    expect(title).to_have_attribute("title", report.title)
    line_height = float(title.evaluate("span => getComputedStyle(span).lineHeight")[:-2])
    assert title.bounding_box()["height"] <= 3 * line_height + 1


def test_photo_list_on_a_phone_gives_the_description_lines_of_words(
    browser: Browser, live_server, desk
):
    report = desk["report"]
    make_photo(report, report.sections.get(position=0), alt_text=LONG_ALT_TEXT)
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/blog/photo/")

    _screenshot(page, "photo-list-phone")
    alt_text = page.locator("#result_list :is(td, th).field-alt_text").first
    assert alt_text.bounding_box()["width"] >= 170  # about twelve characters a line
    preview = page.locator("#result_list .field-preview .photo-thumbnail").first
    assert preview.bounding_box()["width"] <= 70


def test_an_editor_s_request_is_at_reading_size(browser: Browser, live_server, desk):
    page = log_in(browser, live_server, "colleague0")
    asked = desk["report"].sections.get(author__username="colleague0")
    page.goto(f"{live_server.url}/admin/blog/section/{asked.pk}/change/")

    note = page.locator(".workflow-panel__request-note p").last
    expect(note).to_contain_text("Kyverno のポリシー例")
    size, colour, body_colour = note.evaluate(
        """p => [parseFloat(getComputedStyle(p).fontSize), getComputedStyle(p).color,
                 getComputedStyle(document.body).color]"""
    )
    assert size >= 15
    assert colour == body_colour


def test_a_writer_s_main_buttons_are_a_thumb_s_size_on_a_phone(browser: Browser, live_server, desk):
    page = log_in(browser, live_server, "writer")
    page.set_viewport_size(PHONE)
    own = desk["report"].sections.get(author__username="writer")
    page.goto(f"{live_server.url}/admin/blog/section/{own.pk}/change/")

    add_photo = page.locator(".markdown-editor__add-photo").first
    expect(add_photo).to_be_visible()
    assert add_photo.bounding_box()["height"] >= 44
    assert_label_in_the_middle(add_photo)


def test_an_editor_s_review_buttons_are_a_thumb_s_size_on_a_phone(
    browser: Browser, live_server, desk
):
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(PHONE)
    waiting = desk["report"].sections.filter(status="in_review").first()
    page.goto(f"{live_server.url}/admin/blog/section/{waiting.pk}/change/")

    for name in ("承認する", "修正を依頼", "コメントする"):
        button = page.get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        assert button.bounding_box()["height"] >= 44, name


def assert_label_in_the_middle(button) -> None:
    """The button's words sit in its middle, clear of its edges, as on every other button."""
    outer, words = button.bounding_box(), button.locator("span").bounding_box()
    above, below = (
        words["y"] - outer["y"],
        outer["y"] + outer["height"] - words["y"] - words["height"],
    )
    left = words["x"] - outer["x"]
    assert abs(above - below) <= 2, (above, below)
    assert above >= 4 and left >= 10, (above, left)


def test_the_photo_button_has_room_around_its_words_on_a_desktop(
    browser: Browser, live_server, desk
):
    page = log_in(browser, live_server, "writer")
    page.set_viewport_size(DESKTOP)
    own = desk["report"].sections.get(author__username="writer")
    page.goto(f"{live_server.url}/admin/blog/section/{own.pk}/change/")

    assert_label_in_the_middle(page.locator(".markdown-editor__add-photo").first)


# Lines of text a cell's words take, by the distinct tops of their boxes.
TEXT_LINES = """cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_delete_heading_of_an_event_s_sessions_reads_in_one_line(
    browser: Browser, live_server, desk, viewport
):
    event = make_event(name=EVENT)
    for hour, title in enumerate(SESSION_TITLES):
        starts_at = timezone.make_aware(datetime.datetime(2022, 10, 26, 9 + hour))
        make_session(
            event, title=title, track="Service Mesh", room="Room 140 A-F", starts_at=starts_at
        )
    page = log_in(browser, live_server, "chief")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/admin/conference/event/{event.pk}/change/")

    heading = page.locator("#sessions-group thead th").last
    # 削除, not Django's 削除しますか?: the table has seven columns to fit beside the menu.
    expect(heading).to_have_text("削除")
    heading.scroll_into_view_if_needed()
    _screenshot(page, f"event-sessions-{viewport['width']}")
    # It wrapped one character a line, seven lines over a column of tick boxes.
    assert heading.evaluate(TEXT_LINES) <= 2
    width, window = page.evaluate(PAGE_WIDTH)
    assert width <= window
