"""A writer in the admin's Markdown editor, in a real browser: photos, Japanese input, rows."""

import time

import pytest
from playwright.sync_api import Page, expect

from blog.models import Photo, Section
from tests.factories import jpeg_bytes, make_report, make_section
from tests.test_browser_desk import dialogs_on_trying_to_leave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_until(page: Page, expression: str, timeout: float = 5.0) -> None:
    """Poll `expression` in the page. Playwright's wait_for_function evaluates its predicate
    with eval(), which the site's Content Security Policy rightly forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"never true: {expression}")
        page.wait_for_timeout(50)


ALT_PLACEHOLDER = "ここに代替テキスト（写真の説明）を書いてください"

# Draws a JPEG in the page and drops it on the editor, as a file dragged from the desktop.
DROP_A_PHOTO = """async (textarea) => {
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 400;
  const context = canvas.getContext("2d");
  context.fillStyle = "#2a6f97";
  context.fillRect(0, 0, 640, 400);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], "stage.jpg", { type: "image/jpeg" }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    textarea.dispatchEvent(
      new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true })
    );
  }
}"""

# Records what the editor sees, to show when previews and edits happen during composition.
RECORD_EVENTS = """(textarea) => {
  window.editorLog = [];
  for (const type of ["compositionstart", "compositionend"]) {
    textarea.addEventListener(type, () => window.editorLog.push(type));
  }
  document.addEventListener("markdown-editor:previewed", () => window.editorLog.push("previewed"));
}"""


@pytest.fixture
def admin_page(page: Page, live_server, superuser) -> Page:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("ユーザー名").fill("root")
    page.get_by_label("パスワード").fill("secret-pass")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="サイト管理")).to_be_visible()
    return page


@pytest.fixture
def section(superuser) -> Section:
    return make_section(make_report(), author=superuser, body="導入の段落。")


def open_section(page: Page, live_server, section: Section):
    page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    textarea = page.locator("textarea[name=body]")
    expect(page.locator(".markdown-editor__preview")).to_contain_text("導入の段落。")
    return textarea


def open_at_the_end(page: Page, live_server, section: Section):
    """The section's editor, the caret after its last character, as a writer goes on."""
    textarea = open_section(page, live_server, section)
    textarea.click()
    page.keyboard.press("Control+End")
    return textarea


def compose(page: Page, steps: list[str], pause_ms: int = 150) -> None:
    """Type through an emulated input method: each step is what the composition shows."""
    session = page.context.new_cdp_session(page)
    for text in steps:
        session.send(
            "Input.imeSetComposition",
            {"text": text, "selectionStart": len(text), "selectionEnd": len(text)},
        )
        page.wait_for_timeout(pause_ms)
    return session


def test_dropped_image_shows_in_the_live_preview(admin_page: Page, live_server, section):
    textarea = open_at_the_end(admin_page, live_server, section)

    textarea.evaluate(DROP_A_PHOTO)

    figure_image = admin_page.locator(".markdown-editor__preview figure img")
    expect(figure_image).to_have_attribute("alt", ALT_PLACEHOLDER)
    expect(figure_image).to_have_js_property("complete", True)
    photo = Photo.objects.get()
    webp = max((r for r in photo.renditions if r["format"] == "webp"), key=lambda r: r["width"])
    assert (
        figure_image.evaluate("img => [img.currentSrc, img.naturalWidth > 0]"),
        textarea.input_value(),
        admin_page.locator(".markdown-editor__status").inner_text(),
    ) == (
        [live_server.url + photo.image.storage.url(webp["name"]), True],
        f'導入の段落。\n\n![{ALT_PLACEHOLDER}](photo:{photo.pk} "キャプション（任意）")\n\n',
        "写真を追加しました。選択されている仮の文を、写真に写っているものの説明に書き換えてください。",
    )


def test_a_photo_in_the_preview_is_scaled_to_the_pane_as_on_the_page(
    admin_page: Page, live_server, section
):
    textarea = open_at_the_end(admin_page, live_server, section)

    textarea.evaluate(DROP_A_PHOTO)

    figure_image = admin_page.locator(".markdown-editor__preview figure img")
    expect(figure_image).to_have_js_property("complete", True)
    shown, pane, picture = figure_image.evaluate(
        """img => [img.getBoundingClientRect().width,
                   img.closest(".markdown-editor__preview").clientWidth, img.naturalWidth]"""
    )
    assert pane < picture  # the photo is wider than the pane beside the text
    assert shown <= pane


