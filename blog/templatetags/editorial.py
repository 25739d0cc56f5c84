from urllib.parse import urlsplit

from django import template
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone

from blog import membership, revisions, roles, trash
from blog.enums import ReportStatus, SectionStatus
from blog.models import (
    Report,
    Section,
    SectionTransition,
    display_name_of,
    display_names_of,
)
from sessions.dates import site_time
from sessions.models import Event

# Events offered on the admin home for their coverage board, newest first.
BOARD_LINKS = 5
# One's own published sections listed on the admin home, newest first.
MY_PUBLISHED_LINKS = 10

register = template.Library()


@register.inclusion_tag("admin/blog/dashboard.html", takes_context=True)
def editorial_dashboard(context) -> dict:
    """Each person's work on the admin home: own sections, and for editors the review queue."""
    user = context["request"].user
    is_editor = roles.is_editor(user)
    mine = (
        Section.objects.visible_to(user)
        .filter(author=user)
        .exclude(report__status=ReportStatus.PUBLISHED, status=SectionStatus.APPROVED)
        .select_related("report", "session", "reviewer")
        .order_by("report", "position")
    )
    # Their published work stays within reach, after what is still to do.
    published = (
        Section.objects.filter(author=user, report__status=ReportStatus.PUBLISHED)
        .select_related("report", "session")
        .order_by("-report__published_at", "report_id", "position", "pk")
    )
    my_sections = list(mine)
    # What the editor asked for, beside each section sent back: the writer's next task.
    sent_back = [s for s in my_sections if s.status == SectionStatus.CHANGES_REQUESTED]
    requests = SectionTransition.objects.latest_change_requests(sent_back)
    for section in sent_back:
        section.latest_request = requests.get(section.pk)
    data = {
        "my_sections": my_sections,
        "my_published": list(published[:MY_PUBLISHED_LINKS]),
        "is_editor": is_editor,
    }
    today = timezone.localdate()
    due = Section.objects.visible_to(user).late_or_due_soon(today)
    # Late work in the writers' hands. A section submitted late waits on its editors: it is
    # marked in their review queue instead, not held against its writer here.
    due = due.in_writers_hands()
    data["sections_due"] = list(due if is_editor else due.filter(author=user))
    for section in data["sections_due"]:
        section.deadline = section.deadline_state(today)
    if is_editor:
        boards = Event.objects.order_by("-starts_on", "name")
    else:
        # A writer is offered only boards where they can claim a session.
        boards = membership.claimable_events(user)
    if user.has_perm("blog.view_coverage"):
        data["board_events"] = list(boards[:BOARD_LINKS])
    if not is_editor:
        # Where a writer can start a section: every report they write for, new ones too.
        data["my_reports"] = list(
            membership.open_reports_for(user).order_by(F("due_on").asc(nulls_last=True), "-pk")
        )
    if not membership.has_somewhere_to_write(user):
        data |= membership.ways_in(user)
        data["writes_nowhere"] = True
    if is_editor:
        queue = list(Section.objects.awaiting_review().with_due_date())
        # A section sent back earlier is marked, with what changed since the request.
        since = revisions.since_requests(SectionTransition.objects.latest_change_requests(queue))
        for section in queue:
            section.since_request = since.get(section.pk)
            section.deadline = section.deadline_state(today)
        data["awaiting_review"] = queue
        data["reports_in_progress"] = list(
            Report.objects.open_for_writing().with_review_progress().order_by("-updated_at")
        )
        data["reports_scheduled"] = list(Report.objects.scheduled())
        data["reports_due"] = list(Report.objects.late_or_due_soon(today).with_review_progress())
        for report in data["reports_due"]:
            report.deadline = report.deadline_state(today)
    return data


# A report's publication time, with the zone it is in: "2026-12-06 10:00 JST".
register.filter("site_time", site_time)


@register.filter
def display_name(person) -> str:
    return display_name_of(person)


@register.filter
def display_names(people) -> str:
    return display_names_of(people)


@register.simple_tag
def trash_retention_days() -> int:
    """How many days the trash keeps what is moved there (the trash page, the page that
    asks before moving)."""
    return trash.retention().days


# The pages whose unsaved text is kept in the browser (static/js autosave) and offered back.
PAGES_THAT_KEEP_TEXT = frozenset({"blog_section_change", "blog_section_add"})


@register.filter
def keeps_unsaved_text(address: str) -> bool:
    """Whether `address` (the login page's `next`) is a page that offers back text typed
    when the login ran out: only there is that worth saying."""
    try:
        match = resolve(urlsplit(address).path)
    except (Resolver404, ValueError):
        return False
    return match.url_name in PAGES_THAT_KEEP_TEXT
