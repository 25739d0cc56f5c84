"""`![alt](photo:N "caption")` in a text: a figure on the page, and a description enforced."""

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from blog import editing, markdown
from blog.models import PHOTO_ALT_PLACEHOLDER, Photo, Section
from tests.factories import make_photo, make_report, make_section, make_user
from tests.forms import form_values

pytestmark = pytest.mark.django_db

ALT_PLACEHOLDER = "ここに代替テキスト（写真の説明）を書いてください"
CAPTION_PLACEHOLDER = "キャプション（任意）"
CAPTIONS_LEFT_OUT = (
    "キャプションが仮の文のままだった写真 1 枚は、キャプションなしで保存しました。"
    'キャプションを付けるときは、![…](photo:番号 "キャプション") のように'
    "番号のあとの引用符の中に書いてください。"
)


class Figures(HTMLParser):
    """Each <figure> as {tag: attributes} plus its caption text, read as a browser would."""

    def __init__(self):
        super().__init__()
        self.figures: list[dict] = []
        self._in_figure = False
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self.figures.append({"caption": ""})
            self._in_figure = True
        elif self._in_figure and tag in {"source", "img", "a"}:
            self.figures[-1][tag] = dict(attrs)
        if tag == "figcaption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in_caption = False
        if tag == "figure":
            self._in_figure = False

    def handle_data(self, data):
        if self._in_caption and data.strip():
            self.figures[-1]["caption"] += data.strip()


def figures_in(html: str) -> list[dict]:
    parser = Figures()
    parser.feed(html)
    return parser.figures


@pytest.fixture
def report_with_photo():
    report = make_report(published=True)
    section = make_section(report, body="本文")
    photo = make_photo(
        report,
        section,
        alt_text="会場の写真",
        credit_text="撮影: 佐藤",
        credit_url="https://example.com/photos",
    )
    return report, section, photo