def test_typing_after_a_drop_replaces_the_placeholder_and_saves(
    admin_page: Page, live_server, section
):
    textarea = open_at_the_end(admin_page, live_server, section)
    textarea.evaluate(DROP_A_PHOTO)
    expect(admin_page.locator(".markdown-editor__preview figure")).to_have_count(1)

    admin_page.keyboard.type("Keynote stage")  # the placeholder is selected: this replaces it
    # The caption is left as it is: it says 任意 (optional). The preview shows the photo
    # as the save will keep it, without a caption.
    preview_figure = admin_page.locator(".markdown-editor__preview figure")
    expect(preview_figure.locator("img")).to_have_attribute("alt", "Keynote stage")
    expect(preview_figure.locator("figcaption")).to_have_count(0)
    admin_page.get_by_role("button", name="保存して編集を続ける").click()

    expect(admin_page.locator(".messagelist")).to_contain_text(
        "キャプションが仮の文のままだった写真 1 枚は、キャプションなしで保存しました。"
    )
    photo = Photo.objects.get()
    expect(textarea).to_have_value(f"導入の段落。\n\n![Keynote stage](photo:{photo.pk})")
    # What this browser kept of the typing is what was saved: nothing is offered back.
    expect(admin_page.locator(".autosave-offer")).to_have_count(0)
    assert admin_page.evaluate(f"localStorage.getItem('section-draft:{section.pk}')") is None
    section.refresh_from_db()
    # Browsers send a textarea's line breaks as CRLF.
    assert (section.body.replace("\r\n", "\n"), photo.alt_text, photo.is_described) == (
        f"導入の段落。\n\n![Keynote stage](photo:{photo.pk})",
        "Keynote stage",
        True,
    )


def test_japanese_typed_through_an_input_method_is_saved_exactly_once(
    admin_page: Page, live_server, section
):
    textarea = open_section(admin_page, live_server, section)
    textarea.evaluate(RECORD_EVENTS)
    textarea.click()
    admin_page.keyboard.press("Control+End")
    admin_page.keyboard.type("x")  # schedules a preview that answers during the composition

    session = compose(admin_page, ["か", "かい", "かいじ", "かいじょ", "かいじょう"], pause_ms=250)
    session.send(
        "Input.imeSetComposition", {"text": "会場", "selectionStart": 2, "selectionEnd": 2}
    )
    session.send("Input.insertText", {"text": "会場"})
    wait_until(admin_page, "window.editorLog.at(-1) === 'previewed'")
    log = admin_page.evaluate("window.editorLog")
    admin_page.get_by_role("button", name="保存して編集を続ける").click()

    expect(admin_page.locator(".messagelist")).to_be_visible()
    section.refresh_from_db()
    assert (section.body, log[log.index("compositionstart") + 1]) == (
        "導入の段落。x会場",
        "previewed",  # the preview came back mid-composition and changed nothing
    )


def test_photo_uploaded_during_composition_waits_for_its_end(
    admin_page: Page, live_server, section
):
    textarea = open_at_the_end(admin_page, live_server, section)
    session = compose(admin_page, ["し", "しゃ"])

    textarea.evaluate(DROP_A_PHOTO)
    expect(admin_page.locator(".markdown-editor__status")).to_contain_text("写真を追加しました")
    during = textarea.input_value()
    session.send("Input.insertText", {"text": "写真"})

    photo = Photo.objects.get()
    expect(textarea).to_have_value(
        f'導入の段落。写真\n\n![{ALT_PLACEHOLDER}](photo:{photo.pk} "キャプション（任意）")\n\n'
    )
    assert during == "導入の段落。しゃ"


def hold_uploads(page: Page) -> list:
    """Keep each photo upload waiting, as on a slow connection, until the test answers it."""
    held = []

    def hold(route):
        held.append(route)

    page.route("**/markdownx/upload/", hold)
    return held


def start_a_held_upload(page: Page, live_server, section) -> list:
    held = hold_uploads(page)
    textarea = open_at_the_end(page, live_server, section)
    textarea.evaluate(DROP_A_PHOTO)
    expect(page.locator(".markdown-editor__status")).to_have_text(
        "stage.jpg をアップロードしています…"
    )
    wait_until(page, "document.querySelector('textarea[aria-busy=true]') !== null")
    return held


