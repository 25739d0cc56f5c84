"""Due dates: editors set them, writers see them; late work is listed and its writers reminded."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from blog import deadlines, editing
from blog.enums import DUE_SOON_DAYS, DeadlineState
from blog.models import DeadlineReminder, Section, SectionStatus
from tests.factories import make_report, make_section, make_user, make_writer_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


def states(queryset) -> list[str]:
    return sorted(section.heading for section in queryset)


# --- What counts as late or due soon -------------------------------------------------------------


@pytest.fixture
def work(author, coauthor):
    """Sections due at every distance, due by their own date or their report's."""
    report = make_report(title="期限のあるレポート", due_on=days(2))
    make_section(report, author=author, heading="昨日まで", due_on=days(-1))
    make_section(report, author=author, heading="今日まで", due_on=days(0))
    make_section(report, author=coauthor, heading="三日後まで", due_on=days(DUE_SOON_DAYS))
    make_section(report, author=coauthor, heading="四日後まで", due_on=days(DUE_SOON_DAYS + 1))
    make_section(report, author=coauthor, heading="レポートの期限で")  # due with the report
    make_section(
        report, author=author, heading="承認済み", due_on=days(-5), status=SectionStatus.APPROVED
    )
    make_section(make_report(), author=author, heading="期限なし")
    published = make_report(published=True, due_on=days(-10))
    make_section(published, author=author, heading="公開済み")
    return report


def test_late_is_unfinished_work_past_its_due_date(work):
    assert states(Section.objects.late(TODAY)) == ["昨日まで"]


def test_due_soon_is_today_up_to_the_constant_s_days_ahead(work):
    assert states(Section.objects.due_soon(TODAY)) == ["レポートの期限で", "三日後まで", "今日まで"]


def test_a_section_without_its_own_date_is_due_with_its_report(work):
    section = Section.objects.with_due_date().get(heading="レポートの期限で")

    assert section.due == days(2)
    assert section.deadline_state(TODAY) == DeadlineState.DUE_SOON


def test_late_reports_and_sections_listed_soonest_first(work):
    listed = Section.objects.late_or_due_soon(TODAY)

    assert [section.heading for section in listed] == [
        "昨日まで",
        "今日まで",
        "レポートの期限で",
        "三日後まで",
    ]


# --- Who sets a due date -------------------------------------------------------------------------


def test_a_writer_cannot_set_a_due_date_and_nothing_is_saved(author):
    section = make_section(make_report(), author=author, body="本文")
    section.due_on = days(3)
    section.body = "書き換えた本文"

    with pytest.raises(PermissionDenied):
        editing.save_section(section, by=author)

    stored = Section.objects.get(pk=section.pk)
    assert (stored.due_on, stored.body) == (None, "本文")


def test_an_editor_sets_a_due_date_without_touching_the_text_or_its_approval(author, editor):
    section = make_section(make_report(), author=author, status=SectionStatus.APPROVED)
    version = section.version
    section.due_on = days(3)

    editing.save_section(section, by=editor)

    stored = Section.objects.get(pk=section.pk)
    assert stored.due_on == days(3)
    assert stored.version == version
    assert stored.status == SectionStatus.APPROVED
    assert stored.approval_holds()


def section_form(section, **changes) -> dict:
    data = {
        "report": section.report_id,
        "position": section.position,
        "session": "",
        "heading": section.heading,
        "author": section.author_id,
        "author_team": section.author_team,
        "body": section.body,
        "base_version": section.version,
        "due_on": section.due_on.isoformat() if section.due_on else "",
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
    }
    return data | changes


def test_writers_see_their_due_date_but_get_no_field_to_change_it(client, author):
    section = make_section(make_report(), author=author, due_on=datetime.date(2030, 1, 31))
    client.force_login(author)
    url = reverse("admin:blog_section_change", args=[section.pk])

    page = client.get(url).content.decode()
    client.post(url, section_form(section, due_on="2031-12-31", body="新しい本文"))

    assert 'name="due_on"' not in page
    assert "2030年1月31日" in page
    stored = Section.objects.get(pk=section.pk)
    assert (stored.due_on, stored.body) == (datetime.date(2030, 1, 31), "新しい本文")


def test_editors_set_the_due_date_on_the_section_page(client, author, editor):
    section = make_section(make_report(), author=author)
    client.force_login(editor)
    url = reverse("admin:blog_section_change", args=[section.pk])

    client.post(url, section_form(section, due_on="2030-02-01", reviewer=""))

    assert Section.objects.get(pk=section.pk).due_on == datetime.date(2030, 2, 1)


# --- The admin home ------------------------------------------------------------------------------


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("admin:index")).content.decode()


def test_admin_home_shows_editors_late_and_due_soon_work_and_reports(client, author, editor):
    today = timezone.localdate()
    report = make_report(title="締切間近のレポート", due_on=today + datetime.timedelta(days=1))
    make_section(
        report, author=author, heading="遅れている節", due_on=today - datetime.timedelta(1)
    )
    make_section(
        report, author=author, heading="余裕のある節", due_on=today + datetime.timedelta(9)
    )

    html = home(client, editor)

    panel = html[html.index('id="deadlines-title"') :]
    assert "締切間近のレポート" in panel
    assert "遅れている節" in panel
    assert "余裕のある節" not in panel
    assert panel.count("deadline-badge--late") == 1
    assert panel.count("deadline-badge--due_soon") == 1


