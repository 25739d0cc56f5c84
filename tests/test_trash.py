"""Deleting moves to the trash: nothing is lost until an admin (or the retention period)
empties it, and nothing in the trash reaches a reader."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from blog import editing, membership, trash, workflow
from blog.enums import SectionStatus
from blog.models import (
    Photo,
    Report,
    ReportMember,
    ReportTransition,
    ReviewComment,
    Section,
    SectionTransition,
    ShareLink,
    display_name_of,
)
from blog.sharing import token_for
from tests.factories import (
    make_event,
    make_photo,
    make_report,
    make_section,
    make_session,
    make_speaker,
    make_user,
    make_writer_of,
)
from tests.forms import form_values

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def files_exist(photo: Photo) -> list[bool]:
    return [photo.image.storage.exists(name) for name in photo.stored_names]


@pytest.fixture
def written(author, editor):
    """A draft report with a history: two sections (one reviewed, with a comment and
    revisions), a figure, a gallery photo, a writer and a share link."""
    report = make_report(title="消えては困るレポート")
    first = make_section(report, author=author, heading="一つ目", body="最初の本文", position=0)
    second = make_section(report, author=author, heading="二つ目", body="二番目の本文", position=1)
    first.body = "書き直した本文"
    editing.save_section(first, by=author)
    workflow.submit(first, by=author)
    workflow.comment_on(first, by=editor, body="図を一つ足してください")
    figure = make_photo(report, first, alt_text="登壇者の写真")
    gallery = make_photo(report, in_gallery=True, alt_text="会場の写真")
    ShareLink.objects.create(
        report=report, created_by=editor, expires_at=timezone.now() + datetime.timedelta(days=3)
    )
    return {
        "report": report,
        "sections": [first, second],
        "photos": [figure, gallery],
    }


def snapshot(report: Report) -> dict:
    """Everything that hangs off a report, as rows and files."""
    sections = Section.all_objects.filter(report=report).order_by("pk")
    photos = Photo.all_objects.filter(report=report).order_by("pk")
    return {
        "report": Report.all_objects.filter(pk=report.pk).values().get(),
        "sections": list(sections.values()),
        "photos": list(photos.values()),
        "files": [files_exist(photo) for photo in photos],
        "transitions": list(SectionTransition.objects.filter(section__in=sections).values()),
        "comments": list(ReviewComment.objects.filter(section__in=sections).values()),
        "members": list(ReportMember.objects.filter(report=report).values()),
        "share_links": list(ShareLink.objects.filter(report=report).values()),
        "revisions": sorted(
            Version.objects.get_for_model(Section)
            .filter(object_id__in=[str(section.pk) for section in sections])
            .values_list("pk", flat=True)
        ),
    }


def without_trash_marks(state: dict) -> dict:
    def clean(row: dict) -> dict:
        return {
            key: value for key, value in row.items() if key not in {"trashed_at", "trashed_by_id"}
        }

    return {
        key: clean(value)
        if isinstance(value, dict)
        else [clean(row) if isinstance(row, dict) else row for row in value]
        for key, value in state.items()
    }


# --- Into the trash and back -----------------------------------------------------------------


def test_an_editor_moves_a_report_to_the_trash_and_restores_it_whole(client, editor, written):
    report = written["report"]
    before = snapshot(report)
    assert before["revisions"] and before["transitions"] and before["comments"]
    client.force_login(editor)

    page = client.get(reverse("admin:blog_report_delete", args=[report.pk]))
    moved = client.post(
        reverse("admin:blog_report_delete", args=[report.pk]), {"post": "yes"}, follow=True
    )

    assert "ゴミ箱" in page.content.decode()
    assert messages_of(moved) == [
        "「消えては困るレポート」をゴミ箱に移しました。編集者はゴミ箱から元に戻せます。"
    ]
    assert Report.objects.filter(pk=report.pk).exists() is False
    assert Section.objects.filter(report=report).count() == 0
    assert Photo.objects.filter(report=report).count() == 0
    in_trash = snapshot(report)
    assert without_trash_marks(in_trash) == without_trash_marks(before)
    assert in_trash["files"] == [[True] * len(files) for files in before["files"]]

    restored = client.post(
        reverse("admin:blog_trash_restore", args=["report", report.pk]), follow=True
    )

    assert messages_of(restored) == ["「消えては困るレポート」を元に戻しました。"]
    assert snapshot(report) == before
    assert Report.objects.get(pk=report.pk).sections.count() == 2


def confirmation_text(client, kind: str, pk: int) -> str:
    page = client.get(reverse(f"admin:blog_{kind}_delete", args=[pk]))
    return " ".join(page.content.decode().split())


def test_each_delete_page_says_what_goes_with_its_own_kind(client, editor, written):
    report, (first, second) = written["report"], written["sections"]
    figure = written["photos"][0]
    client.force_login(editor)
    before = snapshot(report)

    report_page = confirmation_text(client, "report", report.pk)
    section_page = confirmation_text(client, "section", first.pk)
    empty_section_page = confirmation_text(client, "section", second.pk)
    photo_page = confirmation_text(client, "photo", figure.pk)

    assert "このレポートの節 2 個と写真 2 枚も一緒に移ります。" in report_page
    assert "この節の写真 1 枚も一緒に移ります。" in section_page
    assert "この節に写真はありません。移るのは本文だけです。" in empty_section_page
    assert "元に戻すまで代わりにお知らせが表示されます。" in photo_page
    for page in (report_page, section_page, empty_section_page, photo_page):
        assert "編集者は「ゴミ箱」から 30 日間元に戻せます。その後は完全に削除されます" in page
    # A section's or photo's page no longer speaks of sections going with it.
    for page in (section_page, empty_section_page, photo_page):
        assert "節 2 個" not in page and "付随する節" not in page
    assert snapshot(report) == before  # asking changes nothing


def trashed_time(obj) -> str:
    return timezone.localtime(type(obj).all_objects.get(pk=obj.pk).trashed_at).strftime(
        "%Y-%m-%d %H:%M"
    )


def test_an_editor_opening_a_trashed_section_is_told_where_it_went(client, editor, written):
    second = written["sections"][1]
    trash.trash_section(second, by=editor)
    client.force_login(editor)
    before = snapshot(written["report"])

    for page in ("change", "delete"):
        response = client.get(reverse(f"admin:blog_section_{page}", args=[second.pk]))

        html = response.content.decode()
        assert response.status_code == 403
        assert "<title>ゴミ箱の中です" in html
        assert (
            f"節「二つ目」はゴミ箱の中です。{trashed_time(second)} に "
            f"{display_name_of(editor)} さんが移しました。"
        ) in html
        until = (timezone.localtime(second.trashed_at) + datetime.timedelta(days=30)).date()
        assert f"まだ何も失われていません。{until:%Y-%m-%d} まではゴミ箱から" in html
        assert f'href="/admin/blog/report/trash/#trash-section-{second.pk}"' in html
        assert "見つかりませんでした" not in html
    assert snapshot(written["report"]) == before  # looking changes nothing


def test_what_went_with_its_report_names_the_report(client, editor, written):
    report, first = written["report"], written["sections"][0]
    figure = written["photos"][0]
    trash.trash_report(report, by=editor)
    client.force_login(editor)

    section_page = client.get(reverse("admin:blog_section_change", args=[first.pk]))
    photo_page = client.get(reverse("admin:blog_photo_change", args=[figure.pk]))
    report_page = client.get(reverse("admin:blog_report_change", args=[report.pk]))

    assert "節「一つ目」はレポート「消えては困るレポート」と一緒にゴミ箱の中です。" in (
        section_page.content.decode()
    )
    assert "写真「登壇者の写真」はレポート「消えては困るレポート」と一緒に" in (
        photo_page.content.decode()
    )
    assert "レポートをゴミ箱から元に戻すと、一緒に戻ります。" in section_page.content.decode()
    for page in (section_page, photo_page, report_page):
        assert f'href="/admin/blog/report/trash/#trash-report-{report.pk}"' in page.content.decode()
    assert "レポート「消えては困るレポート」はゴミ箱の中です。" in report_page.content.decode()


def test_a_writer_is_told_their_trashed_section_is_in_the_trash_and_whom_to_ask(
    client, author, coauthor, editor, written
):
    first = written["sections"][0]
    trash.trash_section(first, by=editor)
    membership.add_writer(written["report"], coauthor, by=editor)
    missing = Section.all_objects.order_by("-pk").first().pk + 100

    client.force_login(author)
    own = client.get(reverse("admin:blog_section_change", args=[first.pk]))
    client.force_login(coauthor)
    unrelated = client.get(reverse("admin:blog_section_change", args=[first.pk]), follow=True)
    nonexistent = client.get(reverse("admin:blog_section_change", args=[missing]), follow=True)

    own_html = own.content.decode()
    assert own.status_code == 403
    assert "節「一つ目」はゴミ箱の中です。" in own_html
    assert f"ゴミ箱から元に戻せるのは編集者（{display_name_of(editor)}）だけです。" in own_html
    assert "/admin/blog/report/trash/" not in own_html  # writers have no trash page
    # A writer who could not open it anyway learns nothing more than of a missing section.
    assert unrelated.redirect_chain == [(reverse("admin:index"), 302)]
    assert messages_of(unrelated) == [
        message.replace(str(missing), str(first.pk)) for message in messages_of(nonexistent)
    ]
    assert "ゴミ箱" not in " ".join(messages_of(unrelated))
    assert "一つ目" not in unrelated.content.decode()


def test_the_trash_lists_what_is_in_it_for_editors(client, editor, written):
    trash.trash_section(written["sections"][1], by=editor)
    trash.trash_photo(written["photos"][1], by=editor)
    other = make_report(title="丸ごと捨てたレポート")
    make_section(other)
    trash.trash_report(other, by=editor)
    client.force_login(editor)

    html = client.get(reverse("admin:blog_trash")).content.decode()

    assert "丸ごと捨てたレポート" in html
    assert "1 個の節" in html
    assert "二つ目" in html
    assert "会場の写真" in html
    assert html.count(">元に戻す</button>") == 3
    assert "purge" not in html  # an editor restores; only admins purge


def test_restoring_a_section_brings_back_its_photos_and_the_reading_time(editor, written):
    report, first = written["report"], written["sections"][0]
    figure = written["photos"][0]
    minutes = Report.objects.get(pk=report.pk).reading_minutes

    trash.trash_section(first, by=editor)

    assert Photo.objects.filter(pk=figure.pk).exists() is False
    assert list(report.sections.all()) == [written["sections"][1]]

    trash.restore_section(first, by=editor)

    assert Photo.objects.filter(pk=figure.pk).exists() is True
    assert list(report.sections.order_by("position")) == written["sections"]
    assert Report.objects.get(pk=report.pk).reading_minutes == minutes


def test_what_was_trashed_on_its_own_stays_when_its_report_comes_back(editor, written):
    report, second = written["report"], written["sections"][1]
    trash.trash_section(second, by=editor)
    trash.trash_report(report, by=editor)

    trash.restore_report(report, by=editor)

    assert list(report.sections.all()) == [written["sections"][0]]
    assert Section.all_objects.get(pk=second.pk).in_trash is True


def test_a_section_trashed_before_its_report_stays_listed_and_comes_back_after_it(
    client, editor, written
):
    report, second = written["report"], written["sections"][1]
    trash.trash_section(second, by=editor)
    trash.trash_report(report, by=editor)
    client.force_login(editor)

    listed = client.get(reverse("admin:blog_trash")).content.decode()
    refused = client.post(
        reverse("admin:blog_trash_restore", args=["section", second.pk]), follow=True
    )

    row = listed[listed.index(f'id="trash-section-{second.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "二つ目" in row and "消えては困るレポート <small>(ゴミ箱の中)</small>" in row
    assert "先にレポート「消えては困るレポート」を元に戻してください。" in row
    assert "元に戻す</button>" not in row
    assert "単独でゴミ箱に移された節はありません" not in listed
    assert messages_of(refused) == [
        "「消えては困るレポート」もゴミ箱の中です。先にレポートを元に戻してから、これを戻して"
        "ください。これは単独でゴミ箱に移されたため、レポートと一緒には戻りません。"
    ]
    assert Section.all_objects.get(pk=second.pk).in_trash is True

    client.post(reverse("admin:blog_trash_restore", args=["report", report.pk]))
    listed = client.get(reverse("admin:blog_trash")).content.decode()
    row = listed[listed.index(f'id="trash-section-{second.pk}"') :]
    assert "元に戻す</button>" in row[: row.index("</tr>")]
    client.post(reverse("admin:blog_trash_restore", args=["section", second.pk]))

    assert list(report.sections.order_by("position")) == written["sections"]


def test_a_photo_trashed_before_its_section_stays_listed_waiting_for_it(client, editor, written):
    first, figure = written["sections"][0], written["photos"][0]
    trash.trash_photo(figure, by=editor)
    trash.trash_section(first, by=editor)
    client.force_login(editor)

    listed = client.get(reverse("admin:blog_trash")).content.decode()

    row = listed[listed.index(f'id="trash-photo-{figure.pk}"') :]
    assert "先に節「一つ目」を元に戻してください。" in row[: row.index("</tr>")]


def test_a_section_that_went_with_its_report_comes_back_only_with_it(editor, written):
    report, first = written["report"], written["sections"][0]
    trash.trash_report(report, by=editor)

    with pytest.raises(trash.TrashRefused) as refusal:
        trash.restore_section(Section.all_objects.get(pk=first.pk), by=editor)

    assert refusal.value.messages == [
        "「消えては困るレポート」はゴミ箱の中です。レポートを元に戻すと、これも一緒に戻ります。"
    ]
    assert Section.all_objects.get(pk=first.pk).in_trash is True


def test_a_photo_of_a_trashed_section_comes_back_only_with_it(editor, written):
    first, figure = written["sections"][0], written["photos"][0]
    trash.trash_section(first, by=editor)

    with pytest.raises(trash.TrashRefused):
        trash.restore_photo(Photo.all_objects.get(pk=figure.pk), by=editor)

    assert Photo.all_objects.get(pk=figure.pk).in_trash is True


def test_a_writer_trashes_their_own_draft_section_and_an_editor_restores_it(client, author, editor):
    report = make_report()
    section = make_section(report, author=author, heading="書きかけ")
    client.force_login(author)

    client.post(reverse("admin:blog_section_delete", args=[section.pk]), {"post": "yes"})

    assert Section.all_objects.get(pk=section.pk).trashed_by == author
    with pytest.raises(PermissionDenied):
        trash.restore_section(section, by=author)
    trash.restore_section(section, by=editor)
    assert Section.objects.filter(pk=section.pk).exists() is True


def bulk_trash(client, kind: str, ids: list[int], *, confirmed: bool):
    form = {"action": "move_to_trash", "_selected_action": ids}
    if confirmed:
        form["post"] = "yes"  # the confirmation page's button
    return client.post(reverse(f"admin:blog_{kind}_changelist"), form, follow=True)


def test_the_bulk_action_asks_first_saying_what_goes_with_each_report(client, editor, written):
    report = written["report"]
    other = make_report(title="空のレポート")
    client.force_login(editor)
    before = snapshot(report)

    asked = bulk_trash(client, "report", [report.pk, other.pk], confirmed=False)

    html = " ".join(asked.content.decode().split())
    assert asked.templates[0].name == "admin/blog/trash_confirmation.html"
    assert "選んだレポートをゴミ箱に移しますか？" in html
    assert (
        "<li><strong>消えては困るレポート</strong>: "
        "このレポートの節 2 個と写真 2 枚も一緒に移ります。</li>"
    ) in html
    assert "<strong>空のレポート</strong>: このレポートの節 0 個と写真 0 枚" in html
    assert "編集者は「ゴミ箱」から 30 日間元に戻せます。その後は完全に削除されます" in html
    assert 'value="ゴミ箱に移す"' in html and "いいえ、戻ります" in html
    # Asking (and then going back) changes nothing.
    assert messages_of(asked) == []
    assert snapshot(report) == before
    assert Report.objects.filter(pk=other.pk).exists()

    moved = bulk_trash(client, "report", [report.pk, other.pk], confirmed=True)

    assert messages_of(moved) == ["2 件をゴミ箱に移しました。"]
    assert Report.objects.filter(pk__in=[report.pk, other.pk]).exists() is False
    assert Section.objects.filter(report=report).exists() is False


def test_the_bulk_action_skips_a_published_report_and_says_so_first(client, editor):
    draft = make_report(title="下書きのレポート")
    live = make_report(published=True, title="公開中のレポート")
    client.force_login(editor)

    asked = bulk_trash(client, "report", [draft.pk, live.pk], confirmed=False)
    moved = bulk_trash(client, "report", [draft.pk, live.pk], confirmed=True)

    assert (
        "<strong>公開中のレポート</strong>: <em>移さずに残します:</em> "
        "「公開中のレポート」は公開中です。ゴミ箱に移す前に公開を取り下げてください。"
    ) in asked.content.decode()
    assert messages_of(moved) == [
        "公開中のレポート: "
        "「公開中のレポート」は公開中です。ゴミ箱に移す前に公開を取り下げてください。",
        "1 件をゴミ箱に移しました。",
    ]
    assert list(Report.objects.all()) == [live]
    assert "delete_selected" not in moved.content.decode()


def test_the_section_and_photo_lists_ask_first_too(client, editor, written):
    first, second = written["sections"]
    figure, gallery = written["photos"]
    client.force_login(editor)
    before = snapshot(written["report"])

    sections = bulk_trash(client, "section", [first.pk, second.pk], confirmed=False)
    photos = bulk_trash(client, "photo", [figure.pk, gallery.pk], confirmed=False)

    sections_html = " ".join(sections.content.decode().split())
    assert "選んだ節をゴミ箱に移しますか？" in sections_html
    assert "<strong>一つ目</strong>: この節の写真 1 枚も一緒に移ります。" in sections_html
    assert "<strong>二つ目</strong>: この節に写真はありません。" in sections_html
    photos_html = " ".join(photos.content.decode().split())
    assert "選んだ写真をゴミ箱に移しますか？" in photos_html
    assert photos_html.count("元に戻すまで代わりにお知らせが表示されます。") == 2
    assert snapshot(written["report"]) == before

    bulk_trash(client, "section", [first.pk, second.pk], confirmed=True)

    assert Section.objects.filter(pk__in=[first.pk, second.pk]).exists() is False
    assert Photo.objects.filter(pk=figure.pk).exists() is False


def test_a_writer_is_asked_only_about_their_own_open_sections(client, author, coauthor, editor):
    report = make_report()
    draft = make_section(report, author=author, heading="書きかけ")
    in_review = make_section(report, author=author, heading="レビュー待ち")
    workflow.submit(in_review, by=author)
    theirs = make_section(report, author=coauthor, heading="他の人の節")
    client.force_login(author)

    asked = bulk_trash(client, "section", [in_review.pk], confirmed=False)
    html = asked.content.decode()
    assert (
        "<strong>レビュー待ち</strong>: <em>移さずに残します:</em> "
        "これをゴミ箱に移す権限がありません。"
    ) in html
    assert 'value="ゴミ箱に移す"' not in html  # nothing on the page could go

    bulk_trash(client, "section", [draft.pk, in_review.pk, theirs.pk], confirmed=True)

    # Only their own open draft went; another writer's section is not even selectable.
    assert set(Section.all_objects.in_trash()) == {draft}


def records_of_moves(kind: str, ids: list[int]) -> list[tuple]:
    """What each move of these to the trash wrote: the admin's history entry (Django's
    LogEntry) and the audit trail's entry, oldest first."""
    model = {"section": Section, "report": Report}[kind]
    names = {str(obj.pk): str(obj) for obj in model.all_objects.filter(pk__in=ids)}
    history = [
        (entry.object_repr, entry.user.username, entry.action_flag, entry.get_change_message())
        for entry in LogEntry.objects.filter(object_id__in=names).order_by("pk")
    ]
    trail = [
        (entry.subject or entry.report_title, entry.actor.username, entry.get_action_display())
        for entry in ReportTransition.objects.filter(action="trash").order_by("pk")
    ]
    return history + trail


