"""Importing an event's schedule: a plan first, then all of it written or none.

`plan_import()` reads a schedule file (see `sessions.schedule_files`) against what the
database holds and says, without writing anything, which sessions it will create, update
or leave as they are, which entries it skips, which speakers are new, and what happens to
the event's sessions the file no longer lists. `import_schedule()` makes the plan again
under a lock on the event and writes it in one transaction, refusing when the plan is not
the one the person saw (`expected_digest`). The admin's upload form and the
`import_schedule` command both read the same plan.

Matching, so that importing the same or an updated file again changes rows in place:

- A session is the event's session with the file's UID (iCalendar `UID`, pretalx `guid`).
  Failing that, the event's session with the same title, if it has no UID yet or its UID
  is no longer in the file (a session typed in by hand, or re-issued under a new UID).
- A speaker is one person across events: the speaker with the file's pretalx speaker
  code, failing that the speaker whose name is the same once normalised (`name_key()`:
  Unicode NFKC, case and runs of spaces ignored), failing that a new speaker. A speaker's
  affiliation is updated from the file when the file gives one, never blanked.
- A session of the event that the file no longer lists is reported, and then: kept when
  anything refers to it (a report's section about it, a claim on it); kept when it was
  entered by hand (it has no UID: the file never owned it); otherwise, having come from
  an earlier import and being used by nothing, deleted.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sessions.models import Event, Session, SessionKind, SessionSpeaker, Speaker, name_key
from sessions.schedule_files import (
    ScheduledSession,
    ScheduledSpeaker,
    ScheduleError,
    SkippedEntry,
    read_schedule,
)


class StalePlanError(ScheduleError):
    """The plan made now differs from the one that was shown: nothing was written."""

    def __init__(self, plan: "SchedulePlan"):
        self.plan = plan
        super().__init__(
            [
                _(
                    "The sessions or the file changed since the plan was shown, so nothing "
                    "was imported. Check the new plan and confirm again."
                )
            ]
        )


class DroppedFate(StrEnum):
    KEPT_IN_USE = "kept_in_use"
    KEPT_ENTERED_BY_HAND = "kept_by_hand"
    DELETED = "deleted"


DROPPED_FATE_LABELS = {
    DroppedFate.KEPT_IN_USE: gettext_lazy("kept: a report section or a claim refers to it"),
    DroppedFate.KEPT_ENTERED_BY_HAND: gettext_lazy("kept: it was entered by hand"),
    DroppedFate.DELETED: gettext_lazy("deleted: it came from an earlier import and is unused"),
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class PlannedSession:
    scheduled: ScheduledSession
    session: Session | None  # None: to be created
    speakers: list["PlannedSpeaker"]
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class PlannedSpeaker:
    """A speaker of the file: an existing row (maybe updated) or one to create."""

    name: str
    affiliation: str
    code: str
    speaker: Speaker | None  # None: to be created (the row, once written)
    changes: list[FieldChange] = field(default_factory=list)
    is_new: bool = False

    def __str__(self) -> str:
        affiliation = self.affiliation or (self.speaker.affiliation if self.speaker else "")
        return f"{self.name} ({affiliation})" if affiliation else self.name


@dataclass
class DroppedSession:
    session: Session
    fate: DroppedFate

    @property
    def fate_label(self) -> str:
        return str(DROPPED_FATE_LABELS[self.fate])


@dataclass
class SchedulePlan:
    event: Event
    format: str
    creates: list[PlannedSession] = field(default_factory=list)
    updates: list[PlannedSession] = field(default_factory=list)
    unchanged: list[PlannedSession] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    dropped: list[DroppedSession] = field(default_factory=list)
    speakers: list[PlannedSpeaker] = field(default_factory=list)

    @property
    def new_speakers(self) -> list[PlannedSpeaker]:
        return [s for s in self.speakers if s.is_new]

    @property
    def updated_speakers(self) -> list[PlannedSpeaker]:
        return [s for s in self.speakers if not s.is_new and s.changes]

    @property
    def deleted(self) -> list[DroppedSession]:
        return [d for d in self.dropped if d.fate == DroppedFate.DELETED]

    @property
    def kept(self) -> list[DroppedSession]:
        return [d for d in self.dropped if d.fate != DroppedFate.DELETED]

    @property
    def changes_anything(self) -> bool:
        return bool(self.creates or self.updates or self.deleted or self.updated_speakers)

    def summary(self) -> str:
        return _(
            "%(create)d to create, %(update)d to update, %(unchanged)d unchanged, "
            "%(skip)d skipped, %(dropped)d no longer in the schedule (%(deleted)d to delete); "
            "%(speakers)d new speakers."
        ) % {
            "create": len(self.creates),
            "update": len(self.updates),
            "unchanged": len(self.unchanged),
            "skip": len(self.skipped),
            "dropped": len(self.dropped),
            "deleted": len(self.deleted),
            "speakers": len(self.new_speakers),
        }

    @property
    def digest(self) -> str:
        """Fingerprint of every decision in the plan, to tell a stale plan from this one."""
        decisions = {
            "sessions": [
                [p.session.pk if p.session else None, p.scheduled.uid, _as_data(p.changes)]
                for p in self.creates + self.updates + self.unchanged
            ],
            "speakers": [
                [s.speaker.pk if s.speaker else None, s.name, _as_data(s.changes)]
                for s in self.speakers
            ],
            "dropped": [[d.session.pk, d.fate] for d in self.dropped],
        }
        text = json.dumps(decisions, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _as_data(changes: Iterable[FieldChange]) -> list:
    return [[c.label, c.before, c.after] for c in changes]


def plan_import(event: Event, content: bytes) -> SchedulePlan:
    """What importing `content` into `event` would do. Reads the database, writes nothing.

    Raises `ScheduleError` naming every broken line or entry.
    """
    schedule = read_schedule(content, event.zone)
    _check_against_event(event, schedule.sessions)
    plan = SchedulePlan(event=event, format=schedule.format, skipped=schedule.skipped)
    speakers = _SpeakerMatcher(schedule.sessions)
    matched = _match_sessions(event, schedule.sessions)
    for scheduled in schedule.sessions:
        session = matched.get(scheduled.uid)
        planned = PlannedSession(
            scheduled=scheduled,
            session=session,
            # A person billed twice on one session is on its bill once.
            speakers=list({id(p): p for p in map(speakers.plan, scheduled.speakers)}.values()),
        )
        if session is None:
            plan.creates.append(planned)
            continue
        planned.changes = _session_changes(session, planned)
        (plan.updates if planned.changes else plan.unchanged).append(planned)
    plan.speakers = speakers.planned()
    kept_ids = {session.pk for session in matched.values()}
    dropped = [s for s in event.sessions.all() if s.pk not in kept_ids]
    in_use = _sessions_in_use([s.pk for s in dropped])
    plan.dropped = [DroppedSession(s, _fate(s, in_use)) for s in dropped]
    return plan


def import_schedule(
    event: Event, content: bytes, *, expected_digest: str | None = None, dry_run: bool = False
) -> SchedulePlan:
    """Plan the import and, unless `dry_run`, write it: all of it, or nothing.

    The event's row is locked for the transaction so that two imports into one event
    run one after the other, each planning against what the other wrote. With
    `expected_digest`, the plan made under the lock must be the one shown to the person
    (`SchedulePlan.digest`), else `StalePlanError` carries the new plan and nothing is
    written. Raises `ScheduleError` for a file that cannot be imported.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        plan = plan_import(event, content)
        if expected_digest is not None and plan.digest != expected_digest:
            raise StalePlanError(plan)
        if not dry_run:
            try:
                # A savepoint, so that PostgreSQL can still answer after a refused row.
                with transaction.atomic():
                    _write(plan)
            except IntegrityError as error:
                raise ScheduleError(
                    [
                        _("The schedule could not be saved, nothing was imported: %(error)s")
                        % {"error": error}
                    ]
                ) from error
    return plan


