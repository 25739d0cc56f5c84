"""Reading a conference schedule file: iCalendar (.ics) or pretalx/frab `schedule.json`.

The format is told from the content, never from the file's name. Reading writes nothing:
it turns the bytes into `ScheduledSession` values or raises `ScheduleError` with every
problem found, each naming the line (iCalendar, JSON syntax) or the entry (JSON) it is
in. What the values mean for the database is `sessions.importing`'s business.
"""

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sessions.models import Session, SessionKind, Speaker

# More than this many messages help nobody: the file is the wrong one or badly broken.
MAX_PROBLEMS = 20
# An abstract is a paragraph or a few; far more is a file that is not what it claims.
MAX_ABSTRACT = 20_000


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class ScheduleError(ValueError):
    """The file cannot be imported; `problems` says why, one message per line or entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            self.problems.append(
                _("… and %(count)d more problems.") % {"count": len(problems) - MAX_PROBLEMS}
            )
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ScheduledSpeaker:
    name: str
    affiliation: str = ""
    code: str = ""  # pretalx's speaker code


@dataclass(frozen=True)
class ScheduledSession:
    """One session as the file describes it."""

    uid: str
    title: str
    starts_at: datetime.datetime  # aware
    ends_at: datetime.datetime  # aware
    where: str  # "line 12" or "entry 3": for messages
    room: str = ""
    track: str = ""
    kind: str = SessionKind.SESSION
    abstract: str = ""
    url: str = ""
    speakers: tuple[ScheduledSpeaker, ...] = ()


@dataclass(frozen=True)
class SkippedEntry:
    """An entry of the file that is deliberately not imported, and why."""

    where: str
    title: str
    reason: str


@dataclass
class Schedule:
    format: str  # "iCalendar" or "pretalx JSON"
    sessions: list[ScheduledSession] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)


def max_bytes() -> int:
    return settings.SCHEDULE_IMPORT_MAX_BYTES


def too_large_message() -> str:
    return _("The file is larger than %(size)s, the most a schedule may be.") % {
        "size": filesizeformat(max_bytes())
    }


def read_schedule(content: bytes, time_zone: ZoneInfo) -> Schedule:
    """The sessions in `content`; times without a zone of their own are read in `time_zone`.

    Raises `ScheduleError` when the file is not a schedule this site reads, or when any
    entry in it is broken: a file is taken whole or not at all.
    """
    if len(content) > max_bytes():
        raise ScheduleError([too_large_message()])
    text = _decode(content)
    start = text.lstrip()
    if start[:15].upper() == "BEGIN:VCALENDAR":
        return _read_icalendar(text, time_zone)
    if start.startswith("{"):
        return _read_pretalx(text, time_zone)
    raise ScheduleError(
        [
            _(
                "This is not a schedule: an iCalendar file starts with BEGIN:VCALENDAR and "
                "a pretalx schedule.json with “{”."
            )
        ]
    )


def _decode(content: bytes) -> str:
    try:
        # utf-8-sig: a byte order mark, which some Windows tools write, is not text.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise ScheduleError(
            [
                _("Line %(line)d: the file is not UTF-8 text (save it as UTF-8 and try again).")
                % {"line": line}
            ]
        ) from None


def kind_from_label(label: str) -> str | None:
    """The kind of session a schedule's category or type names, if it names one."""
    folded = label.casefold()
    if "keynote" in folded:
        return SessionKind.KEYNOTE
    if "lightning" in folded:
        return SessionKind.LIGHTNING_TALK
    if "co-located" in folded or "colocated" in folded:
        return SessionKind.CO_LOCATED
    return None


class _Entry:
    """Collects the problems of one entry, each prefixed with where it is."""

    def __init__(self, where: str, title: str, problems: list[str]):
        self.where = where
        self.title = title
        self.problems = problems
        self.failed = False

    def problem(self, message: str) -> None:
        self.failed = True
        if self.title:
            self.problems.append(
                _("%(where)s (“%(title)s”): %(message)s")
                % {"where": self.where, "title": self.title, "message": message}
            )
        else:
            self.problems.append(
                _("%(where)s: %(message)s") % {"where": self.where, "message": message}
            )

    def text(self, value, label: str, max_length: int, *, required: bool = False) -> str:
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.problem(_("%(field)s is missing.") % {"field": label})
        elif len(value) > max_length:
            self.problem(
                _("%(field)s is longer than %(max)d characters.")
                % {"field": label, "max": max_length}
            )
        return value

    def url(self, value, label: str) -> str:
        value = self.text(value, label, _max_length(Session, "schedule_url"))
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self.problem(
                    _("%(field)s is not a web address: %(value)s")
                    % {
                        "field": label,
                        "value": value,
                    }
                )
                return ""
        return value

    def times(self, starts_at, ends_at) -> tuple[datetime.datetime, datetime.datetime]:
        if ends_at < starts_at:
            self.problem(_("it ends before it starts."))
        return starts_at, ends_at

    def speaker(self, name, affiliation="", code="") -> ScheduledSpeaker:
        return ScheduledSpeaker(
            name=self.text(
                name, _("A speaker's name"), _max_length(Speaker, "name"), required=True
            ),
            affiliation=self.text(
                affiliation, _("A speaker's affiliation"), _max_length(Speaker, "affiliation")
            ),
            code=self.text(code, _("A speaker's code"), _max_length(Speaker, "schedule_code")),
        )


