"""The audit trail: who did what to which report, and when.

Two tables hold the facts, each fact once: `ReportTransition` (publication, writers,
the order of sections, trash, restore, purge: written here, by `record()`) and
`SectionTransition` (the review moves, written by `blog.workflow`, also read by each
section's review thread).
`trail()` reads both as one list, newest first. Nothing else writes either table.
"""

import heapq
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.utils.translation import gettext as _

from blog.enums import ReportAction
from blog.models import Report, ReportTransition, SectionTransition, display_name_of


def record(
    action: ReportAction,
    *,
    report: Report,
    by,
    subject: str = "",
    published_at: datetime | None = None,
    places: tuple[int, int] | None = None,
) -> ReportTransition:
    """Write one entry; call it inside the transaction of the change it records. `places`:
    a section's place in its report's order (1 the first), before and after a move."""
    from_place, to_place = places or (None, None)
    return ReportTransition.objects.create(
        report=report,
        report_title=report.title,
        action=action,
        actor=by,
        subject=subject,
        published_at=published_at,
        from_place=from_place,
        to_place=to_place,
    )


@dataclass(frozen=True)
class TrailEntry:
    when: datetime
    actor_name: str
    report_id: int | None
    report_title: str
    action: str
    subject: str
    detail: str


def _report_entries(report_id: int | None, limit: int):
    rows = ReportTransition.objects.select_related("actor__author_profile").order_by(
        "-created_at", "-pk"
    )
    if report_id is not None:
        rows = rows.filter(report_id=report_id)
    for row in rows[:limit]:
        yield TrailEntry(
            when=row.created_at,
            actor_name=display_name_of(row.actor) if row.actor else _("the site (retention)"),
            report_id=row.report_id,
            report_title=row.report_title,
            action=row.get_action_display(),
            subject=row.subject,
            detail=_report_detail(row),
        )


def _report_detail(row: ReportTransition) -> str:
    if row.from_place is None:
        return ""
    return _("place %(from)s → place %(to)s") % {"from": row.from_place, "to": row.to_place}


def _section_entries(report_id: int | None, limit: int):
    # Sections in the trash included: their history stays readable until they are purged.
    rows = SectionTransition.objects.select_related(
        "actor__author_profile", "section__session", "section__report"
    ).order_by("-created_at", "-pk")
    if report_id is not None:
        rows = rows.filter(section__report_id=report_id)
    for row in rows[:limit]:
        detail = f"{row.get_from_status_display()} → {row.get_to_status_display()}"
        if row.comment:
            detail += f": {row.comment}"
        yield TrailEntry(
            when=row.created_at,
            actor_name=display_name_of(row.actor),
            report_id=row.section.report_id,
            report_title=row.section.report.title,
            action=row.get_action_display(),
            subject=row.section.title,
            detail=detail,
        )


class Trail:
    """The merged trail as a sequence a Paginator can page through: counts are two
    queries, and a page reads only as far into each table as it needs."""

    def __init__(self, report_id: int | None = None):
        self.report_id = report_id

    def count(self) -> int:
        reports = ReportTransition.objects.all()
        sections = SectionTransition.objects.all()
        if self.report_id is not None:
            reports = reports.filter(report_id=self.report_id)
            sections = sections.filter(section__report_id=self.report_id)
        return reports.count() + sections.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        # The newest `stop` of each table hold the newest `stop` of both.
        stop = index.stop if index.stop is not None else self.count()
        merged = heapq.merge(
            _report_entries(self.report_id, stop),
            _section_entries(self.report_id, stop),
            key=lambda entry: entry.when,
            reverse=True,
        )
        return list(islice(merged, index.start or 0, stop))


def trail(report_id: int | None = None) -> Trail:
    """Every entry, newest first; of one report when `report_id` is given."""
    return Trail(report_id)