# --- Planning ---------------------------------------------------------------------------------


def _check_against_event(event: Event, sessions: list[ScheduledSession]) -> None:
    problems = []
    by_uid: dict[str, ScheduledSession] = {}
    by_title: dict[str, ScheduledSession] = {}
    first_day, last_day = event.starts_on, event.ends_on
    for scheduled in sessions:
        day = scheduled.starts_at.astimezone(event.zone).date()
        if not first_day <= day <= last_day:
            problems.append(
                _(
                    "%(where)s (“%(title)s”): it is on %(day)s, outside the event's days "
                    "(%(first)s to %(last)s). Is this the schedule of another event?"
                )
                % {
                    "where": scheduled.where,
                    "title": scheduled.title,
                    "day": day.isoformat(),
                    "first": first_day.isoformat(),
                    "last": last_day.isoformat(),
                }
            )
        for seen, key, label in ((by_uid, scheduled.uid, "UID"), (by_title, scheduled.title, None)):
            if key in seen:
                problems.append(
                    _("%(where)s (“%(title)s”): %(what)s is the same as at %(other)s.")
                    % {
                        "where": scheduled.where,
                        "title": scheduled.title,
                        "what": label or _("its title"),
                        "other": seen[key].where,
                    }
                )
            seen[key] = scheduled
    if problems:
        raise ScheduleError(problems)