def test_a_bulk_move_records_what_a_move_from_the_delete_page_records_once_each(
    client, editor, author
):
    report = make_report()
    alone, first, second = (
        make_section(report, author=author, heading=heading, position=position)
        for position, heading in enumerate(("一人で", "一緒に一", "一緒に二"))
    )
    client.force_login(editor)

    client.post(reverse("admin:blog_section_delete", args=[alone.pk]), {"post": "yes"})
    single = records_of_moves("section", [alone.pk])
    bulk_trash(client, "section", [first.pk, second.pk], confirmed=True)

    assert single == [
        ("一人で", "editor", CHANGE, "ゴミ箱に移しました。"),
        ("一人で", "editor", "ゴミ箱に移動"),
    ]
    assert records_of_moves("section", [first.pk, second.pk]) == [
        ("一緒に一", "editor", CHANGE, "ゴミ箱に移しました。"),
        ("一緒に二", "editor", CHANGE, "ゴミ箱に移しました。"),
        ("一人で", "editor", "ゴミ箱に移動"),
        ("一緒に一", "editor", "ゴミ箱に移動"),
        ("一緒に二", "editor", "ゴミ箱に移動"),
    ]


def test_a_bulk_move_that_cannot_write_its_history_moves_nothing(
    client, editor, author, monkeypatch
):
    report = make_report()
    section = make_section(report, author=author, heading="残る節")
    client.force_login(editor)

    def broken(*args, **kwargs):
        raise DatabaseError("the history table is locked")

    monkeypatch.setattr(LogEntry.objects, "log_actions", broken)
    with pytest.raises(DatabaseError):
        bulk_trash(client, "section", [section.pk], confirmed=True)

    assert Section.objects.filter(pk=section.pk).exists()
    assert ReportTransition.objects.filter(report=report).exists() is False


