"""Property-based tests: for any input, what holds for every input.

Hypothesis builds texts from the pieces that break renderers (tags left open, comments,
entities, link syntax, event handlers, `javascript:`) mixed with arbitrary text,
Japanese, emoji and format characters, and shrinks any failure to a small example.
Example counts are kept moderate: each Markdown example is a round trip to the
rendering child process (about a millisecond).
"""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from blog import markdown
from blog.models import Report, Tag
from cms.slugs import unique_slug
from sessions.models import Speaker
from tests.xss import problems_in, unbalanced_in

MARKUP_PIECES = [
    "<",
    ">",
    "</",
    "/>",
    "<svg>",
    "</svg>",
    "<math>",
    "<style>",
    "</style>",
    "<script>",
    "</script>",
    "<textarea>",
    "<title>",
    "<iframe src=javascript:alert(1)>",
    "<noscript>",
    "<plaintext>",
    "<template>",
    "<select>",
    "<table>",
    "<tr>",
    "<td>",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<a href='javascript:alert(1)'>",
    "<a href=https://example.com>",
    "</a>",
    "<img src=x onerror=alert(1)>",
    "<span onclick=alert(1)>",
    "<b>",
    "</b>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?",
    "javascript:",
    "JaVaScRiPt&#58;",
    "&#x6A;avascript:",
    "data:text/html,",
    "[x](",
    "![a](",
    "photo:1",
    ' "t")',
    "](",
    ")",
    "[^1]",
    "[^1]: ",
    "`",
    "```",
    "~~~",
    "\n",
    "\n\n",
    "    ",
    "# ",
    "### ",
    "> ",
    "- ",
    "1. ",
    "| a | b |\n|---|---|\n",
    "---",
    "*",
    "_",
    "&",
    "&amp;",
    ";",
    '"',
    "'",
    "=",
    " onload=",
    "参加レポート",
    "👩\u200d💻",
    "\u202e",
    "\u200b",
]
markdown_texts = st.lists(
    st.one_of(st.sampled_from(MARKUP_PIECES), st.text(max_size=8)), max_size=40
).map("".join)


@settings(max_examples=250, deadline=None)
@given(markdown_texts)
# Found by this test: an angle-bracketed address left open kept its bracket in the href.
@example('[x](<data:text/html,javascript: "t")')
def test_rendered_markdown_never_carries_script_handlers_or_open_elements(text):
    try:
        html = markdown.render(text, anchor_prefix="section-1-").html
    except markdown.MarkdownRefused:
        return  # refused with a message: nothing is shown at all
    assert problems_in(html) == []
    assert unbalanced_in(html) == []


class _ListShape(HTMLParser):
    """Lists, items and their words, without paragraphs: Python-Markdown and CommonMark
    may differ on which items are loose, never on what is in which."""

    def __init__(self):
        super().__init__()
        self.shape: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"ul", "ol", "li"}:
            self.shape.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in {"ul", "ol", "li"}:
            self.shape.append(f"</{tag}>")

    def handle_data(self, data):
        self.shape.extend(data.split())


def list_shape(html: str) -> list[str]:
    parser = _ListShape()
    parser.feed(html)
    return parser.shape


@st.composite
def nested_lists(draw) -> str:
    """A list as writers type it: each level of one kind (`-` or `1.`), nested at the
    parent's text or at 4 spaces, items one level deeper or back up any number of levels,
    blank lines anywhere between items."""
    lines: list[str] = []
    widths: list[int] = []  # how far each open level's text is indented past its parent
    numbered: dict[int, bool] = {}
    for number in range(draw(st.integers(1, 7))):
        depth = draw(st.integers(0, min(len(widths), 3)))
        kind = numbered.setdefault(depth, draw(st.booleans()))
        for deeper in [level for level in numbered if level > depth]:
            del numbered[deeper]  # a new sublist may be of the other kind
        marker = "1." if kind else "-"
        lines.append(" " * sum(widths[:depth]) + f"{marker} 項目{number}")
        widths = [*widths[:depth], draw(st.sampled_from([len(marker) + 1, 4]))]
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(nested_lists())
@example("- a\n\n  - a1\n\n  - a2\n- b")
def test_lists_nest_as_on_github_however_they_are_indented(text):
    commonmark = MarkdownIt("commonmark").render(text)

    assert list_shape(markdown.render(text).html) == list_shape(commonmark)


def test_the_balance_checker_can_fail():
    assert unbalanced_in("<p><b>x</p>") == [
        "</p> closes ['b']",
        "<p> never closed",
        "<b> never closed",
    ]
    assert unbalanced_in("<div>x") == ["<div> never closed"]
    assert unbalanced_in("<p>x</p><br><img src=a>") == []


titles = st.text(
    alphabet=st.one_of(
        # Any character a form lets through (forms refuse NUL, and so does PostgreSQL).
        st.characters(codec="utf-8", exclude_characters="\x00"),
        st.sampled_from(
            "参加レポートＫｕｂｅＣｏｎ日本語👩\u200d💻🏳️\u200d🌈\u202e\u200b\ufeff\u00ad-_ "
        ),
    ),
    max_size=120,
)


def assert_valid_slug(model, slug: str) -> None:
    field = model._meta.get_field("slug")
    try:
        field.run_validators(slug)
    except ValidationError as error:  # pragma: no cover - the message says what failed
        pytest.fail(f"{slug!r} is not a valid slug: {error.messages}")
    assert 0 < len(slug) <= field.max_length


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(titles, min_size=1, max_size=5))
def test_slugs_are_valid_and_unique_for_any_title(names):
    # Each example starts from the same empty tables (the fixture's database is shared by
    # every example, so each rolls back its own rows).
    with transaction.atomic():
        for model, field in [(Report, "title"), (Tag, "name"), (Speaker, "name")]:
            limit = model._meta.get_field(field).max_length
            distinct_names = list(dict.fromkeys(name[:limit] for name in names))
            for name in distinct_names:
                row = model(**{field: name})
                row.slug = unique_slug(row, name, fallback=model._meta.model_name)
                assert_valid_slug(model, row.slug)
                row.save()
            slugs = list(model.objects.values_list("slug", flat=True))
            assert len(set(slugs)) == len(slugs) == len(distinct_names)
        transaction.set_rollback(True)
