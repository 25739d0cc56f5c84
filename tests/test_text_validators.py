"""Invisible characters are refused in titles, headings, names and slugs, with their names."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from blog.models import AuthorProfile, Report, Section, Tag
from cms.text_validators import (
    describe,
    invisible_characters,
    no_invisible_characters,
    no_invisible_characters_in_headings,
)
from sessions.models import Event, Session, Speaker
from tests.factories import make_report, make_section
from tests.test_admin_workflow import form_data

RLO = "\u202e"
ZWSP = "\u200b"
REFUSED_RLO = (
    "目に見えない文字 U+202E RIGHT-TO-LEFT OVERRIDE を取り除いてください。表示されませんが、"
    "前後の文字の読まれ方や比べられ方を変えてしまいます。貼り付けた文章なら、打ち直してください。"
)


@pytest.mark.parametrize(
    "text",
    [
        "参加レポート",
        "👩‍💻 開発者の一日",  # woman technologist: U+200D between two emoji
        "👩🏽‍💻",  # with a skin tone before the joiner
        "❤️‍🔥 と 🏳️‍🌈",  # variation selectors (Mn) around the joiner
        "👨‍👩‍👧‍👦",
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿 スコットランド",  # a flag written with tag characters
        "Café ① ｶﾀｶﾅ",
    ],
)
def test_visible_text_and_emoji_sequences_pass(text):
    assert invisible_characters(text) == []
    no_invisible_characters(text)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (f"txt{RLO}exe.pdf", ["U+202E RIGHT-TO-LEFT OVERRIDE"]),
        (f"まと{ZWSP}め{ZWSP}", ["U+200B ZERO WIDTH SPACE"]),
        ("a\u200db", ["U+200D ZERO WIDTH JOINER"]),  # a joiner between letters
        ("👩\u200d", ["U+200D ZERO WIDTH JOINER"]),  # a joiner with nothing after
        ("\ufeff見出し", ["U+FEFF ZERO WIDTH NO-BREAK SPACE"]),
        ("\u2066x\u2069", ["U+2066 LEFT-TO-RIGHT ISOLATE", "U+2069 POP DIRECTIONAL ISOLATE"]),
        ("soft\u00adhyphen", ["U+00AD SOFT HYPHEN"]),
        ("\U000e0041tag", ["U+E0041 TAG LATIN CAPITAL LETTER A"]),  # a tag outside a flag
    ],
)
def test_format_characters_are_found_and_named(text, named):
    assert [describe(character) for character in invisible_characters(text)] == named


def test_variation_selectors_are_marks_not_format_characters():
    assert (unicodedata.category("\ufe0f"), unicodedata.category("\u200d")) == ("Mn", "Cf")


def test_refusal_names_the_character_in_the_persons_language():
    with pytest.raises(ValidationError) as refused:
        no_invisible_characters(f"abc{RLO}def")

    assert refused.value.messages == [REFUSED_RLO]


def test_several_characters_are_named_together():
    with pytest.raises(ValidationError) as refused:
        no_invisible_characters(f"a{RLO}b{ZWSP}c")

    assert refused.value.messages == [
        "目に見えない文字 U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE を取り除いて"
        "ください。表示されませんが、前後の文字の読まれ方や比べられ方を変えてしまいます。"
        "貼り付けた文章なら、打ち直してください。"
    ]


def test_english_speaks_of_one_or_several_characters():
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            no_invisible_characters(f"a{RLO}b{ZWSP}c")
        message = refused.value.messages[0]

    assert message.startswith(
        "Remove the invisible characters U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH "
        "SPACE: they do not show"
    )


def test_markdown_headings_are_checked_but_not_their_text_or_code():
    body_text = f"本文の{ZWSP}文字\n\n```\n# コードの{ZWSP}コメント\n```\n\n    # 字下げコード"
    no_invisible_characters_in_headings(body_text)

    with pytest.raises(ValidationError) as refused:
        no_invisible_characters_in_headings(f"前文\n\n> ### まと{ZWSP}め\n\n本文")

    assert refused.value.messages == [
        "見出し「まとめ」から目に見えない文字 U+200B ZERO WIDTH SPACE を取り除いてください。"
        "表示されませんが、見出しの読まれ方やリンクのされ方を変えてしまいます。"
    ]


NAME_FIELDS = [
    (Report, "title"),
    (Report, "slug"),
    (Section, "heading"),
    (Section, "author_team"),
    (Tag, "name"),
    (Tag, "slug"),
    (AuthorProfile, "display_name"),
    (AuthorProfile, "team"),
    (Event, "name"),
    (Event, "slug"),
    (Speaker, "name"),
    (Speaker, "slug"),
    (Speaker, "affiliation"),
    (Session, "title"),
    (Session, "track"),
]
MARKDOWN_FIELDS = [(Report, "lead"), (Report, "closing"), (Section, "body")]


@pytest.mark.parametrize(("model", "name"), NAME_FIELDS)
def test_every_title_name_and_slug_refuses_invisible_characters(model, name):
    assert no_invisible_characters in model._meta.get_field(name).validators


@pytest.mark.parametrize(("model", "name"), MARKDOWN_FIELDS)
def test_every_markdown_text_refuses_them_in_headings(model, name):
    assert no_invisible_characters_in_headings in model._meta.get_field(name).validators


@pytest.mark.django_db
def test_full_clean_refuses_a_title_with_an_override():
    report = Report(title=f"参加{RLO}レポート")

    with pytest.raises(ValidationError) as refused:
        report.full_clean()

    assert refused.value.message_dict["title"] == [REFUSED_RLO]


@pytest.mark.django_db
def test_admin_refuses_a_heading_with_an_override_and_saves_nothing(client, author):
    section = make_section(make_report(), author, heading="元の見出し", body="元の本文")
    client.force_login(author)

    response = client.post(
        reverse("admin:blog_section_change", args=[section.pk]),
        form_data(section, heading=f"新しい{RLO}見出し", body="新しい本文"),
    )

    section.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["heading"] == [REFUSED_RLO]
    assert (section.heading, section.body, section.version) == ("元の見出し", "元の本文", 1)


@pytest.mark.django_db
def test_admin_refuses_a_speaker_name_with_a_zero_width_space(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:conference_speaker_add"), {"name": f"Ada{ZWSP} Lovelace", "slug": ""}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "目に見えない文字 U+200B ZERO WIDTH SPACE を取り除いてください。表示されませんが、"
        "前後の文字の読まれ方や比べられ方を変えてしまいます。貼り付けた文章なら、打ち直してください。"
    ]
    assert Speaker.objects.count() == 0
