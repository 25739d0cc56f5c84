"""A report out to the company blog: Hatena Blog Markdown and one standalone HTML file."""

import io
import json
import re
import subprocess
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils.html import escape
from markdown_it import MarkdownIt

from blog import export, markdown
from blog.enums import ExportFormat
from blog.models import Photo, Report
from demo.loader import load_demo
from tests.conftest import VNU_JAR
from tests.factories import make_event, make_photo, make_report, make_section, make_session
from tests.test_headings import headings_in

BASE_URL = "https://blog.example.com"
DEMO_SLUG = "kubecon-na-2022"
IMAGE_SOURCE = re.compile(r'<img [^>]*src="([^"]+)"')


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo report, loaded once for the module (as tests/test_demo.py does) and rolled
    back after the module's last test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo()
            yield Report.objects.get(slug=DEMO_SLUG)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def exported(report: Report, export_format: ExportFormat) -> str:
    return export.export(report, export_format, base_url=BASE_URL).content


def demo_facts(report: Report) -> list[tuple[str, str, str]]:
    """What a reader of either copy must find, read from the database rows:
    (kind, plain text, the same as HTML)."""
    facts = []

    def expect(kind: str, text: str) -> None:
        facts.append((kind, text, escape(text)))

    sections = list(report.sections.select_related("session", "author__author_profile"))
    for section in sections:
        expect("section title", section.title)
        expect("byline name", section.author.author_profile.display_name)
        expect("byline team", section.author_team)
        if section.session:
            for speaker in section.session.ordered_speakers:
                expect("speaker", speaker.name)
                expect("affiliation", speaker.affiliation)
    for photo in Photo.objects.filter(report=report):
        facts.append(("image", urljoin(BASE_URL, photo.src), urljoin(BASE_URL, photo.src)))
        expect("caption", photo.caption)
        expect("credit", photo.credit_text)
        if photo.credit_url:
            expect("credit link", photo.credit_url)
    return [fact for fact in facts if fact[1]]


def sub_headings(section_html: str) -> list[str]:
    return re.findall(r"<h[3-6][^>]*>(.*?)</h[3-6]>", section_html)


# --- What both copies hold ---------------------------------------------------------------------


@pytest.mark.django_db
def test_hatena_export_holds_every_section_speaker_byline_and_figure_of_the_demo(demo):
    markdown = exported(demo, ExportFormat.HATENA)
    # In Hatena's copy, plain text sits in Markdown and figures in raw HTML.
    missing = [
        (kind, text)
        for kind, text, html in demo_facts(demo)
        if text not in markdown and html not in markdown
    ]
    assert missing == []


@pytest.mark.django_db
def test_html_export_holds_every_section_speaker_byline_and_figure_of_the_demo(demo):
    html = exported(demo, ExportFormat.HTML)
    missing = [(kind, text) for kind, text, as_html in demo_facts(demo) if as_html not in html]
    assert missing == []


@pytest.mark.django_db
def test_hatena_export_has_contents_marker_and_headings_in_page_order(demo):
    markdown = exported(demo, ExportFormat.HATENA)
    sections = list(demo.sections.select_related("session").order_by("position"))

    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    expected = []
    for section in sections:
        if section.session is None:
            expected.append(f"## {section.heading}")
        else:
            if "## 参加メンバーによるセッション紹介" not in expected:
                expected.append("## 参加メンバーによるセッション紹介")
            expected.append(f"### {export._plain(section.title)}")
        # The writers' own sub-headings, one level below the section's title, as on the page.
        expected += [
            f"{'#' * int(level)} {text}"
            for level, text in re.findall(r"<h([3-6])[^>]*>(.*?)</h\1>", section.body_html)
        ]
    expected += ["## 最後に", "## 番外編: 会場の様子"]
    assert headings == expected
    assert "#### サイドカー方式の悩み" in headings
    assert markdown.count("[:contents]") == 1
    assert markdown.index("[:contents]") < markdown.index("\n## ")
    assert markdown.index("**KubeCon + CloudNativeCon North America 2022**") == 0


