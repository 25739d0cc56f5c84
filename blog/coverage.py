"""Who covers which session of an event: the coverage board and its claims.

A session is covered by the sections about it in its event's reports; a claim is such a
section, so "who writes about this talk" has one answer, the section's author, and its
state is the section's review state. Claiming ("I will write this") makes the writer a
writer of the event's report (blog/membership.py) and creates their draft section about
the session through blog/editing.py, so its heading and speakers come from the session.

A session takes one writer across its event's reports, unless an editor allowed more
(`SessionCoverage`). Taking a claim back (unassigning) deletes the claim's draft only while
it is empty: once it has text or photos it is somebody's work, and an editor gives it to
another author or deletes it on the section's own page instead.

Which report a claim goes into: the event's report still being written. When there is
none, claims are refused with a message saying so; when there are several, the board asks
which one (`?report=`) and the claim names it.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from blog import editing, membership, roles, trash
from blog.enums import DeadlineState
from blog.models import (
    WRITERS_PER_SESSION,
    Report,
    Section,
    SessionCoverage,
    display_name_of,
    display_names_of,
)
from sessions.models import Event, Session


class CoverageRefused(ValidationError):
    """The claim, assignment or unassignment cannot happen; the message says why."""


# --- Where a session sits on the board -----------------------------------------------------------


def day_of(session: Session) -> datetime.date | None:
    """The day a session is on where the conference is (a Detroit evening is not the next
    morning in Tokyo); None when it has no time yet."""
    start = session.start_time
    return start.moment.date() if start else None


def place_of(session: Session) -> str:
    """Where a session sits within its day on the board: its room, else its track."""
    return session.room or session.track


# --- The claims ----------------------------------------------------------------------------------


@dataclass
class Claim:
    """What claiming or assigning did, for the person's messages."""

    section: Section
    created: bool


def writers_allowed(session: Session) -> int:
    allowance = SessionCoverage.objects.filter(session=session).first()
    return allowance.writers_allowed if allowance else WRITERS_PER_SESSION


def claim(session: Session, report: Report, *, by) -> Claim:
    """`by` claims `session`: they become a writer of `report` and get a new draft section
    about the session. Claiming a session one already writes about changes nothing.

    Raises PermissionDenied when `by` may not claim (neither writer nor editor), and
    CoverageRefused when the report is published or the session taken. One transaction.
    """
    if not by.has_perm("blog.claim_session", report):
        raise PermissionDenied(_("Only writers and editors claim sessions."))
    return _cover(session, report, writer=by, by=by)


def assign(session: Session, report: Report, writer, *, by) -> Claim:
    """An editor gives `session` to `writer`: as if `writer` had claimed it."""
    if not by.has_perm("blog.assign_session", report):
        raise PermissionDenied(_("Only editors assign sessions."))
    if not roles.is_writer(writer) and not roles.is_editor(writer):
        raise CoverageRefused(
            _("%(name)s is not in the Writers group, so cannot write in a report.")
            % {"name": display_name_of(writer)},
            code="not_a_writer",
        )
    return _cover(session, report, writer=writer, by=by)


def _cover(session: Session, report: Report, *, writer, by) -> Claim:
    if report.is_live:
        raise CoverageRefused(_("This report is not open for claims."), code="published")
    if report.event_id is None or session.event_id != report.event_id:
        raise CoverageRefused(
            _("“%(session)s” is not a session of this report's event.") % {"session": session},
            code="other_event",
        )
    with transaction.atomic():
        own = own_section_or_room(session, report, writer)
        if own is not None:
            return Claim(own, created=False)
        if writer.pk == by.pk:
            membership.join_by_claim(report, writer)
        # No position: blog/editing.py puts it after the report's last section.
        section = Section(report=report, session=session, author=writer, position=None)
        # Adds the writer to the report when an editor assigns (blog.membership.ensure_writer).
        editing.save_section(section, by=by)
    return Claim(section, created=True)


def own_section_or_room(session: Session, report: Report, writer) -> Section | None:
    """The one check of who may cover `session`, asked by claiming, assigning and restoring
    a section from the trash: `writer`'s own section about it in `report` when they have one
    (a writer covers a session once in a report); otherwise None, once it is sure that the
    session has a place left for them (CoverageRefused when others hold every place).

    Call it inside a transaction: it locks the session, so that two people taking its last
    place at once are answered one after the other, the second counting the first one's
    section.
    """
    Session.objects.select_for_update().get(pk=session.pk)
    covering = Section.objects.covering(session)
    own = covering.filter(author=writer, report=report).first()
    if own is not None:
        return own
    taken_by = [section.author for section in covering.select_related("author__author_profile")]
    if len(taken_by) >= writers_allowed(session):
        raise CoverageRefused(
            _(
                "“%(session)s” is already covered by %(names)s. An editor can allow "
                "another writer for it."
            )
            % {"session": session, "names": display_names_of(taken_by)},
            code="taken",
        )
    return None


def unassign(section: Section, *, by) -> None:
    """Take a claim back: delete its draft, which must still be empty.

    The writer stays a writer of the report (editors remove writers on the report page).
    """
    if not by.has_perm("blog.unassign_session", section):
        raise PermissionDenied(_("Only editors unassign sessions."))
    if section.report.is_live:
        raise CoverageRefused(
            _("The report is published: its sections stay as they are."), code="published"
        )
    if section.session_id is None:
        raise CoverageRefused(_("This section is not about a session."), code="no_session")
    if section.body.strip() or section.photos.exists():
        raise CoverageRefused(
            _(
                "%(name)s has already written in “%(title)s”, so it stays. To hand it over, "
                "choose another author on the section's page, or delete it there."
            )
            % {"name": section.author_name, "title": section.title},
            code="has_text",
        )
    trash.trash_section(section, by=by)  # an empty draft, but still kept for a while


