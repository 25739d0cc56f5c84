import io
import json
import os
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from blog import code_style, markdown
from blog.markdown_worker import ConversionFailed, ConversionTimedOut, Worker
from blog.models import Section
from cms import backends
from tests.factories import make_photo, make_report, make_section, make_user
from tests.slow_to_start import SlowToStart
from tests.xss import PAYLOADS, main_element, problems_in, unbalanced_in, visible_text

# --- Sanitising: what the writer typed never runs -------------------------------------------


def test_there_are_at_least_thirty_distinct_payloads():
    assert (len(PAYLOADS) >= 30, len(set(PAYLOADS.values())) == len(PAYLOADS)) == (True, True)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_rendered_markdown_is_harmless(payload):
    rendered = markdown.render(payload, anchor_prefix="section-1-")

    assert problems_in(rendered.html) == []


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_public_report_page_is_harmless(client, payload):
    report = make_report(published=True, lead=payload, closing=payload)
    make_section(report, body=payload)

    page = client.get(report.get_absolute_url()).content.decode()

    assert problems_in(main_element(page)) == []


def test_checker_catches_what_it_looks_for():
    # The audit must be able to fail, or the two tests above prove nothing.
    unsafe = (
        '<p onclick="x">a</p><a href=" jav&#x61;script:1">b</a><img src="data:image/png,x">'
        "<iframe></iframe><span style='color:red'>c</span><ScRiPt>1</ScRiPt>"
        '<a href="https://example.com">d</a><a href="#section-1">e</a>'
    )

    assert problems_in(unsafe) == [
        "<p onclick>",
        "<a href=' javascript:1'>",
        "<img src='data:image/png,x'>",
        "<iframe>",
        "<span style>",
        "<script>",
        "<a> without rel=noopener",
        "'<script' in the markup",
    ]


def test_links_are_kept_and_open_safely():
    html = markdown.render("[site](https://example.com) [mail](mailto:a@example.com)").html

    assert html == (
        '<p><a href="https://example.com" rel="noopener noreferrer">site</a> '
        '<a href="mailto:a@example.com" rel="noopener noreferrer">mail</a></p>'
    )


def _link(address: str) -> str:
    return f'<a href="{address}" rel="noopener noreferrer">{address}</a>'


_LINKED_ONCE = f"<p>{_link('https://example.com/slides')}</p>"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("スライドは https://example.com/slides にあります。", "スライドは {0} にあります。"),
        # Japanese running on after the address is not part of it.
        ("資料はhttps://example.com/slidesを参照", "資料は{0}を参照"),
        ("https://example.com/slides。", "{0}。"),
        ("see https://example.com/slides.", "see {0}."),
        ("(https://example.com/slides)", "({0})"),
        ("「https://example.com/slides」", "「{0}」"),
        ("**https://example.com/slides**", "<strong>{0}</strong>"),
    ],
)
def test_a_bare_address_becomes_a_link(typed, shown):
    html = markdown.render(typed).html

    assert html == "<p>" + shown.format(_link("https://example.com/slides")) + "</p>"


def test_a_bare_address_keeps_its_brackets_query_and_underscores():
    address = "https://en.wikipedia.org/wiki/Site_(computing)?a=1&b=2#top"
    html = markdown.render(f"詳細: {address}").html

    assert html == f"<p>詳細: {_link(address.replace('&', '&amp;'))}</p>"


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        ("`https://example.com/slides`", "<p><code>https://example.com/slides</code></p>"),
        (
            "    https://example.com/slides",
            '<div class="highlight"><pre><span></span><code>https://example.com/slides\n'
            "</code></pre></div>",
        ),
        ("[https://example.com/slides](https://example.com/slides)", _LINKED_ONCE),
        ("<https://example.com/slides>", _LINKED_ONCE),
        ("xhttps://example.com/slides", "<p>xhttps://example.com/slides</p>"),
        ("javascript://example.com/%0A", "<p>javascript://example.com/%0A</p>"),
        ("https://", "<p>https://</p>"),
    ],
)
def test_an_address_in_code_in_a_link_or_not_a_web_address_is_not_linked_again(typed, html):
    assert markdown.render(typed).html == html


def test_script_content_is_dropped_not_shown_as_text():
    assert markdown.render("a<script>alert(1)</script>b").html == "<p>ab</p>"


