from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sessions.importing import SchedulePlan, import_schedule
from sessions.models import Event
from sessions.schedule_files import ScheduleError, max_bytes, too_large_message


class Command(BaseCommand):
    help = (
        "Import an event's sessions and speakers from a schedule file: iCalendar (.ics, as "
        "Sched exports it) or pretalx/frab schedule.json, told apart by the content. Prints "
        "the plan, then writes all of it, or nothing when the file has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("event_slug", help="The event's slug, e.g. kubecon-na-2022.")
        parser.add_argument("file", type=Path, help="The schedule file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the plan and write nothing."
        )

    def handle(self, *args, event_slug: str, file: Path, dry_run: bool, **options):
        try:
            event = Event.objects.get(slug=event_slug)
        except Event.DoesNotExist:
            raise CommandError(
                _("There is no event with the slug “%(slug)s”.") % {"slug": event_slug}
            ) from None
        content = self._read(file)
        try:
            plan = import_schedule(event, content, dry_run=dry_run)
        except ScheduleError as error:
            raise CommandError(
                _("%(file)s was not imported, nothing changed:") % {"file": file}
                + "\n"
                + "\n".join(f"  {problem}" for problem in error.problems)
            ) from None
        for line in plan_lines(plan):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported: %(summary)s") % {"summary": plan.summary()})
            )

    def _read(self, file: Path) -> bytes:
        try:
            with file.open("rb") as handle:
                # One byte more than allowed tells a file that is too large without
                # reading all of a huge one.
                content = handle.read(max_bytes() + 1)
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s")
                % {
                    "file": file,
                    "error": error.strerror,
                }
            ) from None
        if len(content) > max_bytes():
            raise CommandError(too_large_message())
        return content


def plan_lines(plan: SchedulePlan) -> list[str]:
    """The plan as text, one line per decision."""
    lines = [
        _("Schedule (%(format)s) for %(event)s, times in %(zone)s:")
        % {
            "format": plan.format,
            "event": plan.event.name,
            "zone": plan.event.time_zone,
        }
    ]
    for planned in plan.creates:
        lines.append(_("  create  %(title)s") % {"title": planned.scheduled.title})
    for planned in plan.updates:
        lines.append(_("  update  %(title)s") % {"title": planned.scheduled.title})
        for change in planned.changes:
            lines.append(f"          {change.label}: {change.before} → {change.after}")
    for planned in plan.unchanged:
        lines.append(_("  same    %(title)s") % {"title": planned.scheduled.title})
    for skipped in plan.skipped:
        lines.append(
            _("  skip    %(title)s (%(where)s: %(reason)s)")
            % {"title": skipped.title, "where": skipped.where, "reason": skipped.reason}
        )
    for dropped in plan.dropped:
        lines.append(
            _("  dropped %(title)s: %(fate)s")
            % {"title": dropped.session.title, "fate": dropped.fate_label}
        )
    for speaker in plan.new_speakers:
        lines.append(_("  new speaker     %(speaker)s") % {"speaker": speaker})
    for speaker in plan.updated_speakers:
        for change in speaker.changes:
            lines.append(
                _("  speaker %(name)s: %(field)s: %(before)s → %(after)s")
                % {
                    "name": speaker.name,
                    "field": change.label,
                    "before": change.before,
                    "after": change.after,
                }
            )
    lines.append(plan.summary())
    return lines