def allow_another_writer(session: Session, *, by) -> SessionCoverage:
    """Let one more writer claim `session` than cover it now."""
    if not by.has_perm("blog.allow_another_writer", session):
        raise PermissionDenied(_("Only editors allow more writers for a session."))
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        covering = Section.objects.covering(session)
        allowance, _created = SessionCoverage.objects.get_or_create(session=session)
        allowance.writers_allowed = max(allowance.writers_allowed, covering.count() + 1)
        allowance.allowed_by = by
        allowance.save()
    return allowance


# --- The board -----------------------------------------------------------------------------------

# The filters' values for "claimed or not" and for sessions without a time yet.
CLAIMED, UNCLAIMED = "claimed", "unclaimed"
UNSCHEDULED = "unscheduled"


@dataclass
class BoardSession:
    session: Session
    sections: list[Section]
    writers_allowed: int
    mine: Section | None = None

    @property
    def is_claimed(self) -> bool:
        return bool(self.sections)

    @property
    def is_full(self) -> bool:
        return len(self.sections) >= self.writers_allowed


@dataclass
class BoardGroup:
    day: datetime.date | None
    place: str
    sessions: list[BoardSession] = field(default_factory=list)


@dataclass
class Board:
    event: Event
    reports: list[Report]  # every report of the event, for the claims' labels
    target: Report | None  # where claims go now
    choices: list[Report]  # the open reports to choose from, when there are several
    rows: list[BoardSession]
    days: list[datetime.date | None]
    places: list[str]
    today: datetime.date
    late: int = 0
    due_soon: int = 0

    @property
    def several_reports(self) -> bool:
        return len(self.reports) > 1

    def groups(self, filters: dict) -> list[BoardGroup]:
        """The sessions that pass `filters` (a `blog.forms.CoverageFilterForm`'s cleaned
        data), by day, then place, in time order."""
        return _grouped([row for row in self.rows if _matches(row, filters)])


def build_board(event: Event, user, *, report_id: int | None = None) -> Board:
    """The board of `event` as `user` sees it, with claims going into the open report
    `report_id` (or the only open one). A fixed number of queries, however many sessions."""
    today = timezone.localdate()
    reports = list(Report.objects.filter(event=event).order_by("created_at", "pk"))
    still_open = [report for report in reports if not report.is_live]
    target = next((report for report in still_open if report.pk == report_id), None)
    if target is None and len(still_open) == 1:
        target = still_open[0]
    sections = Section.objects.filter(report__event=event).for_board()
    sessions = (
        Session.objects.filter(event=event)
        .select_related("event")
        .with_speakers()
        .prefetch_related(Prefetch("sections", queryset=sections, to_attr="board_sections"))
        .order_by("starts_at", "track", "title")
    )
    reports_by_id = {report.pk: report for report in reports}
    allowed = dict(
        SessionCoverage.objects.filter(session__event=event).values_list(
            "session_id", "writers_allowed"
        )
    )
    rows = []
    for session in sessions:
        for section in session.board_sections:
            section.report = reports_by_id[section.report_id]  # one report object each
        mine = next((s for s in session.board_sections if s.author_id == user.pk), None)
        writers = allowed.get(session.pk, WRITERS_PER_SESSION)
        rows.append(BoardSession(session, session.board_sections, writers, mine))
    days = sorted({day_of(row.session) for row in rows}, key=_day_order)
    places = sorted({place_of(row.session) for row in rows})
    choices = still_open if len(still_open) > 1 else []
    board = Board(event, reports, target, choices, rows, days, places, today)
    for row in rows:
        for section in row.sections:
            section.deadline = section.deadline_state(today)
            board.late += section.deadline == DeadlineState.LATE
            board.due_soon += section.deadline == DeadlineState.DUE_SOON
    return board


def _day_order(day: datetime.date | None) -> tuple:
    # Sessions without a time yet come last.
    return (day is None, day or datetime.date.min)


def _matches(row: BoardSession, filters: dict) -> bool:
    if (day := filters.get("day")) and _day_key(day_of(row.session)) != day:
        return False
    if (place := filters.get("place")) and place_of(row.session) != place:
        return False
    coverage = filters.get("coverage")
    if coverage == CLAIMED and not row.is_claimed:
        return False
    if coverage == UNCLAIMED and row.is_claimed:
        return False
    status = filters.get("status")
    return not status or any(section.status == status for section in row.sections)


def _grouped(rows: list[BoardSession]) -> list[BoardGroup]:
    groups: dict[tuple, BoardGroup] = {}
    for row in rows:
        key = (day_of(row.session), place_of(row.session))
        groups.setdefault(key, BoardGroup(*key)).sessions.append(row)
    return [groups[key] for key in sorted(groups, key=lambda key: (_day_order(key[0]), key[1]))]


def _day_key(day: datetime.date | None) -> str:
    """A day as the filter's choice value."""
    return day.isoformat() if day else UNSCHEDULED


def day_choices(days: list[datetime.date | None]) -> list[tuple[str, str]]:
    return [(_day_key(day), day.isoformat() if day else _("No time yet")) for day in days]