def test_leaving_while_a_photo_uploads_asks_first(admin_page: Page, live_server, section):
    held = start_a_held_upload(admin_page, live_server, section)
    asked = dialogs_on_trying_to_leave(admin_page)
    assert (asked, admin_page.url) == (
        ["beforeunload"],
        f"{live_server.url}/admin/blog/section/{section.pk}/change/",
    )

    # Stayed: the upload goes on, and once its photo is described and saved, leaving asks
    # nothing.
    admin_page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    held[0].continue_()
    expect(admin_page.locator(".markdown-editor__status")).to_contain_text("写真を追加しました")
    admin_page.keyboard.type("Keynote stage")  # the placeholder is selected: this replaces it
    admin_page.get_by_role("button", name="保存して編集を続ける").click()
    expect(admin_page.locator(".messagelist")).to_be_visible()
    admin_page.get_by_role("link", name="ホーム").click()
    expect(admin_page.get_by_role("heading", name="サイト管理")).to_be_visible()
    section.refresh_from_db()
    assert (asked, section.body) == (
        ["beforeunload"],
        f"導入の段落。\n\n![Keynote stage](photo:{Photo.objects.get().pk})",
    )


def test_a_failed_upload_no_longer_holds_the_writer(admin_page: Page, live_server, section):
    held = start_a_held_upload(admin_page, live_server, section)
    asked = []
    admin_page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))

    held[0].fulfill(status=400, json={"error": "この画像は読み込めません。"})
    expect(admin_page.locator(".markdown-editor__status")).to_have_text(
        "この画像は読み込めません。"
    )
    admin_page.get_by_role("link", name="ホーム").click()

    expect(admin_page.get_by_role("heading", name="サイト管理")).to_be_visible()
    assert asked == []


def test_a_refused_upload_stays_said_when_a_preview_comes_back_after_it(
    admin_page: Page, live_server, section
):
    textarea = open_at_the_end(admin_page, live_server, section)
    held_previews = []
    admin_page.route("**/markdownx/markdownify/", lambda route: held_previews.append(route))
    with admin_page.expect_request("**/markdownx/markdownify/"):
        textarea.type("追記")  # a preview is asked for, and held

    with admin_page.expect_file_chooser() as chooser:
        admin_page.locator(".markdown-editor__add-photo").click()
    chooser.value.set_files(
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture" * 20}
    )
    status = admin_page.locator(".markdown-editor__status")
    expect(status).to_contain_text("画像として読み込めません")
    for route in held_previews:
        route.continue_()  # the preview comes back after the refusal

    expect(admin_page.locator(".markdown-editor__preview")).to_contain_text("導入の段落。追記")
    expect(status).to_contain_text("画像として読み込めません")