# Elements whose start tag, left unclosed, would make a parser take the rest of the text.
SWALLOWING = [
    "math",
    "svg",
    "style",
    "textarea",
    "title",
    "script",
    "iframe",
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "plaintext",
    "template",
    "object",
    "select",
    "!--",
    "![CDATA[",
    "?xml",
]
AFTER = "\n\nこの後の文章も読めます。\n\n## 最後の見出し\n\n最後の段落"


def shows_the_rest(html: str) -> bool:
    text = visible_text(html)
    return all(part in text for part in ("この後の文章も読めます。", "最後の見出し", "最後の段落"))


@pytest.mark.parametrize("opening", SWALLOWING)
@pytest.mark.parametrize("where", ["block", "inline"])
def test_an_unclosed_element_does_not_swallow_the_rest(opening, where):
    text = (
        f"前の段落\n\n<{opening}>{AFTER}" if where == "block" else f"文中に <{opening}> と{AFTER}"
    )

    html = markdown.render(text).html

    assert (shows_the_rest(html), f"<{opening}>" in visible_text(html)) == (True, True)
    assert (problems_in(html), unbalanced_in(html)) == ([], [])


def test_a_closed_element_is_still_dropped_whole():
    html = markdown.render("前 <svg><text>図</text></svg> 後\n\n<style>p{}</style>\n\n最後").html

    assert html == "<p>前  後</p>\n\n\n<p>最後</p>"


def test_an_unclosed_element_after_a_closed_one_is_shown_as_text():
    html = markdown.render("<svg></svg> と <svg> の後").html

    assert visible_text(html) == " と <svg> の後"


def test_the_check_for_the_rest_of_the_text_can_fail():
    assert shows_the_rest("<p>前の段落</p>") is False


# --- Images: photos are uploaded; an image readers would not see is a notice -------------------

NOT_SHOWN = (
    '<span class="image-not-shown"><span class="image-not-shown__label">画像を表示できません</span>'
)


def test_an_image_from_another_site_is_a_notice_not_a_broken_image():
    rendered = markdown.render("構成:\n\n![ゲートウェイの構成図](https://example.com/gateway.png)")

    assert (rendered.html, rendered.unshown_images) == (
        f"<p>構成:</p>\n<p>{NOT_SHOWN} ゲートウェイの構成図</span></p>",
        (markdown.UnshownImage("https://example.com/gateway.png", "ゲートウェイの構成図", False),),
    )


@pytest.mark.parametrize(
    "address", ["data:image/png;base64,iVBORw0KGgo=", "javascript:alert(1)", "photo:abc"]
)
def test_an_image_that_is_no_web_address_is_a_notice(address):
    rendered = markdown.render(f"![図]({address})")

    assert (rendered.html, rendered.unshown_images) == (
        f"<p>{NOT_SHOWN} 図</span></p>",
        (markdown.UnshownImage(address, "図", False),),
    )


@pytest.mark.parametrize("tag", ["<img src=x>", '<img src="/static/logo.png" alt="ロゴ">'])
def test_an_image_written_in_html_is_a_notice(tag):
    rendered = markdown.render(f"前 {tag} 後")

    alt = "ロゴ" if "alt" in tag else ""
    address = "/static/logo.png" if alt else "x"
    assert (rendered.html, rendered.unshown_images) == (
        f"<p>前 {NOT_SHOWN}{' ' + alt if alt else ''}</span> 後</p>",
        (markdown.UnshownImage(address, alt, True),),
    )


def test_an_image_tag_shown_as_code_or_in_an_attribute_stays_text():
    text = '`<img src=x>` and [link](https://example.com "<img src=x>")'

    rendered = markdown.render(text)

    assert (rendered.html, rendered.unshown_images) == (
        '<p><code>&lt;img src=x&gt;</code> and <a href="https://example.com" '
        'title="&lt;img src=x&gt;" rel="noopener noreferrer">link</a></p>',
        (),
    )


def test_an_image_on_the_site_keeps_its_address():
    rendered = markdown.render('![ロゴ](/static/logo_a\\_b.png "サイトのロゴ")')

    assert (rendered.html, rendered.unshown_images) == (
        '<p><img alt="ロゴ" src="/static/logo_a_b.png" title="サイトのロゴ"></p>',
        (),
    )


