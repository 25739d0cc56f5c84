"""The audit trail: every move of a report and its sections, who and when, for editors."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from blog import audit, membership, trash, workflow
from blog.models import ReportTransition
from tests.factories import make_photo, make_report, make_section, make_user

pytestmark = pytest.mark.django_db


def trail_of(report) -> list[tuple[str, str, str]]:
    """(who, what, about) of the report's trail, oldest first."""
    return [
        (entry.actor_name, entry.action, entry.subject)
        for entry in reversed(audit.trail(report.pk)[:100])
    ]


def test_every_kind_of_change_is_in_the_reports_trail_once(author, editor, superuser):
    report = make_report(title="記録されるレポート")
    other = make_report(title="別のレポート")
    make_section(other, author=author)  # its own trail, not this one's
    membership.add_writer(report, author, by=editor)
    section = make_section(report, author=author, heading="調べた節", member=False)
    extra = make_section(report, author=author, heading="消す節", member=False)
    photo = make_photo(report, in_gallery=True, alt_text="会場の写真")

    workflow.submit(section, by=author)
    workflow.request_changes(section, by=editor, comment="図を足してください")
    workflow.submit(section, by=author)
    workflow.approve(section, by=editor)
    trash.trash_section(extra, by=editor)
    trash.restore_section(extra, by=editor)
    trash.trash_section(extra, by=author)
    trash.trash_photo(photo, by=editor)
    trash.purge(photo, by=superuser)
    workflow.publish(report, by=editor)
    workflow.unpublish(report, by=editor)
    membership.remove_writer(report, make_user("ghost", group="Writers"), by=editor)  # not one
    trash.trash_report(report, by=editor)
    trash.restore_report(report, by=editor)

    a, e, s = "author 表示名", "editor 表示名", "root"
    assert trail_of(report) == [
        (e, "執筆者を追加", "author 表示名"),
        (a, "レビュー依頼", "調べた節"),
        (e, "修正依頼中", "調べた節"),
        (a, "レビュー依頼", "調べた節"),
        (e, "承認済み", "調べた節"),
        (e, "ゴミ箱に移動", "消す節"),
        (e, "ゴミ箱から復元", "消す節"),
        (a, "ゴミ箱に移動", "消す節"),
        (e, "ゴミ箱に移動", "会場の写真"),
        (s, "完全に削除", "会場の写真"),
        (e, "公開", ""),
        (e, "公開取り下げ", ""),
        (e, "ゴミ箱に移動", ""),
        (e, "ゴミ箱から復元", ""),
    ]


def test_a_request_for_changes_carries_its_comment_into_the_trail(author, editor):
    section = make_section(make_report(), author=author)
    workflow.submit(section, by=author)

    workflow.request_changes(section, by=editor, comment="図を足してください")

    newest = audit.trail(section.report_id)[0]
    assert newest.detail == "レビュー中 → 修正依頼中: 図を足してください"


def test_a_refused_change_leaves_no_entry(editor, outsider):
    report = make_report()

    with pytest.raises(ValidationError):
        membership.add_writer(report, outsider, by=editor)  # not in the Writers group

    assert ReportTransition.objects.count() == 0


def test_writers_added_twice_are_recorded_once(author, editor):
    report = make_report()

    membership.add_writer(report, author, by=editor)
    membership.add_writer(report, author, by=editor)

    assert ReportTransition.objects.filter(report=report, action="add_writer").count() == 1


def test_an_editor_reads_the_trail_of_one_report(client, author, editor):
    report = make_report(title="見たいレポート")
    other = make_report(title="ほかのレポート")
    membership.add_writer(report, author, by=editor)
    membership.add_writer(other, author, by=editor)
    client.force_login(editor)

    everything = client.get(reverse("admin:blog_audit_trail")).content.decode()
    one = client.get(reverse("admin:blog_audit_trail"), {"report": report.pk}).content.decode()

    def cells(page: str, text: str) -> int:
        return len(re.findall(rf"<td[^>]*>{text}</td>", page))

    assert cells(everything, "執筆者を追加") == 2
    assert cells(one, "執筆者を追加") == 1
    assert cells(one, "見たいレポート") >= 1
    assert cells(one, "ほかのレポート") == 0


def test_writers_are_refused_the_audit_trail(client, author):
    client.force_login(author)

    response = client.get(reverse("admin:blog_audit_trail"))

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("admin:blog_audit_trail"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_trail_pages_through_both_tables_newest_first(author, editor):
    report = make_report()
    section = make_section(report, author=author)
    for _round in range(30):
        workflow.submit(section, by=author)
        workflow.request_changes(section, by=editor, comment="もう一度")
        membership.remove_writer(report, editor, by=editor)  # nothing to remove: no entry
    trail = audit.trail(report.pk)

    whole = trail[0 : len(trail)]
    pages = trail[0:50] + trail[50:60]

    assert len(trail) == 60
    assert pages == whole
    assert [entry.when for entry in whole] == sorted((entry.when for entry in whole), reverse=True)


def test_the_trail_outlives_a_purged_report(editor, superuser):
    report = make_report(title="消えたレポート")
    trash.trash_report(report, by=editor)

    trash.purge(report, by=superuser)

    entries = audit.trail()[0:10]
    assert [(entry.report_title, entry.action) for entry in entries] == [
        ("消えたレポート", "完全に削除"),
        ("消えたレポート", "ゴミ箱に移動"),
    ]
