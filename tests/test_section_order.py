"""Editors put a report's sections in order with the arrows on the report's page."""

import re

import pytest
from django.db import DatabaseError
from django.urls import reverse
from reversion.models import Version

from blog import audit
from blog.enums import SectionStatus
from blog.models import Section
from tests.factories import bind_approval, make_report, make_section

pytestmark = pytest.mark.django_db


def move_url(section, direction: str) -> str:
    return reverse(
        "admin:blog_report_move_section", args=[section.report_id, section.pk, direction]
    )


def order_of(report) -> list[str]:
    return [section.heading for section in report.sections.order_by("position", "pk")]


def three_sections(report, author):
    return [
        make_section(report, author, heading=name, position=position)
        for position, name in enumerate(("一", "二", "三"))
    ]


def test_an_editor_moves_a_section_up_and_the_sections_are_numbered_again(client, editor, author):
    report = make_report()
    first, second, third = three_sections(report, author)
    # Typed positions leave ties and gaps; a move numbers them 0, 1, 2 again.
    Section.objects.filter(pk=first.pk).update(position=5)
    Section.objects.filter(pk=second.pk).update(position=5)
    Section.objects.filter(pk=third.pk).update(position=9)
    client.force_login(editor)

    response = client.post(move_url(third, "up"), follow=True)

    assert order_of(report) == ["一", "三", "二"]
    assert list(report.sections.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
    ]
    assert "「三」を1つ上へ移しました。" in [str(m) for m in response.context["messages"]]
    assert response.redirect_chain[-1][0].endswith(f"?moved={third.pk}&step=up")
    html = response.content.decode()
    # Said in the list, where the person is looking, and not again at the top.
    assert html.count("「三」を1つ上へ移しました。") == 1
    assert 'role="status">「三」を1つ上へ移しました。' in html
    # The arrow pressed keeps the focus, for the next step.
    assert re.search(r'aria-label="「三」を1つ上へ"[^>]*autofocus', html)


def test_a_move_down_is_one_revision_and_takes_no_approval_away(client, editor, author):
    report = make_report()
    first, second, _third = three_sections(report, author)
    for section in (first, second):
        Section.objects.filter(pk=section.pk).update(status=SectionStatus.APPROVED)
        section.refresh_from_db()
        bind_approval(section)
    versions = Version.objects.count()
    last_changes = dict(report.sections.values_list("pk", "updated_at"))
    client.force_login(editor)

    client.post(move_url(first, "down"))

    assert order_of(report) == ["二", "一", "三"]
    # One revision, in the report's history: the sections' histories are of their texts.
    [moved] = Version.objects.order_by("pk")[versions:]
    assert (moved.object, moved.revision.user) == (report, editor)
    assert moved.revision.comment == "レポートの節の順番を変更"
    for section in (first, second):
        section.refresh_from_db()
        assert section.status == SectionStatus.APPROVED
        assert section.approval_holds()
    # The order is not an edit of the sections: their last change stays as it was.
    assert dict(report.sections.values_list("pk", "updated_at")) == last_changes


@pytest.mark.parametrize(
    ("index", "direction", "message"), [(0, "up", "最初"), (2, "down", "最後")]
)
def test_a_section_at_the_end_stays_there_with_a_word_why(
    client, editor, author, index, direction, message
):
    report = make_report()
    sections = three_sections(report, author)
    versions = Version.objects.count()
    client.force_login(editor)

    response = client.post(move_url(sections[index], direction), follow=True)

    assert order_of(report) == ["一", "二", "三"]
    assert Version.objects.count() == versions
    title = sections[index].heading
    assert f"「{title}」はすでに{message}の節です。" in [
        str(m) for m in response.context["messages"]
    ]


def test_readers_see_the_new_order_of_a_published_report_at_once(client, editor, author):
    report = make_report(published=True, slug="junban")
    _first, second, _third = three_sections(report, author)
    page = client.get("/reports/junban/").content.decode()  # kept in the page cache
    assert page.index("一") < page.index("二")
    client.force_login(editor)

    response = client.post(move_url(second, "up"), follow=True)
    client.logout()

    page = client.get("/reports/junban/").content.decode()
    assert page.index(">二<") < page.index(">一<")
    assert "読者のページにもすぐに新しい順番で表示されます。" in [
        str(m) for m in response.context["messages"]
    ]


def test_a_writer_cannot_reorder_and_nothing_moves(client, author):
    report = make_report()
    _first, second, _third = three_sections(report, author)
    client.force_login(author)

    response = client.post(move_url(second, "up"))

    assert response.status_code == 403
    assert order_of(report) == ["一", "二", "三"]


def test_a_move_is_in_the_audit_trail_with_who_which_section_and_where(client, editor, author):
    report = make_report(published=True, title="公開中のレポート")
    _first, _second, third = three_sections(report, author)
    client.force_login(editor)

    client.post(move_url(third, "up"))
    client.post(move_url(third, "up"))
    client.post(move_url(third, "up"))  # already the first: nothing moves, nothing recorded

    assert [
        (entry.actor_name, entry.action, entry.subject, entry.detail)
        for entry in audit.trail(report.pk)[0:10]
    ] == [
        ("editor 表示名", "節の順番を変更", "三", "2 番目 → 1 番目"),
        ("editor 表示名", "節の順番を変更", "三", "3 番目 → 2 番目"),
    ]
    page = client.get(reverse("admin:blog_audit_trail"), {"report": report.pk})
    row = re.search(r"<tr>\s*<td[^>]*>[^<]*</td>(.*?)</tr>", page.content.decode(), re.S)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1)) == [
        "editor 表示名",
        "公開中のレポート",
        "節の順番を変更",
        "三",
        "2 番目 → 1 番目",
    ]


