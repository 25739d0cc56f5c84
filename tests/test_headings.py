"""One heading scheme: a text's headings sit right below the title it is shown under."""

import html
import importlib
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from blog import markdown
from blog.editing import save_section
from tests.factories import make_event, make_report, make_section, make_session

HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)

# Words without Markdown syntax, so that a heading's text comes back as typed.
words = st.lists(
    st.sampled_from(["まとめ", "導入", "Kubernetes", "eBPF", "v1", "運用の話", "gVisor"]),
    min_size=1,
    max_size=3,
).map(" ".join)
heading_lines = st.tuples(
    st.integers(min_value=1, max_value=7),  # seven is what a writer may type too many
    st.sampled_from(["", " ", "  ", "\t"]),  # `#Title`, `# Title`, `#  Title`
    words,
    st.sampled_from(["", " ", "  ", " #", " ###"]),  # trailing spaces and closing hashes
)


def typed(level: int, gap: str, text: str, end: str) -> str:
    return f"{'#' * level}{gap}{text}{end}"


def headings_in(fragment: str) -> list[tuple[int, str]]:
    return [(int(level), html.unescape(text)) for level, text in HEADING.findall(fragment)]


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(heading_lines, min_size=1, max_size=8), title_level=st.sampled_from([1, 2, 3])
)
def test_every_typed_heading_renders_below_its_title_and_none_is_lost(lines, title_level):
    text = "\n\n本文。\n\n".join(typed(*line) for line in lines)

    rendered = headings_in(markdown.convert(text, "section-1-", title_level=title_level).html)

    # More than six `#` leave the extra ones as text, as Python-Markdown reads them.
    expected_texts = [
        " ".join(f"{'#' * (level - 6)}{gap}{words}".split()) if level > 6 else words
        for level, gap, words, _end in lines
    ]
    # (Markdown expands a tab to spaces: compare words, not the exact white space.)
    assert [" ".join(text.split()) for _level, text in rendered] == expected_texts
    levels = [level for level, _text in rendered]
    assert min(levels) == title_level + 1
    assert all(title_level < level <= 6 for level in levels)
    # The outline is kept: a deeper heading never comes out above a shallower one.
    typed_levels = [min(level, 6) for level, *_rest in lines]
    pairs = list(zip(typed_levels, levels, strict=True))
    assert all(
        out_a <= out_b for typed_a, out_a in pairs for typed_b, out_b in pairs if typed_a < typed_b
    )


@pytest.mark.parametrize(
    ("typed_text", "expected"),
    [
        ("#Title", [(3, "Title")]),
        ("#  Title  ", [(3, "Title")]),
        ("# 概要\n\n## 詳細\n\n###### 注", [(3, "概要"), (4, "詳細"), (6, "注")]),
        ("#### 一つだけ", [(3, "一つだけ")]),
        ("####### x", [(3, "# x")]),
        ("######", []),  # an empty heading is left out: it has no text to lose
        # Closing #s go only after a space, as in CommonMark: a language's name keeps its #.
        ("## C# と F#", [(3, "C# と F#")]),
        ("## 見出し ##", [(3, "見出し")]),
        ("## C #", [(3, "C")]),
        ("## ##", []),
        ("見出し\n===\n\n小見出し\n---", [(3, "見出し"), (4, "小見出し")]),
    ],
)
def test_odd_headings_under_an_h2(typed_text, expected):
    assert headings_in(markdown.convert(typed_text, title_level=2).html) == expected


def test_a_hash_line_is_no_longer_bare_text():
    assert markdown.convert("# はじめに\n\n本文", title_level=2).html == (
        '<h3 class="subheading-1" id="はじめに">はじめに</h3>\n<p>本文</p>'
    )