def test_a_trashed_photo_leaves_the_text_that_placed_it_and_returns_to_it(editor):
    report = make_report()
    section = make_section(report, heading="図のある節")
    photo = make_photo(report, section, alt_text="構成図")
    section.body = f'![構成図](photo:{photo.pk} "全体像")'
    editing.save_section(section, by=editor)
    assert "<figure" in Section.objects.get(pk=section.pk).body_html

    trash.trash_photo(photo, by=editor)
    assert "<figure" not in Section.objects.get(pk=section.pk).body_html

    trash.restore_photo(photo, by=editor)
    assert "<figure" in Section.objects.get(pk=section.pk).body_html


def test_the_cover_is_let_go_when_its_photo_goes_to_the_trash(editor):
    report = make_report()
    report.cover = make_photo(report, in_gallery=True)
    report.save()

    trash.trash_photo(report.cover, by=editor)

    assert Report.objects.get(pk=report.pk).cover is None


# --- A published report keeps everything -------------------------------------------------------


def test_a_published_report_cannot_be_deleted_only_unpublished_first(client, editor):
    report = make_report(published=True, title="公開中のレポート")
    make_section(report)
    client.force_login(editor)

    response = client.post(
        reverse("admin:blog_report_delete", args=[report.pk]), {"post": "yes"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("admin:blog_report_change", args=[report.pk])
    assert messages_of(response) == [
        "「公開中のレポート」は公開中です。ゴミ箱に移す前に公開を取り下げてください。"
    ]
    assert Report.objects.filter(pk=report.pk).exists() is True
    with pytest.raises(trash.TrashRefused):
        trash.trash_report(report, by=editor)

    workflow.unpublish(report, by=editor)
    trash.trash_report(report, by=editor)
    assert Report.objects.filter(pk=report.pk).exists() is False


@pytest.mark.parametrize("kind", ["section", "report"])
def test_a_writer_is_refused_without_being_told_to_unpublish(client, author, kind):
    report = make_report(published=True, title="公開中のレポート")
    make_writer_of(report, author)
    section = make_section(report, author=author, status=SectionStatus.APPROVED)
    obj = section if kind == "section" else report
    client.force_login(author)

    page = client.get(reverse(f"admin:blog_{kind}_delete", args=[obj.pk]))
    posted = client.post(reverse(f"admin:blog_{kind}_delete", args=[obj.pk]), {"post": "yes"})

    assert (page.status_code, posted.status_code) == (403, 403)
    assert "公開を取り下げて" not in page.content.decode() + posted.content.decode()
    with pytest.raises(PermissionDenied):
        trash.move_to_trash(obj, by=author)
    assert type(obj).objects.filter(pk=obj.pk).exists() is True


@pytest.mark.parametrize("kind", ["section", "photo"])
def test_nothing_of_a_published_report_goes_to_the_trash(client, editor, kind):
    report = make_report(published=True, title="公開中のレポート")
    section = make_section(report)
    obj = section if kind == "section" else make_photo(report, in_gallery=True)
    client.force_login(editor)

    response = client.post(
        reverse(f"admin:blog_{kind}_delete", args=[obj.pk]), {"post": "yes"}, follow=True
    )

    assert messages_of(response) == [
        "「公開中のレポート」は公開中です。ゴミ箱に移す前に公開を取り下げてください。"
    ]
    assert type(obj).objects.filter(pk=obj.pk).exists() is True
    with pytest.raises(trash.TrashRefused):
        trash.move_to_trash(obj, by=editor)
    assert editor.has_perm(f"blog.delete_{kind}", obj) is False


def test_a_section_is_not_restored_into_a_published_report(editor):
    report = make_report()
    kept = make_section(report, author=make_user(group="Writers"))
    gone = make_section(report)
    trash.trash_section(gone, by=editor)
    workflow.submit(kept, by=editor)
    workflow.approve(kept, by=editor)
    workflow.publish(report, by=editor)

    with pytest.raises(trash.TrashRefused):
        trash.restore_section(gone, by=editor)

    assert Section.all_objects.get(pk=gone.pk).in_trash is True


def test_an_unassigned_draft_does_not_come_back_beside_the_writer_s_new_one(author, editor):
    from blog import coverage

    report = make_report(event=make_event())
    talk = make_session(report.event, title="Cilium の話")
    first = coverage.assign(talk, report, author, by=editor).section
    coverage.unassign(first, by=editor)  # an empty draft: to the trash
    coverage.assign(talk, report, author, by=editor)

    with pytest.raises(trash.TrashRefused) as refusal:
        trash.restore_section(first, by=editor)

    assert refusal.value.messages == [
        f"{display_name_of(author)} さんはこのレポートで「Cilium の話」についてすでに別の節を"
        "書いています。これを戻すと2つになります。"
    ]
    assert Section.all_objects.get(pk=first.pk).in_trash is True
    assert Section.objects.filter(session=talk).count() == 1


def test_an_unassigned_draft_does_not_come_back_past_the_writers_its_session_allows(
    author, coauthor, editor
):
    from blog import coverage

    report = make_report(event=make_event())
    talk = make_session(report.event, title="Cilium の話")
    first = coverage.assign(talk, report, author, by=editor).section
    coverage.unassign(first, by=editor)
    coverage.assign(talk, report, coauthor, by=editor)  # the session's one place, taken again

    with pytest.raises(trash.TrashRefused) as refusal:
        trash.restore_section(first, by=editor)

    assert refusal.value.messages == [
        f"「Cilium の話」はすでに {display_name_of(coauthor)} さんが担当しています。"
        "編集者が許可すれば、もう一人担当できます。"
    ]
    assert Section.all_objects.get(pk=first.pk).in_trash is True

    coverage.allow_another_writer(talk, by=editor)
    assert trash.restore_section(first, by=editor).changed is True
    assert set(Section.objects.covering(talk).values_list("author", flat=True)) == {
        author.pk,
        coauthor.pk,
    }


# --- Who may -------------------------------------------------------------------------------------


def test_writers_are_refused_the_trash_and_its_restores(client, author, editor):
    report = make_report()
    trash.trash_report(report, by=editor)
    client.force_login(author)

    assert client.get(reverse("admin:blog_trash")).status_code == 403
    restore = client.post(reverse("admin:blog_trash_restore", args=["report", report.pk]))
    assert restore.status_code == 403
    assert Report.all_objects.get(pk=report.pk).in_trash is True


def test_a_writer_cannot_trash_another_writers_section(author, coauthor):
    report = make_report()
    section = make_section(report, author=coauthor)
    membership.add_writer(report, author, by=make_user(group="Editors"))

    with pytest.raises(PermissionDenied):
        trash.trash_section(section, by=author)

    assert Section.objects.filter(pk=section.pk).exists() is True


def test_editors_are_refused_a_purge_and_an_empty_trash(client, editor, written):
    report = written["report"]
    trash.trash_report(report, by=editor)
    client.force_login(editor)

    purge = client.post(reverse("admin:blog_trash_purge", args=["report", report.pk]))
    empty = client.post(reverse("admin:blog_trash_empty"))

    assert (purge.status_code, empty.status_code) == (403, 403)
    assert Report.all_objects.filter(pk=report.pk).exists() is True
    with pytest.raises(PermissionDenied):
        trash.purge(report, by=editor)


# --- For good ------------------------------------------------------------------------------------


def test_an_admin_purges_a_report_rows_files_and_revisions(
    client, superuser, editor, written, django_capture_on_commit_callbacks
):
    report = written["report"]
    section_ids = [str(section.pk) for section in written["sections"]]
    files = [name for photo in written["photos"] for name in photo.stored_names]
    storage = written["photos"][0].image.storage
    trash.trash_report(report, by=editor)
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:blog_trash_purge", args=["report", report.pk]), follow=True
        )

    assert messages_of(response) == ["「消えては困るレポート」を完全に削除しました。"]
    assert Report.all_objects.filter(pk=report.pk).exists() is False
    assert Section.all_objects.filter(report_id=report.pk).count() == 0
    assert Photo.all_objects.filter(report_id=report.pk).count() == 0
    assert SectionTransition.objects.filter(section_id__in=section_ids).count() == 0
    assert ReviewComment.objects.filter(section_id__in=section_ids).count() == 0
    assert Version.objects.get_for_model(Section).filter(object_id__in=section_ids).count() == 0
    assert [storage.exists(name) for name in files] == [False] * len(files)
    # The trail keeps the fact, by title.
    purged = ReportTransition.objects.get(action="purge")
    assert (purged.report_id, purged.report_title, purged.actor) == (
        None,
        "消えては困るレポート",
        superuser,
    )


def test_only_what_is_in_the_trash_is_purged(superuser, written):
    with pytest.raises(trash.TrashRefused):
        trash.purge(written["sections"][0], by=superuser)

    assert Section.objects.filter(pk=written["sections"][0].pk).exists() is True


def test_purge_trash_removes_only_what_waited_past_the_retention_period(
    editor, written, django_capture_on_commit_callbacks
):
    old, recent = written["photos"]
    storage = old.image.storage
    old_files = old.stored_names
    trash.trash_photo(old, by=editor)
    trash.trash_photo(recent, by=editor)
    Photo.all_objects.filter(pk=old.pk).update(
        trashed_at=timezone.now() - datetime.timedelta(days=31)
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_trash", "--older-than", "30")

    assert list(Photo.all_objects.filter(pk__in=[old.pk, recent.pk])) == [recent]
    assert [storage.exists(name) for name in old_files] == [False] * len(old_files)
    purged = ReportTransition.objects.get(action="purge")
    assert (purged.actor, purged.subject) == (None, "登壇者の写真")


# --- Addresses -----------------------------------------------------------------------------------


def test_a_trashed_report_keeps_its_address_until_purged(client, editor):
    report = make_report(title="Same Title")
    trash.trash_report(report, by=editor)

    newcomer = make_report(title="Same Title")
    client.force_login(editor)
    response = client.post(
        reverse("admin:blog_report_change", args=[newcomer.pk]),
        form_values(
            client.get(reverse("admin:blog_report_change", args=[newcomer.pk])).content.decode(),
            "report_form",
        )
        | {"slug": ["same-title"]},
    )

    assert (report.slug, newcomer.slug) == ("same-title", "same-title-2")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "ゴミ箱の中のレポートがこのアドレスを使っています。そのレポートを元に戻すか、別のアドレスを選んでください。"
    ]
    trash.restore_report(report, by=editor)
    assert Report.objects.get(pk=report.pk).slug == "same-title"


def test_a_share_link_of_a_trashed_report_no_longer_opens(client, editor, written):
    link = ShareLink.objects.get(report=written["report"])
    url = reverse("blog:shared_preview", args=[token_for(link)])
    assert client.get(url).status_code == 200

    trash.trash_report(written["report"], by=editor)

    assert client.get(url).status_code == 404


# --- Readers see nothing of it -------------------------------------------------------------------

GONE = "GONE"  # in every title, name and text that only the trashed things use


@pytest.fixture
def published_with_trash(author, editor):
    """A published report whose draft had a section and a gallery photo moved to the
    trash before publication: each could leak through any public page."""
    event = make_event(name="KubeCon NA")
    session = make_session(event, speakers=(make_speaker(name="Lin Sun"),), title="Istio")
    gone_session = make_session(
        event, speakers=(make_speaker(name=f"{GONE} speaker", slug="gone-speaker"),), title=GONE
    )
    gone_writer = make_user("gone-writer", group="Writers")
    report = make_report(event=event, title="公開レポート 観測")
    kept = make_section(report, author=author, session=session, body="残った本文 観測")
    gone = make_section(
        report,
        author=gone_writer,
        session=gone_session,
        heading=f"{GONE} 見出し",
        body=f"{GONE} 観測",
    )
    photo = make_photo(report, in_gallery=True, alt_text=f"{GONE} 写真", caption=f"{GONE} 説明")
    trash.trash_section(gone, by=editor)
    trash.trash_photo(photo, by=editor)
    workflow.submit(kept, by=author)
    workflow.approve(kept, by=editor)
    workflow.publish(report, by=editor)
    return {"report": report, "session": gone_session, "writer": gone_writer}


def test_trashed_things_appear_on_no_public_page_feed_sitemap_or_search(
    client, published_with_trash
):
    report = published_with_trash["report"]
    urls = [
        "/",
        report.get_absolute_url(),
        report.event.get_absolute_url(),
        "/search/?q=観測",
        "/feed/",
        "/feed/rss/",
        "/sitemap.xml",
    ]

    bodies = {url: client.get(url) for url in urls}

    assert {url: response.status_code for url, response in bodies.items()} == dict.fromkeys(
        urls, 200
    )
    assert [url for url, response in bodies.items() if GONE in response.content.decode()] == []
    assert [url for url, response in bodies.items() if "gone-" in response.content.decode()] == []
    assert len(feedparser.parse(bodies["/feed/"].content).entries) == 1
    root = ET.fromstring(bodies["/sitemap.xml"].content)
    locations = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert [location for location in locations if "gone" in location] == []


def test_pages_only_trashed_things_made_are_404(client, published_with_trash):
    urls = [
        published_with_trash["session"].get_absolute_url(),
        "/speakers/gone-speaker/",
        f"/authors/{published_with_trash['writer'].username}/",
    ]

    assert [client.get(url).status_code for url in urls] == [404] * 3
    assert "report-card" not in client.get(f"/search/?q={GONE}").content.decode()


def test_a_restore_renders_the_texts_again_for_photos_that_moved_meanwhile(editor):
    report = make_report()
    section = make_section(report, heading="図のある節")
    photo = make_photo(report, section, alt_text="構成図")
    section.body = f'![構成図](photo:{photo.pk} "全体像")'
    editing.save_section(section, by=editor)
    fresh = Section.objects.get(pk=section.pk).body_html
    trash.trash_report(report, by=editor)
    # As if `render_texts` ran for a new MEDIA_STORAGE while the report was in the trash.
    Section.all_objects.filter(pk=section.pk).update(body_html="<p>古いアドレス</p>")

    trash.restore_report(report, by=editor)

    assert Section.objects.get(pk=section.pk).body_html == fresh


def test_a_figure_deleted_on_the_section_page_goes_to_the_trash(client, author):
    report = make_report()
    section = make_section(report, author=author, heading="図のある節")
    figure = make_photo(report, section, alt_text="構成図")
    client.force_login(author)
    url = reverse("admin:blog_section_change", args=[section.pk])
    data = form_values(client.get(url).content.decode(), "section_form")
    data |= {"photos-0-DELETE": ["on"], "_continue": ["1"]}

    client.post(url, data)

    assert Photo.objects.filter(section=section).count() == 0
    assert Photo.all_objects.get(pk=figure.pk).trashed_by == author
    assert files_exist(figure) == [True] * len(figure.stored_names)