def test_a_late_report_s_row_shows_its_state_and_how_far_its_review_is(client, author, editor):
    report = make_report(title="遅れているレポート", due_on=timezone.localdate())
    make_section(report, author=author, heading="承認済みの節", status=SectionStatus.APPROVED)
    make_section(report, author=author, heading="書きかけの節")

    html = home(client, editor)

    panel = html[html.index('id="deadlines-title"') : html.index("</table>")]
    row = re.search(r"<tr[^>]*>\s*<td><a [^>]*>遅れているレポート</a>.*?</tr>", panel, re.S)
    status_cell = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)[2]
    assert status_cell == (
        '<span class="status-badge status-badge--draft">下書き</span> 承認済み 1 / 2'
    )


def test_writers_home_shows_only_their_own_late_work(client, author, coauthor):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    report = make_report()
    make_section(report, author=author, heading="自分の遅れ", due_on=yesterday)
    make_section(report, author=coauthor, heading="同僚の遅れ", due_on=yesterday)

    html = home(client, author)

    assert "自分の遅れ" in html
    assert "同僚の遅れ" not in html
    assert "期限切れ" in html


def test_late_work_that_waits_on_its_editors_is_late_for_them_not_its_writer(
    client, author, editor
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    report = make_report()
    make_writer_of(report, author)
    make_section(
        report, author=author, heading="提出済みの遅れ", due_on=yesterday, status="in_review"
    )
    author.email = "author@example.com"
    author.save()

    def deadlines_panel(html: str) -> str:
        return (
            html.split('id="deadlines-title"', 1)[1].split("</section>", 1)[0]
            if ('id="deadlines-title"' in html)
            else ""
        )

    assert "提出済みの遅れ" not in deadlines_panel(home(client, author))
    editor_home = home(client, editor)
    # Not listed against its writer: marked late in the editors' own queue.
    assert "提出済みの遅れ" not in deadlines_panel(editor_home)
    queue = editor_home.split('id="awaiting-title"', 1)[1].split("</section>", 1)[0]
    row = re.search(r"<tr>\s*<td><a [^>]*>提出済みの遅れ</a>.*?</tr>", queue, re.S).group(0)
    assert 'deadline-badge--late">期限切れ</span> ' + yesterday.isoformat() in row
    assert deadlines.send_reminders(today=timezone.localdate()) == []


def test_admin_home_has_no_deadline_panel_when_nothing_is_late_or_due(client, author, editor):
    make_section(make_report(), author=author)

    assert 'id="deadlines-title"' not in home(client, editor)


# --- Reminders -----------------------------------------------------------------------------------


@pytest.fixture
def late_writers(work, author, coauthor):
    author.email = "author@example.com"
    author.save()
    coauthor.email = "coauthor@example.com"
    coauthor.save()
    return work


def test_reminders_go_to_writers_with_late_work_only(late_writers, author):
    reminded = deadlines.send_reminders(today=TODAY)

    assert reminded == [author]
    assert [message.to for message in mail.outbox] == [["author@example.com"]]


def test_a_reminder_lists_the_late_sections_with_links(late_writers, author):
    deadlines.send_reminders(today=TODAY)

    message = mail.outbox[0]
    assert message.subject == "[SRE Tech Blog] 期限切れの節が 1 件あります"
    late = Section.objects.get(heading="昨日まで")
    assert "「期限のあるレポート」の「昨日まで」 期限 2026-06-09（下書き）" in message.body
    assert reverse("admin:blog_section_change", args=[late.pk]) in message.body
    assert "今日まで" not in message.body  # due today is not late yet


def test_at_most_one_reminder_a_day(late_writers, author):
    deadlines.send_reminders(today=TODAY)
    deadlines.send_reminders(today=TODAY)
    assert len(mail.outbox) == 1

    deadlines.send_reminders(today=days(1))

    assert len(mail.outbox) == 2
    assert DeadlineReminder.objects.get(user=author).sent_on == days(1)


def test_a_reminder_is_in_the_writer_s_language(late_writers, author):
    author.author_profile.language = "en"
    author.author_profile.save()

    deadlines.send_reminders(today=TODAY)

    message = mail.outbox[0]
    assert message.subject == "[SRE Tech Blog] 1 late section"
    assert "“昨日まで” in “期限のあるレポート”, due 2026-06-09 (Draft)" in message.body


def test_nobody_is_reminded_when_nothing_is_late(author):
    author.email = "author@example.com"
    author.save()
    make_section(make_report(), author=author, due_on=days(1))

    assert deadlines.send_reminders(today=TODAY) == []
    assert mail.outbox == []
    assert not DeadlineReminder.objects.exists()


def test_a_writer_without_an_email_address_is_not_marked_reminded(work, author):
    assert deadlines.send_reminders(today=TODAY) == []

    assert not DeadlineReminder.objects.exists()


def test_the_command_sends_once_a_day_and_says_how_many(author):
    author.email = "author@example.com"
    author.save()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_section(make_report(), author=author, due_on=yesterday)
    first, second = io.StringIO(), io.StringIO()

    call_command("send_deadline_reminders", stdout=first)
    call_command("send_deadline_reminders", stdout=second)

    assert first.getvalue() == "author 表示名 さんに督促しました\n督促メールを 1 通送りました。\n"
    assert second.getvalue() == "督促メールを 0 通送りました。\n"
    assert len(mail.outbox) == 1


def test_reminders_leave_other_users_alone(late_writers):
    make_user("idle", group="Writers", email="idle@example.com")

    deadlines.send_reminders(today=TODAY)

    assert all("idle@example.com" not in message.to for message in mail.outbox)