@pytest.mark.django_db
def test_html_export_has_every_heading_of_the_demo(demo):
    html = exported(demo, ExportFormat.HTML)
    page_headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html)

    expected = [escape(demo.title), escape(demo.event.name), "目次"]
    for section in demo.sections.select_related("session").order_by("position"):
        if section.session and "参加メンバーによるセッション紹介" not in expected:
            expected.append("参加メンバーによるセッション紹介")
        expected.append(escape(section.title))
        expected += sub_headings(section.body_html)
    expected += ["最後に", "番外編: 会場の様子"]
    assert page_headings == expected


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_every_image_address_is_absolute(demo, export_format):
    content = exported(demo, export_format)

    sources = IMAGE_SOURCE.findall(content)
    assert len(sources) == Photo.objects.filter(report=demo).count()
    assert [src for src in sources if not src.startswith(f"{BASE_URL}/media/")] == []
    assert re.findall(r'(?:src|srcset|href)="/', content) == []


@pytest.mark.django_db
def test_hatena_export_keeps_the_demo_code_block_fenced_with_its_language(demo):
    markdown = exported(demo, ExportFormat.HATENA)
    fences = [
        fence
        for section in demo.sections.all()
        for fence in re.findall(r"^```\w+\n.*?^```$", section.body, re.MULTILINE | re.DOTALL)
    ]
    assert [fence.split("\n", 1)[0] for fence in fences] == ["```console"]
    assert [fence for fence in fences if fence not in markdown] == []


@pytest.mark.django_db
def test_lead_and_closing_are_in_both_exports(demo):
    markdown = exported(demo, ExportFormat.HATENA)
    html = exported(demo, ExportFormat.HTML)

    assert demo.lead.strip() in markdown
    assert demo.closing.strip() in markdown
    assert demo.lead_html in html
    assert demo.closing_html in html


# --- The Hatena copy of a text: figures, code, footnotes -----------------------------------------

TEXT_WITH_CODE_AND_PHOTO = """\
最初の段落です。![スライドの図](photo:{photo} "構成図") 続きの文です[^1]。

```python
print("![そのまま](photo:{photo})")
```

インラインの `![これも](photo:{photo})` はコードです。詳しくは[関連記事](/reports/other/)へ。

[^1]: 脚注です。
"""


@pytest.mark.django_db
def test_hatena_markdown_places_figures_after_their_paragraph_and_leaves_code_alone():
    report = make_report()
    section = make_section(report, body="仮")
    photo = make_photo(
        report, section, alt_text="図", credit_text="出典: 講演資料", credit_url="https://x.test/"
    )
    section.body = TEXT_WITH_CODE_AND_PHOTO.format(photo=photo.pk)
    section.save()

    markdown = exported(report, ExportFormat.HATENA)

    src = urljoin(BASE_URL, photo.src)
    figure = (
        '<figure class="figure figure-image figure-image-fotolife">'
        f'<img src="{src}" alt="スライドの図" width="64" height="48" loading="lazy">'
        '<figcaption><span class="figure__caption">構成図</span><br>'
        '<small class="figure__credit"><a href="https://x.test/" rel="noopener noreferrer">'
        "出典: 講演資料</a></small></figcaption></figure>"
    )
    prefix = f"section-{section.pk}-"
    assert (
        f"最初の段落です。 続きの文です[^{prefix}1]。\n\n{figure}\n\n"
        f'```python\nprint("![そのまま](photo:{photo.pk})")\n```\n\n'
        f"インラインの `![これも](photo:{photo.pk})` はコードです。"
        f"詳しくは[関連記事]({BASE_URL}/reports/other/)へ。\n\n"
        f"[^{prefix}1]: 脚注です。"
    ) in markdown


@pytest.mark.django_db
def test_hatena_markdown_puts_a_photo_beginning_a_line_where_the_page_does():
    report = make_report()
    section = make_section(report, body="仮")
    first, second = (make_photo(report, section, alt_text=alt) for alt in ("一枚目", "二枚目"))
    section.body = (
        f"写真の前の文です。\n![会場](photo:{first.pk})\n写真のあとの文です。"
        f"文中の ![二枚目](photo:{second.pk}) はここに。\n  ![会場](photo:{first.pk}) 行頭の写真。"
    )
    section.save()

    markdown = exported(report, ExportFormat.HATENA)

    def figure(photo):
        return re.search(rf"<figure[^\n]*?{re.escape(photo.src)}.*?</figure>", markdown)[0]

    body = markdown[markdown.index("写真の前の文です。") :]
    assert body.startswith(
        f"写真の前の文です。\n\n{figure(first)}\n\n"
        "写真のあとの文です。文中の  はここに。\n\n"
        f"{figure(second)}\n\n{figure(first)}\n\n行頭の写真。"
    )
    # The page, from the same text: the same order.
    page = section.body_html
    assert page.index("写真の前の文です。") < page.index(first.src) < page.index("写真のあと")
    assert page.index(second.src) < page.rindex(first.src) < page.index("行頭の写真。")