def test_an_image_from_the_photo_bucket_or_an_extra_source_is_shown(settings):
    bucket = backends.media_storage(
        backends.BUCKET_STORAGE, bucket="photos", region="ap-northeast-1"
    )
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "img-src": [
            *settings.SECURE_CSP["img-src"],
            backends.media_origin(bucket),
            "https://cdn.example.net",  # as CSP_EXTRA_IMG_SRC adds it
        ],
    }
    text = (
        "![a](https://photos.s3.ap-northeast-1.amazonaws.com/photos/a.webp) "
        "![b](https://cdn.example.net/b.webp&x=1)"
    )

    rendered = markdown.render(text)

    assert (rendered.html, rendered.unshown_images) == (
        '<p><img alt="a" src="https://photos.s3.ap-northeast-1.amazonaws.com/photos/a.webp"> '
        '<img alt="b" src="https://cdn.example.net/b.webp&amp;x=1"></p>',
        (),
    )


@pytest.mark.django_db
def test_render_texts_turns_stored_images_from_elsewhere_into_notices(author):
    section = make_section(make_report(), author=author, body="本文")
    # Stored before images from elsewhere were refused.
    Section.objects.filter(pk=section.pk).update(
        body="![構成図](https://example.com/gateway.png) <img src=x>",
        body_html='<p><img alt="構成図" src="https://example.com/gateway.png"> <img src="x"></p>',
    )

    call_command("render_texts", stdout=io.StringIO())

    section.refresh_from_db()
    assert section.body_html == f"<p>{NOT_SHOWN} 構成図</span> {NOT_SHOWN}</span></p>"


# --- Markdown features ----------------------------------------------------------------------


def test_tables_keep_their_alignment():
    html = markdown.render("| 左 | 右 |\n|:--|--:|\n| a | b |").html

    assert re.findall(r"<t[hd]\b[^>]*>", html) == [
        '<th align="left">',
        '<th align="right">',
        '<td align="left">',
        '<td align="right">',
    ]


def test_fenced_code_is_highlighted_with_pygments_classes():
    html = markdown.render("```python\nimport os\n```").html

    assert html == (
        '<div class="highlight"><pre><span></span><code><span class="kn">import</span>'
        '<span class="w"> </span><span class="nn">os</span>\n</code></pre></div>'
    )


def test_footnotes_link_both_ways_within_the_section():
    html = markdown.render("本文[^1]\n\n[^1]: 注", anchor_prefix="section-7-").html

    assert re.findall(r'(id|href)="([^"]*)"', html) == [
        ("id", "section-7-fnref:1"),
        ("href", "#section-7-fn:1"),
        ("id", "section-7-fn:1"),
        ("href", "#section-7-fnref:1"),
    ]


def test_heading_ids_carry_the_prefix_and_in_page_links_follow():
    html = markdown.render(
        "### まとめ\n\n[上へ](#まとめ) [別の節](#section-2)", anchor_prefix="section-5-"
    )

    assert re.findall(r'(id|href)="([^"]*)"', html.html) == [
        ("id", "section-5-まとめ"),
        ("href", "#section-5-まとめ"),
        ("href", "#section-2"),  # another section's anchor is left alone
    ]


def test_writer_ids_are_prefixed_too():
    html = markdown.render('<span id="main">x</span>', anchor_prefix="section-3-").html

    assert html == '<p><span id="section-3-main">x</span></p>'


@pytest.mark.django_db
def test_two_sections_with_the_same_heading_have_distinct_anchors(client):
    report = make_report(published=True)
    first = make_section(report, body="### まとめ\n\n[まとめへ](#まとめ)")
    second = make_section(report, body="### まとめ\n\n[まとめへ](#まとめ)")

    page = client.get(report.get_absolute_url()).content.decode()

    assert re.findall(r'<h3 class="subheading-1" id="([^"]+)">まとめ</h3>', page) == [
        f"section-{first.pk}-まとめ",
        f"section-{second.pk}-まとめ",
    ]
    assert re.findall(r'href="#(section-\d+-まとめ)"', page) == [
        f"section-{first.pk}-まとめ",
        f"section-{second.pk}-まとめ",
    ]