def test_photo_reference_renders_as_a_responsive_figure(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f'前の段落\n\n![基調講演の会場](photo:{photo.pk} "満席の会場")\n\n後の段落'
    section.full_clean()
    section.save()

    [figure] = figures_in(section.body_html)

    assert figure == {
        "caption": "満席の会場撮影: 佐藤",
        "source": {
            "type": "image/webp",
            "srcset": photo.webp_srcset,
            "sizes": "(min-width: 48rem) 44rem, 100vw",
        },
        "img": {
            "src": photo.src,
            "srcset": photo.fallback_srcset,
            "sizes": "(min-width: 48rem) 44rem, 100vw",
            "width": "64",
            "height": "48",
            "alt": "基調講演の会場",
            "loading": "lazy",
            "decoding": "async",
        },
        "a": {"href": "https://example.com/photos", "rel": "noopener noreferrer"},
    }


def test_figure_leaves_the_paragraph_it_was_typed_in(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f"前の文 ![説明](photo:{photo.pk}) 後の文"
    section.save()

    assert re.sub(r"<figure.*</figure>", "FIGURE", section.body_html, flags=re.S) == (
        f"<p>前の文  後の文</p>\n<!-- photo:{photo.pk} -->FIGURE"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("![説明](photo:{pk})\n後の文", "FIGURE\n<p>後の文</p>"),
        ("前の文\n![説明](photo:{pk})\n後の文", "<p>前の文</p>\nFIGURE\n<p>後の文</p>"),
        ("前の文\n![説明](photo:{pk})", "<p>前の文</p>\nFIGURE"),
        (
            "**太字**\n![説明](photo:{pk}) 同じ行の続き",
            "<p><strong>太字</strong></p>\nFIGURE\n<p>同じ行の続き</p>",
        ),
    ],
)
def test_a_photo_beginning_a_line_stays_where_it_was_typed(report_with_photo, body, expected):
    _report, section, photo = report_with_photo
    section.body = body.format(pk=photo.pk)
    section.save()

    html = re.sub(r"<!-- photo:\d+ --><figure.*?</figure>", "FIGURE", section.body_html, flags=re.S)
    assert html == expected


def test_preview_and_public_page_show_the_same_figure(client, report_with_photo):
    report, section, photo = report_with_photo
    body = f"![舞台](photo:{photo.pk})"
    section.body = body
    section.save()

    page = client.get(report.get_absolute_url()).content.decode()
    preview = markdown.render(
        body, anchor_prefix=f"{section.anchor}-", photos={photo.pk: photo}
    ).html

    assert figures_in(preview) == [figures_in(page)[0]]


def test_placed_photo_is_not_repeated_under_the_section(client, report_with_photo):
    report, section, photo = report_with_photo
    other = make_photo(report, section, alt_text="別の写真")
    section.body = f"![舞台](photo:{photo.pk})"
    section.save()

    page = client.get(report.get_absolute_url()).content.decode()

    assert re.findall(r'<img [^>]*alt="([^"]*)"', page) == ["舞台", other.alt_text]


def test_undescribed_photo_is_never_shown_to_readers(client, report_with_photo):
    report, _section, photo = report_with_photo
    Photo.objects.filter(pk=photo.pk).update(alt_text=ALT_PLACEHOLDER)

    page = client.get(report.get_absolute_url()).content.decode()

    assert re.findall(r"<img ", page) == []


def test_lead_can_show_a_photo_of_the_report(client):
    report = make_report(published=True)
    photo = make_photo(report, alt_text="会場の外観")
    report.lead = f"![デトロイトの会場](photo:{photo.pk})"
    report.save()

    page = client.get(report.get_absolute_url()).content.decode()

    assert [f["img"]["alt"] for f in figures_in(page)] == ["デトロイトの会場"]


# --- A photo cannot be placed without a description -----------------------------------------


def section_errors(section: Section) -> list[str]:
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    return error.value.message_dict["body"]


def undescribed(place: int, photo: Photo) -> str:
    return (
        f"上から {place} 枚目の写真（photo:{photo.pk}）にまだ説明がありません。"
        "写真を見られない読者のために、その ![…] の角かっこの中に、"
        "写真に写っているものを書いてください。"
    )


def test_dropped_photo_with_the_placeholder_cannot_be_saved(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f'![{ALT_PLACEHOLDER}](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")'

    # Only the description is asked for: the caption is optional, as its placeholder says.
    assert section_errors(section) == [undescribed(1, photo)]


def test_an_undescribed_photo_is_named_by_its_place_in_the_text(report_with_photo):
    report, section, described = report_with_photo
    dropped = make_photo(report, section, alt_text=ALT_PLACEHOLDER)
    section.body = (
        f"![会場](photo:{described.pk})\n\n本文\n\n"
        f'![{ALT_PLACEHOLDER}](photo:{dropped.pk} "{CAPTION_PLACEHOLDER}")'
    )

    assert section_errors(section) == [undescribed(2, dropped)]


# --- A caption is optional: its placeholder left as it is means none ----------------------


def test_an_untouched_caption_placeholder_saves_the_photo_without_a_caption(report_with_photo):
    _report, section, photo = report_with_photo
    Photo.objects.filter(pk=photo.pk).update(alt_text=ALT_PLACEHOLDER)
    section.body = f'本文\n\n![基調講演の会場](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")'

    section.full_clean()
    edit = editing.save_section(section, by=make_user(group="Editors"))

    section.refresh_from_db()
    photo.refresh_from_db()
    [figure] = figures_in(section.body_html)
    assert (section.body, figure["caption"], photo.alt_text, photo.caption) == (
        f"本文\n\n![基調講演の会場](photo:{photo.pk})",  # the stored text never carries it
        "撮影: 佐藤",  # the credit alone
        "基調講演の会場",
        "",
    )
    assert edit.messages()[-1] == CAPTIONS_LEFT_OUT


@pytest.mark.parametrize(
    "title",
    [
        f'"{CAPTION_PLACEHOLDER}"',
        f"'{CAPTION_PLACEHOLDER}'",
        '"Caption (optional)"',
        '" キャプション（任意） "',
    ],
)
def test_the_caption_placeholder_is_left_out_however_it_is_quoted(report_with_photo, title):
    _report, section, photo = report_with_photo
    section.body = f"![舞台 [左側]](photo:{photo.pk} {title}) と ![客席](photo:{photo.pk})"

    edit = editing.save_section(section, by=make_user(group="Editors"))

    assert (section.body, edit.captions_left_out) == (
        f"![舞台 [左側]](photo:{photo.pk}) と ![客席](photo:{photo.pk})",
        1,
    )


# What a writer shows as code (how to write a photo reference, say) is kept as typed.
SHOWN_AS_CODE = [
    '```markdown\n![説明](photo:{pk} "{caption}")\n```',
    '~~~\n![説明](photo:{pk} "{caption}")\n~~~',
    'インデントしたコード:\n\n    ![説明](photo:{pk} "{caption}")',
    '書き方は `![説明](photo:{pk} "{caption}")` です。',
    "書き方は ``![説明](photo:{pk} '{caption}')`` です。",
    '1. 手順\n\n   ```\n   ![説明](photo:{pk} "{caption}")\n   ```\n2. 次',
    '- 項目\n\n        ![説明](photo:{pk} "{caption}")',
]


@pytest.mark.parametrize("code", SHOWN_AS_CODE)
def test_the_caption_placeholder_in_code_is_kept_as_typed(report_with_photo, code):
    _report, section, photo = report_with_photo
    code = code.format(pk=photo.pk, caption=CAPTION_PLACEHOLDER)
    section.body = f'{code}\n\n![舞台](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")'

    edit = editing.save_section(section, by=make_user(group="Editors"))

    section.refresh_from_db()
    assert (section.body, edit.captions_left_out) == (f"{code}\n\n![舞台](photo:{photo.pk})", 1)
    assert CAPTION_PLACEHOLDER in section.body_html  # the code, shown as typed
    assert [figure["caption"] for figure in figures_in(section.body_html)] == ["撮影: 佐藤"]


def test_the_preview_keeps_the_caption_placeholder_in_code(client, report_with_photo):
    _report, section, photo = report_with_photo
    client.force_login(make_user(is_superuser=True, group="Editors"))
    code = f'`![舞台](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")`'

    preview = client.post(
        reverse("markdownx_markdownify"), {"section": section.pk, "content": code}
    ).content.decode()

    assert preview == f'<p><code>![舞台](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")</code></p>'


def test_a_caption_the_writer_wrote_is_kept_and_nothing_is_said(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f'![舞台](photo:{photo.pk} "任意参加のハンズオン")'

    edit = editing.save_section(section, by=make_user(group="Editors"))

    section.refresh_from_db()
    assert (section.body, CAPTIONS_LEFT_OUT in edit.messages()) == (
        f'![舞台](photo:{photo.pk} "任意参加のハンズオン")',
        False,
    )


def test_the_preview_shows_the_photo_as_the_save_stores_it(client, report_with_photo):
    _report, section, photo = report_with_photo
    text = f'![舞台](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")'
    client.force_login(make_user(is_superuser=True, group="Editors"))

    preview = client.post(
        reverse("markdownx_markdownify"), {"section": section.pk, "content": text}
    ).content.decode()
    section.body = text
    editing.save_section(section, by=make_user(group="Editors"))

    section.refresh_from_db()
    assert figures_in(preview) == figures_in(section.body_html)
    assert [figure["caption"] for figure in figures_in(preview)] == ["撮影: 佐藤"]


def test_the_report_lead_leaves_out_the_caption_placeholder_too(report_with_photo):
    report, _section, _photo = report_with_photo
    photo = make_photo(report, alt_text="会場の外観")
    report.lead = f'![デトロイトの会場](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")'

    edit = editing.save_report(report, by=make_user(group="Editors"))

    report.refresh_from_db()
    assert (report.lead, edit.messages()) == (
        f"![デトロイトの会場](photo:{photo.pk})",
        [CAPTIONS_LEFT_OUT],
    )


def test_english_placeholder_is_refused_too(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f"![{'Describe this photo here (alternative text)'}](photo:{photo.pk})"

    assert len(section_errors(section)) == 1


def test_empty_alt_uses_the_photo_description_when_there_is_one(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f"![](photo:{photo.pk})"

    section.full_clean()
    section.save()

    assert [f["img"]["alt"] for f in figures_in(section.body_html)] == ["会場の写真"]


def test_empty_alt_is_refused_when_the_photo_is_undescribed(report_with_photo):
    _report, section, photo = report_with_photo
    Photo.objects.filter(pk=photo.pk).update(alt_text=ALT_PLACEHOLDER)
    section.body = f"![](photo:{photo.pk})"

    assert len(section_errors(section)) == 1


def test_photo_of_another_report_cannot_be_placed(report_with_photo):
    _report, section, _photo = report_with_photo
    stranger = make_photo(make_report(), alt_text="下書きの写真")
    section.body = f"![見えてはいけない](photo:{stranger.pk})"

    assert section_errors(section) == [
        f"このレポートに写真 {stranger.pk} はありません。"
        f"画像を本文にもう一度ドロップするか、photo:{stranger.pk} の番号を直してください。"
    ]


def test_unknown_photo_renders_a_notice_not_another_reports_image(report_with_photo):
    _report, _section, _photo = report_with_photo
    stranger = make_photo(make_report(), alt_text="下書きの写真")

    html = markdown.render(f"![説明](photo:{stranger.pk})", photos={}).html

    assert html == (
        '<p class="photo-missing"><span class="photo-missing__label">写真が見つかりません'
        "</span> 説明</p>"
    )


def test_saving_copies_the_description_onto_the_photo(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f'![登壇者と聴衆](photo:{photo.pk} "開場直後")'
    section.full_clean()
    editing.save_section(section, by=make_user(group="Editors"))

    photo.refresh_from_db()
    assert (photo.alt_text, photo.caption) == ("登壇者と聴衆", "開場直後")


def test_photo_admin_refuses_the_placeholder_as_alt_text(report_with_photo):
    _report, _section, photo = report_with_photo
    photo.alt_text = str(PHOTO_ALT_PLACEHOLDER)

    with pytest.raises(ValidationError) as error:
        photo.full_clean()

    assert error.value.message_dict["alt_text"] == [
        "仮の文の代わりに、写真に写っているものを書いてください。"
    ]


# --- Figures follow their photo --------------------------------------------------------------


def test_changing_a_photo_updates_the_texts_that_show_it(report_with_photo):
    _report, section, photo = report_with_photo
    section.body = f"![舞台](photo:{photo.pk})"
    editing.save_section(section, by=make_user(group="Editors"))

    photo.credit_text = "出典: 講演スライド"
    editing.save_photo(photo, by=make_user(group="Editors"))

    section.refresh_from_db()
    assert [f["caption"] for f in figures_in(section.body_html)] == ["出典: 講演スライド"]


def test_deleting_a_photo_leaves_a_notice_in_the_text(
    report_with_photo, django_capture_on_commit_callbacks
):
    _report, section, photo = report_with_photo
    section.body = f"![舞台](photo:{photo.pk})"
    section.save()

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()

    section.refresh_from_db()
    assert section.body_html == (
        '<p class="photo-missing"><span class="photo-missing__label">写真が見つかりません'
        "</span> 舞台</p>"
    )


def test_new_section_renders_with_its_own_anchor(report_with_photo):
    report, _section, _photo = report_with_photo
    section = Section(report=report, author=make_user(), heading="新しい節", body="### まとめ")
    section.full_clean()
    section.save()

    section.refresh_from_db()
    assert (
        section.body_html
        == f'<h3 class="subheading-1" id="section-{section.pk}-まとめ">まとめ</h3>'
    )


def test_alt_and_caption_cannot_break_out_of_the_figure(report_with_photo):
    from tests.xss import problems_in

    _report, section, photo = report_with_photo
    section.body = (
        f'![x" onerror="alert(1)](photo:{photo.pk} "<script>alert(1)</script>\\" onclick=\\"1")'
    )
    section.save()

    [figure] = figures_in(section.body_html)
    assert (problems_in(section.body_html), figure["img"]["alt"], figure["caption"]) == (
        [],
        'x" onerror="alert(1)',
        '<script>alert(1)</script>\\" onclick=\\"1撮影: 佐藤',  # shown as text, inert
    )


def test_a_placed_photos_words_are_shown_where_they_are_changed_not_as_fields(
    client, report_with_photo
):
    report, section, placed = report_with_photo
    listed = make_photo(report, section, alt_text="一覧だけの写真")
    chief = make_user(is_superuser=True, group="Editors")
    section.body = f'本文\n\n![基調講演の会場](photo:{placed.pk} "満席の会場")'
    editing.save_section(section, by=chief)
    client.force_login(chief)

    page = client.get(f"/admin/blog/section/{section.pk}/change/")
    forms = {form.instance.pk: form for form in page.context["inline_admin_formsets"][0].formset}
    photo_page = client.get(f"/admin/blog/photo/{placed.pk}/change/")

    for fields in (forms[placed.pk].fields, photo_page.context["adminform"].form.fields):
        assert fields["alt_text"].disabled and fields["caption"].disabled
        assert f"photo:{placed.pk}" in fields["alt_text"].help_text
    assert not forms[listed.pk].fields["alt_text"].disabled  # its words are its own


def test_words_posted_for_a_placed_photo_change_nothing_and_say_so(client, report_with_photo):
    from tests.forms import form_values

    _report, section, placed = report_with_photo
    chief = make_user(is_superuser=True, group="Editors")
    section.author = make_user(group="Writers")
    section.body = f'本文\n\n![基調講演の会場](photo:{placed.pk} "満席の会場")'
    editing.save_section(section, by=chief)
    client.force_login(chief)
    url = f"/admin/blog/section/{section.pk}/change/"
    data = form_values(client.get(url).content.decode(), "section_form")
    assert "photos-0-alt_text" not in data  # a browser sends no disabled field
    # An older tab, or a hand-made request, still may.
    response = client.post(url, {**data, "photos-0-alt_text": "書き換えた説明"}, follow=True)

    placed.refresh_from_db()
    assert placed.alt_text == "基調講演の会場"
    assert "何も保存していません" in response.content.decode()


def test_a_writer_is_refused_only_for_the_description_and_then_saves_without_a_caption(
    client, author
):
    section = make_section(make_report(), author=author, body="本文")
    photo = make_photo(section.report, section, alt_text=ALT_PLACEHOLDER, caption="")
    url = reverse("admin:blog_section_change", args=[section.pk])
    client.force_login(author)
    data = form_values(client.get(url).content.decode(), "section_form")
    typed = f'本文\r\n\r\n![{ALT_PLACEHOLDER}](photo:{photo.pk} "{CAPTION_PLACEHOLDER}")'

    refused = client.post(url, data | {"body": typed, "_continue": "1"})

    assert (
        refused.context["adminform"].form.errors["body"],
        form_values(refused.content.decode(), "section_form")["body"],
    ) == ([undescribed(1, photo)], [typed])  # nothing typed is lost
    saved = client.post(
        url, data | {"body": typed.replace(ALT_PLACEHOLDER, "受付の行列"), "_continue": "1"}
    )
    section.refresh_from_db()
    assert (saved.status_code, section.body) == (302, f"本文\n\n![受付の行列](photo:{photo.pk})")
    assert CAPTIONS_LEFT_OUT in [str(m) for m in client.get(url).context["messages"]]