HEADINGS_AND_CODE = """\
## サイドカー方式の悩み

本文です。

### リソースの重さ

```markdown
## not a heading
```

続き。
"""


@pytest.mark.django_db
def test_hatena_export_puts_writers_headings_below_their_title_as_the_page_does():
    report = make_report(lead="## リードの見出し", closing="## 閉じの見出し")
    event = make_event()
    make_section(report, position=0, heading="概要", body=HEADINGS_AND_CODE)
    make_section(report, position=1, session=make_session(event), body=HEADINGS_AND_CODE)

    markdown = exported(report, ExportFormat.HATENA)

    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    session_title = f"### {export._plain(report.sections.get(position=1).title)}"
    assert headings == [
        "## リードの見出し",  # under the entry's title, Hatena's <h1>
        "## 概要",
        "### サイドカー方式の悩み",
        "#### リソースの重さ",
        "## not a heading",  # code, as typed
        "## 参加メンバーによるセッション紹介",
        session_title,
        "#### サイドカー方式の悩み",
        "##### リソースの重さ",
        "## not a heading",
        "## 最後に",
        "### 閉じの見出し",
    ]
    assert markdown.count("```markdown\n## not a heading\n```") == 2
    # The page's levels, section by section.
    page_levels = [re.findall(r"<h([2-6])", section.body_html) for section in report.sections.all()]
    assert page_levels == [["3", "4"], ["4", "5"]]


@pytest.mark.parametrize(
    ("source", "title_level", "expected"),
    [
        # Setext headings, and ATX ones written without a space, are headings on the page.
        ("見出し\n===\n\n小見出し\n---", 2, "### 見出し\n\n\n#### 小見出し\n"),
        ("##見出し\n本文", 3, "#### 見出し\n本文"),
        # Never past h6; an empty heading goes, as on the page; a quote stays one quote.
        ("# 上\n\n###### 下", 3, "#### 上\n\n###### 下"),
        ("##\n## 本物", 2, "\n### 本物"),
        ("> ## 引用\n>\n> 題\n> ---", 2, "> ### 引用\n>\n> ### 題\n>"),
        # Four spaces make code, and code is left alone.
        ("## 見出し\n\n    ## コード", 2, "### 見出し\n\n    ## コード"),
        # Indented by 1 to 3 spaces, or on a list item's next line, `#` is text on the page
        # (CommonMark reads a heading): escaped, and no level counts it.
        ("  ## 文\n\n### 見出し", 2, "  \\## 文\n\n### 見出し"),
        ("本文\n   # 文", 2, "本文\n   \\# 文"),
        (">  ## 文\n\n## 見出し", 3, ">  \\## 文\n\n#### 見出し"),
        ("- 項目\n  ## 文\n- ## 見出し", 2, "- 項目\n  \\## 文\n- ### 見出し"),
        ("> 1. 項目\n>    ## 文", 2, "> 1. 項目\n>    \\## 文"),
        # After a blank line in the item, or as its first text, it is one.
        ("- 項目\n\n  #### 見出し", 2, "- 項目\n\n  ### 見出し"),
        ("- \n  ## 見出し", 2, "- \n  ### 見出し"),
    ],
)
def test_hatena_headings_follow_the_page_s_rule(source, title_level, expected):
    assert export._headings_as_on_the_page(source, title_level) == expected
    # The same levels as the page's, from the same text.
    page = markdown.convert(source, title_level=title_level).html
    exported_levels = [
        str(len(marks)) for marks in re.findall(r"^(?:> |- )? {0,3}(#+) ", expected, re.M)
    ]
    assert re.findall(r"<h([1-6])", page) == exported_levels


def test_hatena_and_the_page_agree_on_a_heading_s_closing_hashes():
    source = "## C#\n\n## F# ##\n\n## 見出し #"

    exported = export._headings_as_on_the_page(source, 2)

    hatena = [token.content for token in export._parse(exported) if token.type == "inline"]
    page = [text for _level, text in headings_in(markdown.convert(source, title_level=2).html)]
    assert page == hatena == ["C#", "F#", "見出し"]