def test_toc_marker_is_plain_text():
    assert markdown.render("[TOC]").html == "<p>[TOC]</p>"


def test_committed_code_stylesheet_matches_pygments():
    committed = Path(settings.BASE_DIR, "static", code_style.STYLESHEET_PATH).read_text()

    assert committed == code_style.stylesheet()


def test_code_stylesheet_has_light_and_both_dark_switches():
    css = code_style.stylesheet()

    assert [
        len(re.findall(r"^\.highlight \.k \{", css, re.MULTILINE)),
        css.count('@media (prefers-color-scheme: dark) {\n  :root:not([data-theme="light"])'),
        css.count(':root[data-theme="dark"] .highlight .k {'),
    ] == [1, 1, 1]


# --- Bounds: no text may hang or crash a worker ---------------------------------------------

TOO_LONG = "この文章は長すぎます（60,001 文字）。50,000 文字以内にするか、節を分けてください。"
TOO_SLOW = (
    "この文章は整形に時間がかかりすぎます。[ や ![ のような閉じていない括弧の連続や、"
    "深すぎる入れ子のリスト・引用がないか確かめ、単純にしてください。"
)


@pytest.mark.django_db
def test_section_over_the_length_limit_is_refused_with_a_message():
    section = Section(report=make_report(), author=make_user(), heading="h", body="あ" * 60_001)

    with pytest.raises(ValidationError) as error:
        section.full_clean()

    assert error.value.message_dict == {"body": [TOO_LONG]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["[" * 20_000, "![" * 15_000, "<http://" * 5_000, "[](" * 15_000],
    ids=["brackets", "image-brackets", "autolinks", "empty-links"],
)
def test_quadratic_markdown_is_refused_within_the_time_limit(body):
    section = Section(report=make_report(), author=make_user(), heading="h", body=body)
    started = time.monotonic()

    with pytest.raises(ValidationError) as error:
        section.full_clean()

    # Unbounded, each of these takes minutes; the exact time is not the point.
    assert (error.value.message_dict, time.monotonic() - started < 30) == (
        {"body": [TOO_SLOW]},
        True,
    )


@pytest.mark.django_db
def test_refused_body_never_reaches_the_database():
    report = make_report()

    with pytest.raises(ValidationError):
        make_section(report, body="[" * 20_000)

    assert Section.objects.count() == 0


def test_rendering_works_again_after_a_refusal():
    with pytest.raises(markdown.MarkdownRefused):
        markdown.render("[" * 20_000)

    assert markdown.render("**戻った**").html == "<p><strong>戻った</strong></p>"


@pytest.mark.django_db
def test_too_deep_nesting_is_refused_with_its_own_message(monkeypatch):
    def recursion_in_child(*args, **kwargs):
        raise ConversionFailed("too_deep")

    section = Section(report=make_report(), author=make_user(), heading="h", body="- a")
    monkeypatch.setattr(markdown._worker, "call", recursion_in_child)

    with pytest.raises(ValidationError) as error:
        section.full_clean()

    assert error.value.message_dict == {
        "body": ["リストや引用の入れ子が深すぎます。少し浅くしてください。"]
    }


def test_worker_reports_recursion_as_too_deep():
    with pytest.raises(ConversionFailed) as failure:
        Worker(json.loads).call("[" * 100_000, timeout=10)

    assert failure.value.reason == "too_deep"


def test_worker_stops_a_call_that_runs_too_long_and_serves_the_next():
    worker = Worker(time.sleep)

    with pytest.raises(ConversionTimedOut):
        worker.call(30, timeout=0.2)

    assert worker.call(0, timeout=10) is None


def test_worker_does_not_count_the_childs_start_against_the_call():
    worker = Worker(SlowToStart())

    assert worker.call("ok", timeout=0.3) == "OK"


def test_worker_survives_a_child_that_dies():
    worker = Worker(os._exit)

    with pytest.raises(ConversionFailed) as failure:
        worker.call(3, timeout=10)

    assert failure.value.reason == "failed"


def test_worker_child_cannot_take_unbounded_memory():
    with pytest.raises(ConversionFailed) as failure:
        Worker(bytearray).call(4 * 1024**3, timeout=10)

    assert failure.value.reason == "failed"