def _match_sessions(event: Event, sessions: list[ScheduledSession]) -> dict[str, Session]:
    """The event's existing session for each UID of the file that has one."""
    existing = list(event.sessions.with_speakers())
    by_uid = {s.schedule_uid: s for s in existing if s.schedule_uid}
    file_uids = {scheduled.uid for scheduled in sessions}
    # Title matching may only adopt a session that no UID of the file claims.
    by_title = {
        s.title: s for s in existing if not s.schedule_uid or s.schedule_uid not in file_uids
    }
    matched = {}
    for scheduled in sessions:
        session = by_uid.get(scheduled.uid) or by_title.pop(scheduled.title, None)
        if session is not None:
            matched[scheduled.uid] = session
    return matched


def _format_time(value: datetime.datetime | None, event: Event) -> str:
    if value is None:
        return ""
    return date_format(value.astimezone(event.zone), "Y-m-d H:i")


def _session_changes(session: Session, planned: PlannedSession) -> list[FieldChange]:
    scheduled = planned.scheduled
    event = session.event
    fields = Session._meta
    wanted = [
        ("title", session.title, scheduled.title),
        ("starts_at", session.starts_at, scheduled.starts_at),
        ("ends_at", session.ends_at, scheduled.ends_at),
        ("room", session.room, scheduled.room),
        ("track", session.track, scheduled.track),
        ("kind", session.kind, scheduled.kind),
        ("abstract", session.abstract, scheduled.abstract),
        ("schedule_url", session.schedule_url, scheduled.url),
        ("schedule_uid", session.schedule_uid, scheduled.uid),
    ]
    changes = []
    for name, before, after in wanted:
        if before == after:
            continue
        if name in ("starts_at", "ends_at"):
            before, after = _format_time(before, event), _format_time(after, event)
        elif name == "kind":
            before, after = SessionKind(before).label, SessionKind(after).label
        elif name == "abstract":
            before, after = Truncator(before).chars(60), Truncator(after).chars(60)
        changes.append(FieldChange(str(fields.get_field(name).verbose_name), before, after))
    bill_before = [str(speaker) for speaker in session.ordered_speakers]
    bill_after = [str(person) for person in planned.speakers]
    same_people = [s.pk for s in session.ordered_speakers] == [
        person.speaker.pk if person.speaker else None for person in planned.speakers
    ]
    if not same_people:
        changes.append(
            FieldChange(
                str(fields.get_field("speakers").verbose_name),
                ", ".join(bill_before),
                ", ".join(bill_after),
            )
        )
    return changes


class _SpeakerMatcher:
    """Finds each person of the file once: by pretalx code, else by normalised name."""

    def __init__(self, sessions: list[ScheduledSession]):
        people = [person for scheduled in sessions for person in scheduled.speakers]
        codes = {person.code for person in people if person.code}
        keys = {name_key(person.name) for person in people}
        existing = Speaker.objects.filter(schedule_code__in=codes) | Speaker.objects.filter(
            name_key__in=keys
        )
        self._by_code: dict[str, PlannedSpeaker] = {}
        self._by_key: dict[str, PlannedSpeaker] = {}
        self._rows_by_code: dict[str, Speaker] = {}
        self._rows_by_key: dict[str, Speaker] = {}
        # Oldest first: when two rows share a name, the first one made is the person.
        for speaker in existing.order_by("-pk"):
            if speaker.schedule_code:
                self._rows_by_code[speaker.schedule_code] = speaker
            self._rows_by_key[speaker.name_key] = speaker
        self._planned: list[PlannedSpeaker] = []

    def plan(self, person: ScheduledSpeaker) -> PlannedSpeaker:
        key = name_key(person.name)
        planned = (person.code and self._by_code.get(person.code)) or self._by_key.get(key)
        if planned is None:
            row = (person.code and self._rows_by_code.get(person.code)) or self._rows_by_key.get(
                key
            )
            planned = PlannedSpeaker(
                name=person.name,
                affiliation=person.affiliation,
                code=person.code,
                speaker=row,
                is_new=row is None,
            )
            self._planned.append(planned)
        else:
            # The same person again in the file: what it says of them anywhere counts.
            planned.affiliation = planned.affiliation or person.affiliation
            planned.code = planned.code or person.code
        if planned.code:
            self._by_code[planned.code] = planned
        self._by_key[key] = planned
        return planned

    def planned(self) -> list[PlannedSpeaker]:
        labels = {
            name: str(Speaker._meta.get_field(name).verbose_name)
            for name in ("name", "affiliation", "schedule_code")
        }
        for planned in self._planned:
            row = planned.speaker
            if row is None:
                continue
            if planned.name != row.name:
                planned.changes.append(FieldChange(labels["name"], row.name, planned.name))
            if planned.affiliation and planned.affiliation != row.affiliation:
                planned.changes.append(
                    FieldChange(labels["affiliation"], row.affiliation, planned.affiliation)
                )
            if planned.code and planned.code != row.schedule_code:
                planned.changes.append(
                    FieldChange(labels["schedule_code"], row.schedule_code, planned.code)
                )
        return self._planned