class _Blocks(HTMLParser):
    """Blocks and words, as a reader sees what is in what: paragraphs left out (a list may
    be loose in one copy and tight in the other), a figure as one block, its words aside."""

    BLOCKS = {"ul", "ol", "li", "blockquote", "pre", "figure", "table", "td", "th"}
    BLOCKS |= set(markdown.HEADING_TAGS)

    def __init__(self):
        super().__init__()
        self.shape: list[str] = []
        self.in_figure = False

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS and not self.in_figure:
            self.shape.append(f"<{tag}>")
        self.in_figure |= tag == "figure"

    def handle_endtag(self, tag):
        self.in_figure &= tag != "figure"
        if tag in self.BLOCKS and not self.in_figure:
            self.shape.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.in_figure:
            self.shape.extend(data.split())


def blocks(html: str) -> list[str]:
    parser = _Blocks()
    parser.feed(html)
    return parser.shape


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        # Headings that the page shows as text.
        "  ## 見出しではない\n\n本文",
        "本文\n   # これも文",
        "- 項目\n  ## 項目の続き",
        # Code at the very start of a text.
        "    ## コード\n\n本文",
        "\tkubectl get pods\n\n本文",
        "![会場](photo:{pk})本文\n\n    1. コード",
        # Photos in list items and quotes stay there.
        "- ![会場](photo:{pk})\n- 次",
        "- 親\n  - ![会場](photo:{pk})\n- 次",
        "1. 手順\n   ![会場](photo:{pk})\n   続き\n2. 次",
        "1. 手順\n\n   ![会場](photo:{pk}) 説明\n\n2. 次",
        "> 引用\n> ![会場](photo:{pk})\n> 続き",
        "> - ![会場](photo:{pk})",
        "- 文中の ![会場](photo:{pk}) 写真\n- 次",
    ],
)
def test_hatena_markdown_shows_what_the_page_shows(body):
    report = make_report()
    section = make_section(report, body="仮")
    photo = make_photo(report, section, alt_text="会場")
    section.body = body.format(pk=photo.pk)
    section.save()
    copy = export.build(report, base_url=BASE_URL)
    [text] = [section.body for part in copy.parts for section in part.sections]

    hatena = export._hatena_markdown(text, copy, "s-")

    # Hatena's reading of Markdown, as the export assumes it: CommonMark.
    shown = MarkdownIt("commonmark").enable("table").render(hatena)
    assert blocks(shown) == blocks(section.body_html)


@pytest.mark.django_db
def test_hatena_export_escapes_markdown_in_titles_and_names():
    report = make_report(title="タイトル")
    make_section(report, heading="*強調* ではない [見出し]")

    markdown = exported(report, ExportFormat.HATENA)

    assert "## \\*強調\\* ではない \\[見出し\\]" in markdown.splitlines()


# --- The HTML file --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_html_export_is_one_document_with_its_styles_inside(demo):
    html = exported(demo, ExportFormat.HTML)

    assert html.startswith('<!DOCTYPE html>\n<html lang="ja">')
    assert html.rstrip().endswith("</html>")
    assert html.count("<style>") == 1
    assert ".highlight .k {" in html  # the code colours travel with it
    assert re.findall(r"<link|<script", html) == []


@pytest.mark.vnu
@pytest.mark.django_db
def test_html_export_passes_the_nu_html_checker(demo, tmp_path):
    document = tmp_path / "report.html"
    document.write_text(exported(demo, ExportFormat.HTML), encoding="utf-8")

    checked = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(document)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert [message["message"] for message in json.loads(checked.stderr)["messages"]] == []


# --- The download -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("export_format", "filename", "content_type"),
    [
        ("hatena", "kubecon-na-2022.hatena.md", "text/markdown; charset=utf-8"),
        ("html", "kubecon-na-2022.html", "text/html; charset=utf-8"),
    ],
)
def test_editor_downloads_the_export(client, demo, export_format, filename, content_type):
    client.force_login(get_user_model().objects.get(username="editor"))  # the demo's

    response = client.get(f"/admin/blog/report/{demo.pk}/export/{export_format}/")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    # No SITE_URL configured in tests: the images point where the editor reached the site.
    assert IMAGE_SOURCE.findall(response.content.decode())[0].startswith("http://testserver/media/")