def test_deep_levels_are_clamped_at_h6_not_dropped():
    text = "# 1\n\n## 2\n\n### 3\n\n#### 4\n\n##### 5\n\n###### 6"

    assert [level for level, _text in headings_in(markdown.convert(text, title_level=3).html)] == [
        4,
        5,
        6,
        6,
        6,
        6,
    ]


# --- The page, the preview and the editor's hint agree ----------------------------------------


@pytest.fixture
def session_section(author):
    report = make_report(published=True, event=make_event())
    session = make_session(report.event)
    return make_section(report, author=author, session=session, body="## 見どころ\n\n### 細部")


@pytest.mark.django_db
def test_section_about_a_session_has_h3_title_and_h4_subheadings(client, session_section):
    page = client.get(session_section.report.get_absolute_url()).content.decode()

    anchor = session_section.anchor
    headings = re.findall(rf'<h(\d)(?: class="([^"]*)")? id="{anchor}-[^"]*"', page)
    # Sized by depth below the title, not by tag: the same `##` is an h3 in a plain section.
    assert headings == [("3", ""), ("4", "subheading-1"), ("5", "subheading-2")]


@pytest.mark.django_db
def test_plain_section_has_h2_title_and_h3_subheadings(client, author):
    section = make_section(make_report(published=True), author=author, body="## 見どころ")

    page = client.get(section.report.get_absolute_url()).content.decode()

    headings = re.findall(rf'<h(\d)(?: class="([^"]*)")? id="{section.anchor}-[^"]*"', page)
    assert headings == [("2", ""), ("3", "subheading-1")]


@pytest.mark.django_db
def test_lead_and_closing_headings_sit_below_the_report_title_and_the_closing_heading(client):
    report = make_report(published=True, lead="## 概要", closing="## 次回")

    page = client.get(report.get_absolute_url()).content.decode()

    assert re.findall(r'<h(\d) class="subheading-1" id="(?:lead|closing)-(?!title")', page) == [
        "2",
        "3",
    ]
    assert '<h2 id="closing-title">' in page


@pytest.mark.django_db
def test_a_section_that_gains_a_session_moves_its_subheadings_down(author, editor):
    section = make_section(make_report(event=make_event()), author=author, body="## 見どころ")
    section.session = make_session(section.report.event)

    save_section(section, by=editor)

    section.refresh_from_db()
    assert section.body_html.startswith("<h4 ")


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="ja")
def test_hint_preview_and_page_agree(client, editor, session_section):
    client.force_login(editor)
    editor_page = client.get(reverse("admin:blog_section_change", args=[session_section.pk]))
    marker = re.search(r"Markdown: .*?(#+) 小見出し", html.unescape(editor_page.text))[1]
    body = f"{marker} 小見出し"

    preview = client.post(
        reverse("markdownx_markdownify"),
        {"section": session_section.pk, "field": "body", "content": body},
    ).content.decode()
    session_section.body = body
    save_section(session_section, by=editor)
    page = client.get(session_section.report.get_absolute_url()).content.decode()

    subheading = f'<h4 class="subheading-1" id="{session_section.anchor}-小見出し">小見出し</h4>'
    assert (preview, subheading in page) == (subheading, True)
    assert f'<h3 id="{session_section.anchor}-title"' in page


def test_migration_moves_stored_headings_as_a_fresh_render_would():
    relevel = importlib.import_module("blog.migrations.0007_heading_levels").relevel
    text = "#### 見どころ\n\n本文\n\n##### 細部"
    stored_before = (
        '<h4 id="section-1-見どころ">見どころ</h4>\n<p>本文</p>\n<h5 id="section-1-細部">細部</h5>'
    )
    # The depth classes came later; `render_texts` adds them to stored texts.
    fresh = markdown.convert(text, "section-1-", title_level=3).html
    without_depth_classes = re.sub(r' class="subheading-\d"', "", fresh)

    assert relevel(stored_before, 3) == without_depth_classes
    assert relevel("<p>見出しなし</p>", 2) == "<p>見出しなし</p>"