# --- Line breaks in Japanese text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "html"),
    [
        # One sentence a line: the paragraph reads on without a gap after 。 or 、.
        (
            "混雑していました。\n次の講演では、\n信頼性が語られました。",
            "<p>混雑していました。次の講演では、信頼性が語られました。</p>",
        ),
        ("カタカナ\n（全角）\nＡＢＣ", "<p>カタカナ（全角）ＡＢＣ</p>"),
        ("項目の\n  続き", "<p>項目の続き</p>"),
        # Where a Latin word meets the break, the break is the space it always was.
        ("語られ、\nSLO を\n軸に", "<p>語られ、\nSLO を軸に</p>"),
        ("in English\nand more", "<p>in English\nand more</p>"),
        ("한국어\n문장", "<p>한국어\n문장</p>"),
        # A hard break stays one; code keeps its lines.
        ("一行目  \n二行目", "<p>一行目<br>\n二行目</p>"),
        ("`コード\nです`", "<p><code>コード\nです</code></p>"),
    ],
)
def test_a_line_break_between_japanese_characters_is_no_space(text, html):
    assert markdown.convert(text).html == html


def test_a_code_block_keeps_its_japanese_lines():
    html = markdown.convert("```\n一行目\n二行目\n```").html

    assert "一行目\n二行目" in html


# --- Lists nested as writers type them ----------------------------------------------------------