# --- iCalendar ------------------------------------------------------------------------------


def _vevent_lines(text: str) -> list[int]:
    """The line number where each VEVENT begins, in file order.

    icalendar does not say where a component was in the file; VEVENTs are never nested,
    so the n-th BEGIN:VEVENT line is the n-th event the parser returns.
    """
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def _read_icalendar(text: str, time_zone: ZoneInfo) -> Schedule:
    if not re.search(r"^END:VCALENDAR\s*$", text, re.IGNORECASE | re.MULTILINE):
        raise ScheduleError(
            [_("The calendar is cut short: its last line, END:VCALENDAR, is missing.")]
        )
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as error:
        raise ScheduleError(
            [_("This iCalendar file cannot be read: %(error)s") % {"error": error}]
        ) from None
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    lines = _vevent_lines(text)
    if not events or len(lines) != len(events):
        raise ScheduleError([_("The calendar has no events (VEVENT) to import.")])

    schedule = Schedule(format="iCalendar")
    problems: list[str] = []
    for event, line in zip(events, lines, strict=True):
        entry = _Entry(_("Line %(line)d") % {"line": line}, "", problems)
        session = _read_vevent(event, entry, time_zone, schedule)
        if session is not None and not entry.failed:
            schedule.sessions.append(session)
    if problems:
        raise ScheduleError(problems)
    return schedule


def _read_vevent(
    event: icalendar.Event, entry: _Entry, time_zone: ZoneInfo, schedule: Schedule
) -> ScheduledSession | None:
    title = entry.text(
        event.get("SUMMARY"), "SUMMARY", _max_length(Session, "title"), required=True
    )
    entry.title = title
    for name, error in event.errors:
        entry.problem(
            _("%(property)s cannot be read: %(error)s")
            % {"property": name or _("a line"), "error": error}
        )
    if entry.failed:
        return None
    uid = entry.text(event.get("UID"), "UID", _max_length(Session, "schedule_uid"), required=True)
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        schedule.skipped.append(SkippedEntry(entry.where, title, _("cancelled in the schedule")))
        return None
    if "DTSTART" not in event:
        entry.problem(_("%(field)s is missing.") % {"field": "DTSTART"})
        return None
    if not isinstance(event.decoded("DTSTART"), datetime.datetime):
        schedule.skipped.append(
            SkippedEntry(entry.where, title, _("a whole day, not a session with a time"))
        )
        return None
    starts_at = _ics_time(event, "DTSTART", entry, time_zone)
    if "DTEND" in event:
        ends_at = _ics_time(event, "DTEND", entry, time_zone)
    elif "DURATION" in event and starts_at is not None:
        ends_at = starts_at + event.decoded("DURATION")
    else:
        entry.problem(_("it has neither DTEND nor DURATION."))
        return None
    if starts_at is None or ends_at is None:
        return None

    kind, track = SessionKind.SESSION, ""
    categories = event.get("CATEGORIES")
    for calendar_categories in categories if isinstance(categories, list) else [categories]:
        for category in getattr(calendar_categories, "cats", []):
            label = str(category).strip()
            label_kind = kind_from_label(label)
            if label_kind and kind == SessionKind.SESSION:
                kind = label_kind
            elif not label_kind and not track:
                track = entry.text(label, "CATEGORIES", _max_length(Session, "track"))

    attendees = event.get("ATTENDEE") or []
    attendees = attendees if isinstance(attendees, list) else [attendees]
    speakers = tuple(
        entry.speaker(attendee.params.get("CN", ""), attendee.params.get("X-AFFILIATION", ""))
        for attendee in attendees
        # Only named attendees are people on the bill; a bare address says nobody.
        if attendee.params.get("CN")
    )
    starts_at, ends_at = entry.times(starts_at, ends_at)
    return ScheduledSession(
        uid=uid,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        where=entry.where,
        room=entry.text(event.get("LOCATION"), "LOCATION", _max_length(Session, "room")),
        track=track,
        kind=kind,
        abstract=entry.text(event.get("DESCRIPTION"), "DESCRIPTION", MAX_ABSTRACT),
        url=entry.url(event.get("URL"), "URL"),
        speakers=speakers,
    )


