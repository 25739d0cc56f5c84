"""A reader's journey in a real browser: index, report, table of contents, phone width."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ROOT
from tests.factories import make_event, make_photo, make_report, make_section, make_session

SCREENSHOTS = ROOT / "test-results" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staff_roles"),
]


@pytest.fixture
def published_report():
    event = make_event(name="KubeCon NA", venue="Huntington Place")
    report = make_report(
        published=True,
        event=event,
        title="ブラウザで読むレポート",
        lead="リード文。",
        closing="締めの言葉。",
    )
    make_section(report, position=0, heading="イベント概要", body="概要の本文。")
    for position in range(1, 4):
        section = make_section(
            report, position=position, session=make_session(event), body="長い本文。\n\n" * 30
        )
        make_photo(report, section)
    for _ in range(2):
        make_photo(report, in_gallery=True, caption="会場の写真")
    return report


def test_reader_goes_from_index_to_a_section(page: Page, live_server, published_report):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="ブラウザで読むレポート").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("ブラウザで読むレポート")
    toc = page.get_by_role("navigation", name="目次")
    expect(toc.get_by_role("link")).to_have_count(7)
    last_section = published_report.sections.last()
    toc.get_by_role("link", name=last_section.title).click()

    expect(page).to_have_url(
        f"{live_server.url}{published_report.get_absolute_url()}#{last_section.anchor}"
    )
    expect(page.locator(f"#{last_section.anchor}")).to_be_in_viewport()


def test_report_page_fits_a_phone_screen(page: Page, live_server, published_report):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + published_report.get_absolute_url())

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow == 0
    images = page.locator("main img")
    expect(images).to_have_count(5)
    for index in range(5):
        assert images.nth(index).evaluate("img => img.getBoundingClientRect().width") <= 375


def test_a_kept_page_reaches_the_browser_compressed_and_whole(
    page: Page, live_server, published_report, settings
):
    settings.PAGE_CACHE_ENABLED = True
    address = live_server.url + published_report.get_absolute_url()
    page.goto(address)  # rendered and kept

    kept = page.goto(address)

    # Chromium offers brotli to this address, as to every HTTPS one (it is on this machine).
    assert (kept.status, kept.headers["content-encoding"]) == (200, "br")
    expect(page.get_by_role("heading", level=1)).to_have_text("ブラウザで読むレポート")
    expect(page.get_by_role("navigation", name="目次").get_by_role("link")).to_have_count(7)
    expect(page.locator("main img")).to_have_count(5)


@pytest.mark.parametrize("width", [390, 1280])
def test_headings_step_down_in_size_by_depth_whatever_their_tag(page: Page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    report = make_report(published=True, title="見出しの大きさ")
    body = "## 小見出し\n\n本文。\n\n### その下\n\n本文。\n\n#### さらに下\n\n本文。"
    plain = make_section(report, position=0, heading="普通の節", body=body)
    about_a_session = make_section(
        report, position=1, session=make_session(make_event()), body=body
    )
    page.goto(live_server.url + report.get_absolute_url())

    def sizes(section) -> list[float]:
        return page.evaluate(
            """anchor => {
                 const part = document.getElementById(anchor).closest('.report-section');
                 const size = selector => parseFloat(getComputedStyle(
                   part.querySelector(selector)).fontSize);
                 return ['.report-section__title', '.subheading-1', '.subheading-2',
                         '.subheading-3', '.prose p'].map(size);
               }""",
            section.anchor,
        )

    # The same `##` is an h3 under a plain section's h2 title and an h4 under a session's h3.
    assert page.locator(f"#{plain.anchor}-小見出し").evaluate("e => e.tagName") == "H3"
    assert page.locator(f"#{about_a_session.anchor}-小見出し").evaluate("e => e.tagName") == "H4"
    for section in (plain, about_a_session):
        title, first, second, third, text = sizes(section)
        assert title > first > second > third and second >= text
        # A first subheading is not mistaken for the section's title above it.
        assert title >= first * 1.1
    assert sizes(plain)[1:] == sizes(about_a_session)[1:]


# The page that tells readers how to follow the reports (/feeds/)

# Whether an element's text is drawn whole inside the window: not cut off by its box or
# by the window's edge, and not scrolled.
WHOLLY_IN_SIGHT = """element => {
  const box = element.getBoundingClientRect();
  return box.left >= 0 && box.right <= window.innerWidth
    && element.scrollWidth <= element.clientWidth;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_a_reader_copies_the_atom_address_from_the_footer_s_page(page: Page, live_server, width):
    make_report(published=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(live_server.url + "/")

    page.get_by_role("link", name="更新情報を受け取る（RSS・Atom）").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("更新情報を受け取る")
    for kind, path in (("atom", "/feed/"), ("rss", "/feed/rss/")):
        address = page.locator(f"#feed-address-{kind}")
        expect(address).to_have_text(live_server.url + path)
        assert address.evaluate(WHOLLY_IN_SIGHT)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0

    page.get_by_role("button", name="Atom のアドレスをコピー").click()

    expect(page.get_by_role("status").filter(has_text="アドレスをコピーしました。")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/feed/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"feeds-{width}.png", full_page=True)


def test_where_the_clipboard_refuses_the_address_is_selected_to_copy(page: Page, live_server):
    # A page served over plain HTTP, or a browser that says no, has no clipboard to write.
    page.add_init_script("navigator.clipboard.writeText = () => Promise.reject(new Error())")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/feeds/")

    page.get_by_role("button", name="RSS のアドレスをコピー").click()

    expect(page.get_by_role("status").filter(has_text="アドレスを選択しました。")).to_be_visible()
    assert page.evaluate("getSelection().toString()") == f"{live_server.url}/feed/rss/"


def test_without_javascript_the_addresses_are_there_and_no_button_that_does_nothing(
    browser: Browser, live_server
):
    context = browser.new_context(
        java_script_enabled=False, locale="ja-JP", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(live_server.url + "/feeds/")

    expect(page.locator("#feed-address-atom")).to_have_text(f"{live_server.url}/feed/")
    expect(page.locator("#feed-address-rss")).to_have_text(f"{live_server.url}/feed/rss/")
    expect(page.get_by_role("button", name="コピー")).to_have_count(0)
    # One tap (here a click) selects the whole address, ready to copy.
    page.locator("#feed-address-atom").click()
    assert page.evaluate("getSelection().toString()") == f"{live_server.url}/feed/"
    context.close()