class _Outline(HTMLParser):
    """Rendered HTML as its blocks, one line each (lists, items, paragraphs, quotes, code,
    figures, rules, headings), indented by nesting and followed by the block's own text."""

    _BLOCKS = {"ul", "ol", "li", "p", "blockquote", "pre", "figure", "hr", *markdown.HEADING_TAGS}

    def __init__(self):
        super().__init__()
        self.blocks: list[list] = []  # [depth, tag, text]
        self._open: list[int] = []  # indexes into blocks

    def handle_starttag(self, tag, attrs):
        if tag in self._BLOCKS:
            self.blocks.append([len(self._open), tag, ""])
            if tag != "hr":
                self._open.append(len(self.blocks) - 1)

    def handle_endtag(self, tag):
        if self._open and self.blocks[self._open[-1]][1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self.blocks[self._open[-1]][2] += data


def outline(html: str) -> str:
    parser = _Outline()
    parser.feed(html)
    return "\n".join(
        "  " * depth + " ".join([tag, *text.split()]) for depth, tag, text in parser.blocks
    )


NESTED_UNDER_ITEM = """\
ul
  li 親
    ul
      li 子
        ul
          li 孫
  li 次"""


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        # At the parent's text, as on GitHub, Qiita and Slack.
        ("- 親\n  - 子\n    - 孫\n- 次", NESTED_UNDER_ITEM),
        ("* 親\n  * 子\n    + 孫\n* 次", NESTED_UNDER_ITEM),
        ("1. 手順\n   1. 細目\n2. 次", "ol\n  li 手順\n    ol\n      li 細目\n  li 次"),
        ("10. 十\n    - 細目\n11. 十一", "ol\n  li 十\n    ul\n      li 細目\n  li 十一"),
        ("- 親\n  1. 一\n  2. 二\n- 次", "ul\n  li 親\n    ol\n      li 一\n      li 二\n  li 次"),
        ("1. 親\n   - 子\n2. 次", "ol\n  li 親\n    ul\n      li 子\n  li 次"),
        # A bullet 2 spaces under a numbered step, as writers type it, is the step's too.
        (
            "1. 親\n  - 子\n  - 子二\n2. 次",
            "ol\n  li 親\n    ul\n      li 子\n      li 子二\n  li 次",
        ),
        ("10. 十\n  - 細目\n11. 十一", "ol\n  li 十\n    ul\n      li 細目\n  li 十一"),
        # A number 2 spaces under a number is the same list's next item, as in CommonMark.
        ("1. 一\n2. 二\n  3. 三", "ol\n  li 一\n  li 二\n  li 三"),
        (
            "1. 一\n   - 子\n     1. 孫\n2. 二",
            "ol\n  li 一\n    ul\n      li 子\n        ol\n          li 孫\n  li 二",
        ),
        # At Python-Markdown's 4 spaces, or a tab, as before.
        ("- 親\n    - 子\n        - 孫\n- 次", NESTED_UNDER_ITEM),
        ("- 親\n\t- 子\n\t\t- 孫\n- 次", NESTED_UNDER_ITEM),
        ("- 親\n    1. 一\n- 次", "ul\n  li 親\n    ol\n      li 一\n  li 次"),
        ("1. 親\n    - 子\n2. 次", "ol\n  li 親\n    ul\n      li 子\n  li 次"),
        # A deeper item back at a shallower level is the shallower list's next item.
        (
            "- a\n  - b\n    - c\n  - d",
            "ul\n  li a\n    ul\n      li b\n        ul\n          li c\n      li d",
        ),
        ("- a\n  - b\n - c", "ul\n  li a\n    ul\n      li b\n  li c"),
        # Blank lines between items keep one (loose) list.
        (
            "- 一\n\n- 二\n\n  - 子\n\n- 三",
            "ul\n  li\n    p 一\n  li\n    p 二\n    ul\n      li 子\n  li\n    p 三",
        ),
        (
            "- 一\n\n- 二\n\n    - 子\n\n- 三",
            "ul\n  li\n    p 一\n  li\n    p 二\n    ul\n      li 子\n  li\n    p 三",
        ),
        # An item's text goes on over lines, and in later paragraphs at its text.
        ("- 項目の\n  続き\n- 次", "ul\n  li 項目の続き\n  li 次"),
        ("- 項目の\n続き\n- 次", "ul\n  li 項目の続き\n  li 次"),
        ("- 項目\n\n  二段落目\n- 次", "ul\n  li\n    p 項目\n    p 二段落目\n  li\n    p 次"),
        ("- 項目\n\n    二段落目\n- 次", "ul\n  li\n    p 項目\n    p 二段落目\n  li\n    p 次"),
        (
            "- 項目\n  - 子\n\n    子の二段落目",
            "ul\n  li 項目\n    ul\n      li\n        p 子\n        p 子の二段落目",
        ),
        (
            "- 項目\n    - 子\n\n        子の二段落目",
            "ul\n  li 項目\n    ul\n      li\n        p 子\n        p 子の二段落目",
        ),
        # An ordered list and an unordered one after it stay two lists.
        ("1. 一\n2. 二\n\n- 三\n- 四", "ol\n  li 一\n  li 二\nul\n  li 三\n  li 四"),
        # Code is code, in a list or not.
        ("```\n- a\n  - b\n```", "pre - a - b"),
        ("段落\n\n    - a\n      - b", "p 段落\npre - a - b"),
        ("- a\n  - b\n\n段落\n\n    code", "ul\n  li a\n    ul\n      li b\np 段落\npre code"),
        ("- 項目\n\n        code\n- 次", "ul\n  li\n    p 項目\n    pre code\n  li\n    p 次"),
        # Block quotes hold lists nested either way.
        ("> - a\n>     - b\n> - c", "blockquote\n  ul\n    li a\n      ul\n        li b\n    li c"),
        ("> - a\n>   - b\n> - c", "blockquote\n  ul\n    li a\n      ul\n        li b\n    li c"),
        (
            "> 引用\n>\n> - a\n>   - b\n\n- c\n  - d",
            "blockquote\n  p 引用\n  ul\n    li a\n      ul\n        li b\n"
            "ul\n  li c\n    ul\n      li d",
        ),
        # Where no list begins, nothing changes.
        ("段落\n- a\n  - b", "p 段落 - a - b"),
        # A line right after a quote is more of the quote, and what follows no code.
        ("> 引用\n- a\n\n  続き", "blockquote\n  p 引用 - a\np 続き"),
        ("## 見出し\n- a\n  - b", "h3 見出し\nul\n  li a\n    ul\n      li b"),
        ("- a\n\n* * *\n\n- b", "ul\n  li a\nhr\nul\n  li b"),
    ],
)
def test_nested_lists_nest_at_the_parents_text_or_at_four_spaces(typed, shown):
    assert outline(markdown.render(typed).html) == shown


