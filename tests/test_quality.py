"""The reader's pages as checkers and a real browser see them.

- axe-core in Chromium: no serious or critical accessibility violation, light and dark.
- The Nu HTML Checker: no HTML error.
- Screenshots of the report page at phone and desktop widths, light and dark, saved in
  test-results/screenshots/ for people to look at, with what can be measured asserted.
"""

import json
import re
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from playwright.sync_api import Page, expect

from tests.conftest import AXE_SCRIPT, ROOT, VNU_JAR
from tests.factories import (
    jpeg_bytes,
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
)

SCREENSHOTS = ROOT / "test-results" / "screenshots"

SECTION_BODY = """ここでは講演の要点をまとめます。

### {subheading}

- サイドカーを入れ替えるたびに再起動が必要になる
- L7 の機能が要らないワークロードにも**プロキシ**が付く

| 方式 | 再起動 |
| --- | --- |
| サイドカー | 必要 |
| Ambient | 不要 |

```yaml
apiVersion: v1
kind: Pod
spec:
  containers:
    - image: registry.example.com/platform/observability/collector:v1.2.3-with-a-long-build-tag
```

| 方式 | 再起動 | 必要な権限 | 対応バージョン | 備考 |
| --- | --- | --- | --- | --- |
| sidecar-injection-webhook | 必要 | namespace-admin | 1.15 以降 | 既存の構成 |

> 「まずは小さく試す」のがよいとのことでした。

詳しくは[講演資料](https://example.com/slides)をご覧ください。
"""


def build_reader_site() -> dict[str, str]:
    """A published report with everything a page can show; returns the pages' addresses."""
    event = make_event(
        name="KubeCon + CloudNativeCon North America 2022",
        city="Detroit, Michigan, USA",
        venue="Huntington Place",
        format="hybrid",
        website="https://example.com/kubecon",
        description="デトロイトで開かれたクラウドネイティブのカンファレンスです。",
    )
    report = make_report(
        published=True,
        event=event,
        title="KubeCon + CloudNativeCon North America 2022 参加レポート",
        lead="こんにちは、SRE ブロックの山本です。**7名**で参加してきました。",
        closing="また来年も参加したいと思います。",
    )
    report.tags.create(name="KubeCon")
    report.tags.create(name="カンファレンス")
    writers = [make_user(name, team="SRE部") for name in ("sato", "suzuki")]
    for writer in writers:
        # Staff without a group: browser tests empty the database, groups included.
        writer.is_staff = True
        writer.save()
    make_section(report, position=0, heading="イベント概要", author=writers[0], body="概要です。")
    lin = make_speaker(name="Lin Sun", affiliation="Solo.io", slug="lin-sun")
    for position, title in enumerate(["Istio Today and Tomorrow", "Security With Falco"], 1):
        speakers = (lin, make_speaker(name=f"Speaker {position}", affiliation="Example Inc."))
        session = make_session(event, speakers=speakers, title=title, track="Service Mesh")
        section = make_section(
            report,
            position=position,
            session=session,
            # One with a heading of its own: the session's title is printed under it.
            heading="Falco でランタイムを守る" if position == 2 else "",
            author=writers[position % 2],
            # Sub-headings differ: the same one in two sections would share an id (see
            # test_same_subheading_in_two_sections_keeps_ids_unique).
            body=SECTION_BODY.format(subheading=f"{title} の背景"),
        )
        make_photo(
            report,
            section,
            image=ContentFile(jpeg_bytes(960, 540, "steelblue"), name="slide.jpg"),
            alt_text="講演スライドの構成図",
            caption="構成図",
            credit_text="出典: 講演資料",
            credit_url="https://example.com/slides",
        )
    photo = {"image": ContentFile(jpeg_bytes(800, 600, "darkseagreen"), name="venue.jpg")}
    report.cover = make_photo(
        report, in_gallery=True, alt_text="会場の入口", caption="会場", **photo
    )
    report.save()
    photo = {"image": ContentFile(jpeg_bytes(800, 600, "slategray"), name="river.jpg")}
    make_photo(report, in_gallery=True, alt_text="デトロイト川", caption="川沿い", **photo)
    return {
        "index": "/",
        "report": report.get_absolute_url(),
        "event": event.get_absolute_url(),
        "speaker": lin.get_absolute_url(),
        "session": session.get_absolute_url(),
        "author": "/authors/sato/",
        "tag": report.tags.first().get_absolute_url(),
        "search": "/search/?q=サイドカー",
        "feeds": "/feeds/",
        "not_found": "/no-such-page/",
    }


@pytest.mark.vnu
@pytest.mark.django_db
def test_reader_pages_are_valid_html(client, tmp_path):
    pages = build_reader_site()
    files = {}
    for name, url in pages.items():
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(client.get(url).content)
    # The server error page is rendered without a request, as Django does on a crash.
    pages["server_error"] = None
    files["server_error"] = tmp_path / "server_error.html"
    files["server_error"].write_text(render_to_string("500.html"), encoding="utf-8")

    checked = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            *map(str, files.values()),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    messages = json.loads(checked.stderr)["messages"]
    errors = {
        name: [m["message"] for m in messages if m["url"].endswith(f"/{name}.html")]
        for name in pages
    }
    assert errors == {name: [] for name in pages}
    assert messages == []


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's own Content Security
    # Policy rightly refuses; the checks run with the policy bypassed.
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "name", ["index", "report", "event", "speaker", "session", "search", "feeds"]
)
def test_reader_page_has_no_serious_accessibility_violations(page: Page, live_server, name, scheme):
    url = build_reader_site()[name]
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + url)
    page.add_script_tag(path=str(AXE_SCRIPT))

    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")

    serious = [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("scheme", "background"), [("light", "rgb(251, 251, 253)"), ("dark", "rgb(18, 21, 27)")]
)
@pytest.mark.parametrize("width", [375, 1280])
def test_report_page_screenshot(page: Page, live_server, width, scheme, background):
    url = build_reader_site()["report"]
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + url)
    # Lazy images load as they scroll into view; a full-page picture needs them all now.
    page.evaluate("document.querySelectorAll('img').forEach(img => img.loading = 'eager')")
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"report-{width}-{scheme}.png", full_page=True)

    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
    toc = page.get_by_role("navigation", name="目次")
    jump = page.get_by_role("link", name="目次", exact=True)
    if width < 1088:  # below 68rem the contents are not a column beside the text
        expect(jump).to_be_visible()
        jump.click()
        expect(toc).to_be_in_viewport()
    else:
        expect(jump).to_be_hidden()
        page.locator(".report-section").last.scroll_into_view_if_needed()
        expect(toc).to_be_in_viewport()


@pytest.mark.django_db
def test_same_subheading_in_two_sections_keeps_ids_unique(client):
    report = make_report(published=True)
    for _ in range(2):
        make_section(report, body="### まとめ\n\n本文。")

    html = client.get(report.get_absolute_url()).content.decode()

    ids = re.findall(r' id="([^"]+)"', html)
    assert sorted(set(ids)) == sorted(ids)