# --- The management command -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_command_prints_the_export(demo, export_format):
    out = io.StringIO()

    call_command("export_report", DEMO_SLUG, "--format", export_format, stdout=out)

    with override_settings(SITE_URL_CONFIGURED=True):
        expected = export.export(demo, export_format, base_url=export.site_base_url()).content
    assert out.getvalue() == expected


@pytest.mark.django_db
def test_command_writes_the_output_file(demo, tmp_path):
    target = tmp_path / "report.html"
    out = io.StringIO()

    call_command(
        "export_report",
        DEMO_SLUG,
        "--format=html",
        f"--output={target}",
        f"--base-url={BASE_URL}",
        stdout=out,
    )

    assert target.read_text(encoding="utf-8") == exported(demo, ExportFormat.HTML)
    assert out.getvalue() == f"Wrote {target}\n"


@pytest.fixture
def connection_kept_open(monkeypatch):
    """`manage.py` closes the database connections when a command ends; in a test that
    would end the test's own transaction."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


@pytest.mark.django_db
@pytest.mark.usefixtures("connection_kept_open")
def test_command_refuses_an_unknown_slug_with_exit_status_one(capsys, tmp_path):
    target = tmp_path / "report.md"

    with pytest.raises(SystemExit) as exit_status:
        execute_from_command_line(
            [
                "manage.py",
                "export_report",
                "no-such-report",
                "--format=hatena",
                f"--output={target}",
            ]
        )

    assert exit_status.value.code == 1
    assert (
        capsys.readouterr().err
        == "CommandError: There is no report with the slug 'no-such-report'.\n"
    )
    assert not target.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("connection_kept_open")
def test_command_refuses_an_unknown_format(capsys):
    with pytest.raises(SystemExit) as exit_status:
        execute_from_command_line(["manage.py", "export_report", DEMO_SLUG, "--format=pdf"])

    assert exit_status.value.code == 2
    assert "argument --format: invalid choice: 'pdf' (choose from 'hatena', 'html')" in (
        capsys.readouterr().err
    )


@pytest.mark.django_db
def test_command_refuses_an_unwritable_output(tmp_path):
    report = make_report()

    with pytest.raises(CommandError, match=r"Could not write .*: No such file or directory"):
        call_command(
            "export_report", report.slug, "--format=html", f"--output={tmp_path}/missing/x.html"
        )


def test_stored_html_gets_absolute_addresses_in_attributes_only():
    stored = (
        '<p><a href="/tags/sre/" rel="noopener noreferrer">SRE</a> <a href="#section-1-fn:1">1</a>'
        ' <a href="https://example.org/" rel="noopener noreferrer">外部</a></p>'
        '<!-- photo:3 --><figure class="figure"><picture><source type="image/webp" '
        'srcset="/media/a-480.webp 480w, /media/a-960.webp 960w" sizes="100vw">'
        '<img src="/media/a-960.jpeg" srcset="/media/a-480.jpeg 480w" alt="図" width="960" '
        'height="540" loading="lazy" decoding="async"></picture></figure>'
        '<pre><code>&lt;img src="/media/x.png"&gt;</code></pre>'
    )

    assert markdown.with_absolute_urls(stored, f"{BASE_URL}/") == (
        f'<p><a href="{BASE_URL}/tags/sre/" rel="noopener noreferrer">SRE</a> '
        '<a href="#section-1-fn:1" rel="noopener noreferrer">1</a> '
        '<a href="https://example.org/" rel="noopener noreferrer">外部</a></p>'
        '<figure class="figure"><picture><source type="image/webp" '
        f'srcset="{BASE_URL}/media/a-480.webp 480w, {BASE_URL}/media/a-960.webp 960w" '
        f'sizes="100vw"><img src="{BASE_URL}/media/a-960.jpeg" '
        f'srcset="{BASE_URL}/media/a-480.jpeg 480w" alt="図" width="960" height="540" '
        'loading="lazy" decoding="async"></picture></figure>'
        '<pre><code>&lt;img src="/media/x.png"&gt;</code></pre>'
    )


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_a_section_with_its_own_heading_names_its_session_in_both_exports(export_format):
    report = make_report()
    event = make_event()
    make_section(report, heading="私の見出し", session=make_session(event, title="Talk Title"))
    make_section(report, session=make_session(event, title="Another Talk"))

    text = exported(report, export_format)

    assert text.count("セッション: Talk Title") == 1
    assert "セッション: Another Talk" not in text  # its title is the session's already