def _ics_time(
    event: icalendar.Event, name: str, entry: _Entry, time_zone: ZoneInfo
) -> datetime.datetime | None:
    """An aware datetime, or None after reporting why there is none."""
    value = event.decoded(name)
    if not isinstance(value, datetime.datetime):
        entry.problem(_("%(property)s is a date without a time.") % {"property": name})
        return None
    if value.tzinfo is None:
        zone_name = event[name].params.get("TZID")
        if zone_name:
            # icalendar leaves a time naive when it knows neither the IANA name nor a
            # VTIMEZONE of that name; guessing would shift the session by hours.
            entry.problem(
                _("%(property)s names a time zone this site does not know: %(zone)s")
                % {"property": name, "zone": zone_name}
            )
            return None
        # A "floating" time (no Z, no TZID) is local time at the event.
        value = value.replace(tzinfo=time_zone)
    return value


# --- pretalx / frab JSON ----------------------------------------------------------------------


def _read_pretalx(text: str, time_zone: ZoneInfo) -> Schedule:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScheduleError(
            [
                _("Line %(line)d, column %(column)d: this is not valid JSON (%(error)s).")
                % {"line": error.lineno, "column": error.colno, "error": error.msg}
            ]
        ) from None
    days = _pretalx_days(data)
    schedule = Schedule(format="pretalx JSON")
    problems: list[str] = []
    for where, talk in _pretalx_talks(days, problems):
        entry = _Entry(where, "", problems)
        session = _read_talk(talk, entry, time_zone)
        if session is not None and not entry.failed:
            schedule.sessions.append(session)
    if problems:
        raise ScheduleError(problems)
    if not schedule.sessions:
        raise ScheduleError([_("The schedule has no sessions to import.")])
    return schedule


def _pretalx_days(data) -> list:
    conference = data.get("schedule", {}).get("conference") if isinstance(data, dict) else None
    days = conference.get("days") if isinstance(conference, dict) else None
    if not isinstance(days, list):
        raise ScheduleError(
            [
                _(
                    "This JSON file is not a pretalx or frab schedule: it has no "
                    "schedule → conference → days."
                )
            ]
        )
    return days


def _pretalx_talks(days: list, problems: list[str]) -> Iterator[tuple[str, dict]]:
    for day_index, day in enumerate(days):
        rooms = day.get("rooms") if isinstance(day, dict) else None
        if not isinstance(rooms, dict):
            problems.append(_("days[%(day)d]: it has no rooms.") % {"day": day_index})
            continue
        for room, talks in rooms.items():
            if not isinstance(talks, list):
                problems.append(
                    _("days[%(day)d].rooms[“%(room)s”]: it is not a list of sessions.")
                    % {"day": day_index, "room": room}
                )
                continue
            for talk_index, talk in enumerate(talks):
                where = _("days[%(day)d].rooms[“%(room)s”][%(talk)d]") % {
                    "day": day_index,
                    "room": room,
                    "talk": talk_index,
                }
                if isinstance(talk, dict):
                    yield where, talk
                else:
                    problems.append(_("%(where)s: it is not a session.") % {"where": where})


_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d)$")


def _read_talk(talk: dict, entry: _Entry, time_zone: ZoneInfo) -> ScheduledSession | None:
    entry.title = entry.text(
        talk.get("title"), "title", _max_length(Session, "title"), required=True
    )
    uid = entry.text(
        talk.get("guid") or talk.get("id"),
        "guid",
        _max_length(Session, "schedule_uid"),
        required=True,
    )
    starts_at = None
    if not talk.get("date"):
        entry.problem(_("%(field)s is missing.") % {"field": "date"})
    else:
        try:
            starts_at = datetime.datetime.fromisoformat(str(talk["date"]))
        except ValueError:
            entry.problem(_("date is not a date and time: %(value)s") % {"value": talk["date"]})
    duration = _DURATION.match(str(talk.get("duration", "")))
    if not duration:
        entry.problem(
            _("duration is not hours and minutes such as 00:35: %(value)s")
            % {"value": talk.get("duration", "")}
        )
    persons = talk.get("persons") or []
    if not isinstance(persons, list) or not all(isinstance(p, dict) for p in persons):
        entry.problem(_("persons is not a list of people."))
        persons = []
    speakers = tuple(
        entry.speaker(
            person.get("public_name") or person.get("name"),
            person.get("affiliation") or person.get("organization") or "",
            person.get("code") or "",
        )
        for person in persons
    )
    if starts_at is None or not duration:
        return None
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=time_zone)
    hours, minutes = (int(part) for part in duration.groups())
    ends_at = starts_at + datetime.timedelta(hours=hours, minutes=minutes)
    kind = kind_from_label(str(talk.get("type") or "")) or SessionKind.SESSION
    abstract = "\n\n".join(
        filter(None, (str(talk.get(key) or "").strip() for key in ("abstract", "description")))
    )
    return ScheduledSession(
        uid=uid,
        title=entry.title,
        starts_at=starts_at,
        ends_at=ends_at,
        where=entry.where,
        room=entry.text(talk.get("room"), "room", _max_length(Session, "room")),
        track=entry.text(talk.get("track"), "track", _max_length(Session, "track")),
        kind=kind,
        abstract=entry.text(abstract, "abstract", MAX_ABSTRACT),
        url=entry.url(talk.get("url"), "url"),
        speakers=speakers,
    )