LOOSE_SUBLIST_THEN_NEXT = (
    "ul\n  li\n    p a\n    ul\n      li\n        p a1\n      li\n        p a2\n  li\n    p b"
)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        # A loose sublist, then the parent's next item with no blank line: a sibling of the
        # parent, as on GitHub, however deep the sublist is typed.
        ("- a\n\n  - a1\n\n  - a2\n- b", LOOSE_SUBLIST_THEN_NEXT),
        ("- a\n\n    - a1\n\n    - a2\n- b", LOOSE_SUBLIST_THEN_NEXT),
        ("- a\n\n   - a1\n\n   - a2\n- b", LOOSE_SUBLIST_THEN_NEXT),
        (
            "1. a\n\n   1. a1\n\n   2. a2\n2. b",
            LOOSE_SUBLIST_THEN_NEXT.replace("ul", "ol"),
        ),
        ("- a\n\n  - a1\n\n  - a2\n\n- b", LOOSE_SUBLIST_THEN_NEXT),
        # Only the sublist's first item after a blank line.
        (
            "- a\n\n  - a1\n  - a2\n- b",
            "ul\n  li\n    p a\n    ul\n      li a1\n      li a2\n  li\n    p b",
        ),
        # Only its last one (GitHub keeps "a" and "b" tight there: the structure is the same).
        ("- a\n  - a1\n\n  - a2\n- b", LOOSE_SUBLIST_THEN_NEXT),
        # Two levels back up, and one.
        (
            "- a\n\n  - a1\n\n    - a11\n- b",
            "ul\n  li\n    p a\n    ul\n      li\n        p a1\n        ul\n          li a11"
            "\n  li\n    p b",
        ),
        (
            "- a\n\n  - a1\n\n    - a11\n  - a2",
            "ul\n  li\n    p a\n    ul\n      li\n        p a1\n        ul\n          li a11"
            "\n      li\n        p a2",
        ),
        # After a later paragraph of the item, and in a quote.
        (
            "- a\n\n  段落\n  - a1\n- b",
            "ul\n  li\n    p a\n    p 段落\n    ul\n      li a1\n  li\n    p b",
        ),
        (
            "> - a\n>\n>   - a1\n>\n>   - a2\n> - b",
            "blockquote\n  " + LOOSE_SUBLIST_THEN_NEXT.replace("\n", "\n  "),
        ),
        # Tight lists stay tight.
        ("- a\n  - a1\n  - a2\n- b", "ul\n  li a\n    ul\n      li a1\n      li a2\n  li b"),
        ("1. a\n   1. a1\n2. b", "ol\n  li a\n    ol\n      li a1\n  li b"),
    ],
)
def test_an_item_after_a_loose_sublist_is_its_parent_s_next_item(typed, shown):
    assert outline(markdown.render(typed).html) == shown


FENCED_IN_LISTS = [
    "- a\n\n```\n- x\n  - y\n    code\n```\n\n- b",
    "- a\n  ```\n  - x\n      code\n  ```\n- b",
    "- a\n  - b\n\n    ```python\n    if x:\n        y()\n    ```\n  - c",
    "1. a\n   ~~~\n   - x\n     - y\n   ~~~~\n   - z",
    "> - a\n>   ```\n>   - x\n>       code\n>   ```",
]


def _unquoted_indent(line: str) -> tuple[int, str]:
    text = re.sub(r"^(?:> ?)+", "", line)
    return len(text) - len(text.lstrip(" ")), text.lstrip(" ")


@pytest.mark.parametrize("typed", FENCED_IN_LISTS)
def test_fenced_code_in_or_after_a_list_is_never_read_as_a_list(typed):
    typed_lines = [line for line in typed.split("\n") if line.strip(" >")]
    moved_lines = [line for line in markdown.lists_nested_at_four(typed.split("\n"))]
    moved_lines = [line for line in moved_lines if line.strip(" >")]
    fence = [i for i, line in enumerate(typed_lines) if re.search(r"```|~~~", line)]

    # A fenced block moves as a whole with its item, if at all: each of its lines by as
    # many spaces as its fence, so the code keeps its own indentation.
    shifts = set()
    for index in range(fence[0], fence[-1] + 1):
        typed_indent, typed_text = _unquoted_indent(typed_lines[index])
        moved_indent, moved_text = _unquoted_indent(moved_lines[index])
        assert moved_text == typed_text
        shifts.add(moved_indent - typed_indent)
    assert len(shifts) == 1