def _sessions_in_use(session_ids: list[int]) -> set[int]:
    """Those of the sessions that a row outside this app's speaker bill refers to.

    Asked through the model's reverse relations, so this app needs to know nothing of
    the apps built on it (report sections, claims on a coverage board).
    """
    if not session_ids:
        return set()
    in_use: set[int] = set()
    for relation in Session._meta.related_objects:
        if relation.related_model is SessionSpeaker:
            continue
        name = relation.field.name
        in_use.update(
            relation.related_model._default_manager.filter(
                **{f"{name}__in": session_ids}
            ).values_list(name, flat=True)
        )
    return in_use


def _fate(session: Session, in_use: set[int]) -> DroppedFate:
    if session.pk in in_use:
        return DroppedFate.KEPT_IN_USE
    if not session.schedule_uid:
        return DroppedFate.KEPT_ENTERED_BY_HAND
    return DroppedFate.DELETED


# --- Writing ----------------------------------------------------------------------------------


def _write(plan: SchedulePlan) -> None:
    for planned in plan.speakers:
        _write_speaker(planned)
    for dropped in plan.deleted:
        dropped.session.delete()
    # Titles are unique per event and the constraint is checked row by row: two sessions
    # that swap titles would collide half-way, so renamed ones first step aside.
    for planned in plan.updates:
        if planned.session.title != planned.scheduled.title:
            Session.objects.filter(pk=planned.session.pk).update(
                title=f"(renaming {planned.session.pk})"
            )
    # Updates before creations: a renamed session frees its old title for a new one.
    for planned in plan.updates:
        _write_session(plan.event, planned)
    for planned in plan.creates:
        _write_session(plan.event, planned)


def _write_speaker(planned: PlannedSpeaker) -> None:
    speaker = planned.speaker
    if planned.is_new:
        planned.speaker = Speaker.objects.create(
            name=planned.name, affiliation=planned.affiliation, schedule_code=planned.code
        )
        return
    if not planned.changes:
        return
    speaker.name = planned.name
    speaker.affiliation = planned.affiliation or speaker.affiliation
    speaker.schedule_code = planned.code or speaker.schedule_code
    speaker.save()


def _write_session(event: Event, planned: PlannedSession) -> None:
    scheduled = planned.scheduled
    session = planned.session or Session(event=event)
    session.title = scheduled.title
    session.starts_at = scheduled.starts_at
    session.ends_at = scheduled.ends_at
    session.room = scheduled.room
    session.track = scheduled.track
    session.kind = scheduled.kind
    session.abstract = scheduled.abstract
    session.schedule_url = scheduled.url
    session.schedule_uid = scheduled.uid
    session.save()
    billed = [person.speaker for person in planned.speakers]
    appearances = {a.speaker_id: a for a in session.appearances.all()}
    session.appearances.exclude(speaker__in=billed).delete()
    for position, speaker in enumerate(billed):
        appearance = appearances.get(speaker.pk)
        if appearance is None:
            SessionSpeaker.objects.create(session=session, speaker=speaker, position=position)
        elif appearance.position != position:
            appearance.position = position
            appearance.save(update_fields=["position"])