def test_a_move_whose_audit_entry_fails_moves_nothing(client, editor, author, monkeypatch):
    report = make_report()
    _first, second, _third = three_sections(report, author)
    versions = Version.objects.count()
    client.force_login(editor)

    def broken(*args, **kwargs):
        raise DatabaseError("the audit table is locked")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(DatabaseError):
        client.post(move_url(second, "up"))

    assert order_of(report) == ["一", "二", "三"]
    assert Version.objects.count() == versions


def test_the_arrows_are_shown_to_editors_only(client, editor, author):
    report = make_report()
    first, second, third = three_sections(report, author)
    page = reverse("admin:blog_report_change", args=[report.pk])

    client.force_login(author)
    assert "report-sections__move" not in client.get(page).content.decode()

    client.force_login(editor)
    html = client.get(page).content.decode()
    assert move_url(first, "up") not in html
    assert move_url(first, "down") in html
    assert move_url(second, "up") in html and move_url(second, "down") in html
    assert move_url(third, "up") in html
    assert move_url(third, "down") not in html
    assert 'aria-label="「二」を1つ上へ"' in html


def test_a_move_is_a_post_and_names_a_section_of_that_report(client, editor, author):
    report = make_report()
    first, _second, _third = three_sections(report, author)
    other = make_section(make_report(), author, heading="別")
    client.force_login(editor)

    assert client.get(move_url(first, "down")).status_code == 405
    wrong_report = reverse("admin:blog_report_move_section", args=[report.pk, other.pk, "up"])
    assert client.post(wrong_report).status_code == 404
    assert client.post(move_url(first, "sideways")).status_code == 404
    assert order_of(report) == ["一", "二", "三"]


def test_the_list_warns_when_other_sections_split_the_session_sections(client, editor, author):
    from tests.factories import make_event, make_session

    event = make_event()
    report = make_report(event=event)
    make_section(report, author, heading="概要", position=0)
    make_section(report, author, session=make_session(event, title="Talk A"), position=1)
    between = make_section(report, author, heading="休憩", position=2)
    make_section(report, author, session=make_session(event, title="Talk B"), position=3)
    page = reverse("admin:blog_report_change", args=[report.pk])
    client.force_login(editor)

    assert "2 か所に分かれています" in client.get(page).content.decode()

    client.post(move_url(between, "down"))

    assert "か所に分かれています" not in client.get(page).content.decode()


def test_the_section_page_has_no_position_to_type_and_a_new_section_goes_last(
    client, editor, author
):
    report = make_report()
    make_section(report, author, heading="一", position=0)
    make_section(report, author, heading="二", position=1)
    client.force_login(editor)

    add_page = client.get(reverse("admin:blog_section_add") + f"?report={report.pk}")
    assert "position" not in add_page.context["adminform"].form.fields
    client.post(
        reverse("admin:blog_section_add"),
        {
            "report": report.pk,
            "position": 0,  # not a field of the form: ignored
            "heading": "三",
            "author": author.pk,
            "body": "本文",
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
    )

    assert order_of(report) == ["一", "二", "三"]


def test_split_session_parts_each_have_their_own_anchor_on_the_page(client, author):
    from tests.factories import make_event, make_session

    event = make_event()
    report = make_report(event=event, published=True, slug="futatsu")
    make_section(report, author, session=make_session(event, title="Talk A"), position=0)
    make_section(report, author, heading="休憩", position=1)
    make_section(report, author, session=make_session(event, title="Talk B"), position=2)

    html = client.get("/reports/futatsu/").content.decode()

    assert re.findall(r'id="(session-reports[^"]*)"', html) == [
        "session-reports",
        "session-reports-2",
    ]
    toc = html.split('class="toc"')[1].split("</nav>")[0]
    assert 'href="#session-reports"' in toc and 'href="#session-reports-2"' in toc


def test_restoring_an_old_text_does_not_move_the_section(client, editor, author):
    from blog import editing, revisions

    report = make_report()
    first, second, _third = three_sections(report, author)
    for body in ("最初の本文", "書き直した本文"):
        first.body = body
        editing.save_section(first, by=editor)
    old = revisions.versions_of(first)[-1]
    client.force_login(editor)
    client.post(move_url(first, "down"))
    first.refresh_from_db()

    revisions.restore(first, old, by=editor)

    first.refresh_from_db()
    assert first.body == "最初の本文"
    assert order_of(report) == ["二", "一", "三"]
    assert revisions.versions_of(report)[0].revision.comment == "レポートの節の順番を変更"
    assert not revisions.versions_of(second)  # a move is no version of a section's text


def test_a_section_moved_to_the_top_keeps_the_focus_on_its_other_arrow(client, editor, author):
    report = make_report()
    _first, second, _third = three_sections(report, author)
    client.force_login(editor)

    response = client.post(move_url(second, "up"), follow=True)

    html = response.content.decode()
    assert 'aria-label="「二」を1つ上へ"' not in html  # at the top now
    assert re.search(r'aria-label="「二」を1つ下へ"[^>]*autofocus', html)