STEPS_OUTLINE = "{list}\n  li\n    p 実行:\n    pre kubectl get pods -A\n  li\n    p 次"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        # At the item's text, as on GitHub and Qiita (3 spaces under "1. ", 2 under "- ").
        (
            "1. 実行:\n\n   ```bash\n   kubectl get pods -A\n   ```\n\n2. 次",
            STEPS_OUTLINE.format(list="ol"),
        ),
        (
            "- 実行:\n\n  ```bash\n  kubectl get pods -A\n  ```\n\n- 次",
            STEPS_OUTLINE.format(list="ul"),
        ),
        # At 4 spaces, as Python-Markdown has it.
        (
            "- 実行:\n\n    ```bash\n    kubectl get pods -A\n    ```\n\n- 次",
            STEPS_OUTLINE.format(list="ul"),
        ),
        (
            "1. 実行:\n\n    ```bash\n    kubectl get pods -A\n    ```\n\n2. 次",
            STEPS_OUTLINE.format(list="ol"),
        ),
        # No blank lines around it, and the next item right after the fence.
        (
            "1. 実行:\n   ```bash\n   kubectl get pods -A\n   ```\n2. 次",
            STEPS_OUTLINE.format(list="ol"),
        ),
        (
            "- 実行:\n  ~~~\n  kubectl get pods -A\n  ~~~\n- 次",
            STEPS_OUTLINE.format(list="ul"),
        ),
        # More of the item after the code, then more items.
        (
            "1. 実行:\n   ```\n   kubectl get pods -A\n   ```\n   確認する\n2. 次\n3. 最後",
            "ol\n  li\n    p 実行:\n    pre kubectl get pods -A\n    p 確認する"
            "\n  li\n    p 次\n  li 最後",
        ),
        # In a nested item.
        (
            "1. 手順\n   - 細目\n\n     ```sh\n     echo\n     ```\n   - 次の細目\n\n2. 次",
            "ol\n  li\n    p 手順\n    ul\n      li\n        p 細目\n        pre echo"
            "\n      li\n        p 次の細目\n  li\n    p 次",
        ),
        # In a list in a quote.
        (
            "> 1. 実行:\n>    ```\n>    kubectl get pods -A\n>    ```\n> 2. 次",
            "blockquote\n  " + STEPS_OUTLINE.format(list="ol").replace("\n", "\n  "),
        ),
    ],
)
def test_fenced_code_in_a_list_item_is_a_code_block_in_that_item(typed, shown):
    assert outline(markdown.render(typed).html) == shown


def test_a_fence_right_after_a_line_of_text_is_a_code_block_between_paragraphs():
    html = markdown.render("前の段落\n```console\n$ ls\n```\n後の段落").html

    assert outline(html) == "p 前の段落\npre $ ls\np 後の段落"


def test_fenced_code_in_an_item_is_highlighted_and_keeps_its_own_indentation():
    html = markdown.render("1. 設定:\n\n   ```python\n   if x:\n       y()\n   ```\n2. 次").html

    assert (
        '<li>\n<p>設定:</p>\n<div class="highlight"><pre><span></span><code>'
        '<span class="k">if</span>'
    ) in html
    assert '<span class="p">:</span>\n    <span class="n">y</span>' in html


def test_fenced_and_indented_code_keep_their_indentation_on_the_page():
    html = markdown.render("- a\n  - b\n\n```\n- x\n  - y\n```\n\n段落\n\n    - p\n      - q").html

    assert ("- x\n  - y\n" in html, "- p\n  - q\n" in html) == (True, True)


@pytest.mark.django_db
def test_a_photo_in_a_nested_item_is_a_figure_in_that_item():
    report = make_report()
    photo = make_photo(report, make_section(report))

    html = markdown.render(
        f'- 会場\n  - ![満席の会場](photo:{photo.pk} "キャプション")\n- 次',
        photos={photo.pk: photo},
    ).html

    assert outline(html) == "ul\n  li 会場\n    ul\n      li\n        figure キャプション\n  li 次"


def test_a_long_run_of_dashes_in_a_list_is_read_at_once():
    started = time.monotonic()

    markdown.lists_nested_at_four(["- a", "  " + "-" * 20_000 + "x", "  - b"])

    assert time.monotonic() - started < 1