def add_a_photo_with_the_button(page: Page) -> None:
    """Press 写真を追加 and choose a photo, as a writer does, and wait until it is in."""
    with page.expect_file_chooser() as chooser:
        page.locator(".markdown-editor__add-photo").click()
    chooser.value.set_files(
        {"name": "stage.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(640, 400)}
    )
    expect(page.locator(".markdown-editor__status")).to_contain_text("写真を追加しました")


def test_a_photo_added_before_the_text_was_touched_goes_at_its_end(
    admin_page: Page, live_server, superuser
):
    section = make_section(make_report(), author=superuser, body="## 構成\n\n導入の段落。")
    textarea = open_section(admin_page, live_server, section)

    add_a_photo_with_the_button(admin_page)

    reference = f'![{ALT_PLACEHOLDER}](photo:{Photo.objects.get().pk} "キャプション（任意）")'
    assert textarea.input_value() == f"## 構成\n\n導入の段落。\n\n{reference}\n\n"


def reference_to(photo: Photo) -> str:
    return f'![{ALT_PLACEHOLDER}](photo:{photo.pk} "キャプション（任意）")'


def test_photos_chosen_together_each_get_a_reference_of_their_own(
    admin_page: Page, live_server, superuser
):
    section = make_section(make_report(), author=superuser, body="導入の段落。")
    textarea = open_section(admin_page, live_server, section)

    with admin_page.expect_file_chooser() as chooser:
        admin_page.locator(".markdown-editor__add-photo").click()
    chooser.value.set_files(
        [
            {"name": f"{name}.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(640, 400)}
            for name in ("stage", "hall")
        ]
    )
    expect(admin_page.locator(".markdown-editor__status")).to_contain_text("写真を追加しました")
    expect(admin_page.locator(".markdown-editor__preview figure")).to_have_count(2)

    first, second = Photo.objects.order_by("pk")
    assert textarea.input_value() == (
        f"導入の段落。\n\n{reference_to(first)}\n\n{reference_to(second)}\n\n"
    )
    # The second placeholder is selected: typing describes the second photo.
    admin_page.keyboard.type("ホールの様子")
    assert "![ホールの様子](photo:" + str(second.pk) in textarea.input_value()


def test_a_photo_added_while_the_last_one_waits_for_words_goes_after_it(
    admin_page: Page, live_server, superuser
):
    section = make_section(make_report(), author=superuser, body="導入の段落。")
    textarea = open_section(admin_page, live_server, section)

    add_a_photo_with_the_button(admin_page)
    add_a_photo_with_the_button(admin_page)

    first, second = Photo.objects.order_by("pk")
    assert textarea.input_value() == (
        f"導入の段落。\n\n{reference_to(first)}\n\n{reference_to(second)}\n\n"
    )


def test_a_photo_goes_where_the_writer_last_had_the_cursor(
    admin_page: Page, live_server, superuser
):
    section = make_section(make_report(), author=superuser, body="導入の段落。\n\n結びの段落。")
    textarea = open_section(admin_page, live_server, section)
    textarea.click()
    textarea.evaluate("(textarea) => textarea.setSelectionRange(8, 8)")  # before 結び
    admin_page.get_by_role("heading", name=section.title).click()  # the cursor leaves the text

    add_a_photo_with_the_button(admin_page)

    photo = Photo.objects.get()
    assert textarea.input_value() == (
        f'導入の段落。\n\n![{ALT_PLACEHOLDER}](photo:{photo.pk} "キャプション（任意）")\n\n'
        "結びの段落。"
    )


def test_a_new_section_refuses_photos_until_saved(admin_page: Page, live_server, section):
    admin_page.goto(f"{live_server.url}/admin/blog/section/add/?report={section.report_id}")
    textarea = admin_page.locator("textarea[name=body]")

    textarea.evaluate(DROP_A_PHOTO)

    expect(admin_page.locator(".markdown-editor__status")).to_have_text(
        "写真を追加する前に、一度下書きを保存してください。写真は保存済みの文章に属します。"
    )
    assert (textarea.input_value(), Photo.objects.count()) == ("", 0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_preview_is_drawn_in_the_public_sites_styles(
    admin_page: Page, live_server, section, scheme
):
    admin_page.emulate_media(color_scheme=scheme)
    open_section(admin_page, live_server, section)
    preview_paragraph = admin_page.locator(".markdown-editor__preview p").first

    style = preview_paragraph.evaluate(
        """p => {
          const own = getComputedStyle(p);
          const box = getComputedStyle(p.closest(".markdown-editor__preview"));
          return [own.color, box.backgroundColor, own.fontFamily.includes("Noto Sans JP")];
        }"""
    )

    # reader.css's text and background colours, as on the public report page.
    assert (
        style
        == {
            "light": ["rgb(29, 35, 48)", "rgb(251, 251, 253)", True],
            "dark": ["rgb(230, 233, 239)", "rgb(18, 21, 27)", True],
        }[scheme]
    )


# Every kind of block a writer uses, to set side by side in the preview and on the page.
EVERY_BLOCK = """\
## 構成の見直し

再起動を減らすために **三つ** の対策を `istioctl` と
[Istio のドキュメント](https://istio.io/) で検討しました。

- サイドカーの遅延注入
- ワークロード単位の段階的ロールアウト

1. 計測する
2. 減らす

> 引用された一文です。

```yaml
apiVersion: networking.istio.io/v1
kind: Sidecar
```

### 日本語の小見出し

#### その下の見出し

| 項目 | 値 |
| :--- | ---: |
| 再起動 | 3 回 |

---

#### さらに小さな見出し

脚注のある文です。[^1]

[^1]: 脚注の本文です。
"""

# What the reader sees of each element of a text: its type, spacing, bullets and colour.
TYPOGRAPHY = """box => [...box.querySelectorAll("*")].map(element => {
  const style = getComputedStyle(element);
  return [element.tagName, Object.fromEntries(["font-size", "font-family", "font-weight",
    "line-height", "letter-spacing", "color", "background-color", "margin-top",
    "margin-bottom", "margin-left", "padding-top", "padding-left", "list-style-type",
    "border-left-width", "text-transform", "white-space", "text-align", "vertical-align",
    "text-decoration-line", "border-top-width"].map(
      // Markdown's alignment, as the `align` attribute gives it, is spelt -webkit-left.
      name => [name, style.getPropertyValue(name).replace(/^-webkit-/, "")]))];
})"""


def test_preview_sets_every_block_in_the_readers_type(admin_page: Page, live_server, superuser):
    report = make_report(published=True)
    section = make_section(report, author=superuser, body=EVERY_BLOCK)
    admin_page.set_viewport_size({"width": 1280, "height": 800})

    admin_page.goto(live_server.url + report.get_absolute_url())
    on_the_page = admin_page.locator(f"#{section.anchor} .prose").evaluate(TYPOGRAPHY)
    admin_page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    preview = admin_page.locator(".markdown-editor__preview")
    expect(preview.locator("pre")).to_be_visible()
    in_the_preview = preview.evaluate(TYPOGRAPHY)

    assert [tag for tag, _style in in_the_preview] == [tag for tag, _style in on_the_page]
    differences = {
        f"{position} {tag}": {
            name: (value, previewed[name])
            for name, value in style.items()
            if previewed[name] != value
        }
        for position, ((tag, style), (_tag, previewed)) in enumerate(
            zip(on_the_page, in_the_preview, strict=True)
        )
    }
    # Each difference as (on the page, in the preview).
    assert {where: found for where, found in differences.items() if found} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_editor_takes_the_admin_theme_colours(admin_page: Page, live_server, section, scheme):
    admin_page.emulate_media(color_scheme=scheme)
    textarea = open_section(admin_page, live_server, section)

    colours = textarea.evaluate(
        """t => {
          const page = getComputedStyle(document.body);
          const own = getComputedStyle(t);
          return [own.backgroundColor === page.backgroundColor, own.color === page.color,
                  page.backgroundColor];
        }"""
    )

    assert colours == [
        True,
        True,
        {"light": "rgb(255, 255, 255)", "dark": "rgb(18, 18, 18)"}[scheme],
    ]


AUTOSAVE_OFFER = "まだ保存していない見出しと本文があります"


def test_a_refused_save_offers_no_autosave_over_the_text_it_shows(
    admin_page: Page, live_server, section
):
    textarea = open_at_the_end(admin_page, live_server, section)
    add_a_photo_with_the_button(admin_page)
    status = admin_page.locator("[data-autosave-status]")
    expect(status).to_contain_text("自動保存しました", timeout=8000)
    admin_page.keyboard.press("Control+End")
    admin_page.keyboard.type("最後の一文。")  # saved at once, before it is kept automatically
    typed = textarea.input_value()
    admin_page.get_by_role("button", name="保存して編集を続ける").click()

    expect(admin_page.locator(".error-summary")).to_contain_text("上から 1 枚目の写真")
    expect(status).to_contain_text("自動保存しました", timeout=8000)
    expect(textarea).to_have_value(typed.replace("\r\n", "\n"))
    expect(admin_page.locator(".autosave-offer")).to_have_count(0)

    # Left and opened again, the page offers the text as it was sent: it is not saved.
    admin_page.on("dialog", lambda dialog: dialog.accept())
    admin_page.goto(f"{live_server.url}/admin/blog/section/{section.pk}/change/")
    expect(admin_page.get_by_text(AUTOSAVE_OFFER)).to_be_visible()
    expect(textarea).to_have_value("導入の段落。")
    admin_page.get_by_role("button", name="エディタに戻す").click()
    expect(textarea).to_have_value(typed)


def test_a_heading_too_long_to_keep_is_not_told_as_an_expired_login(
    admin_page: Page, live_server, section
):
    open_section(admin_page, live_server, section)
    admin_page.locator("#id_heading").fill("長" * 201)
    admin_page.get_by_role("button", name="保存して編集を続ける").click()

    expect(admin_page.locator(".error-summary")).to_contain_text("201")
    expect(admin_page.locator("[data-autosave-status]")).to_have_text(
        "入力内容を自動保存できませんでした。"
    )
    expect(admin_page.locator(".autosave-offer")).to_have_count(0)
