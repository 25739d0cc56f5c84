"""An event's days and its sessions' times as a reader of each language writes them.

The days: what both days share (the year, the month) is written once. A session's time:
on the clock of the place the event is held, labelled with that place's time zone.

The site's own times (a report's publication) are on the site's clock, `TIME_ZONE`, and
say so too: an editor's browser may be on another.

The patterns are Django date formats, translated like any other text, so that a language
added later brings its own: English "Oct. 24–28, 2022", Japanese "2022年10月24日〜28日".
"""

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import pgettext


@dataclass(frozen=True)
class DateRange:
    starts_on: datetime.date
    ends_on: datetime.date

    @property
    def is_single_day(self) -> bool:
        return self.starts_on == self.ends_on

    @property
    def start_text(self) -> str:
        if self.is_single_day:
            return formats.date_format(self.starts_on, "DATE_FORMAT")
        return format_date(self.starts_on, self._patterns()[0])

    @property
    def end_text(self) -> str:
        """The last day, or nothing when the event has one day."""
        return "" if self.is_single_day else format_date(self.ends_on, self._patterns()[1])

    @property
    def separator(self) -> str:
        return "" if self.is_single_day else self._patterns()[2]

    def __str__(self) -> str:
        return f"{self.start_text}{self.separator}{self.end_text}"

    def _patterns(self) -> tuple[str, str, str]:
        """The first day's format, the last day's, and what stands between them."""
        if self.starts_on.year != self.ends_on.year:
            return (
                pgettext("first day of an event that ends in another year", "N j, Y"),
                pgettext("last day of an event that began in another year", "N j, Y"),
                pgettext("between the days of an event that spans months", " – "),
            )
        if self.starts_on.month != self.ends_on.month:
            return (
                pgettext("first day of an event that ends in another month", "N j"),
                pgettext("last day of an event that began in another month", "N j, Y"),
                pgettext("between the days of an event that spans months", " – "),
            )
        return (
            pgettext("first day of an event within one month", "N j"),
            pgettext("last day of an event within one month", "j, Y"),
            pgettext("between days of an event within one month", "–"),
        )


def zone_label(moment: datetime.datetime) -> str:
    """The zone's abbreviation at an aware moment ("EDT", "JST", "UTC"); else, where the
    time zone database has none and writes a bare offset ("+04"), "UTC+4"."""
    abbreviation = moment.tzname() or ""
    if abbreviation[:1].isalpha():
        return abbreviation
    offset = int(moment.utcoffset().total_seconds()) // 60
    hours, minutes = divmod(abs(offset), 60)
    return f"UTC{'-' if offset < 0 else '+'}{hours}" + (f":{minutes:02}" if minutes else "")


def site_time(moment: datetime.datetime) -> str:
    """A moment on the site's clock, named with its zone: "2026-12-06 10:00 JST"."""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


def site_time_zone() -> str:
    """The site's time zone as typed times are read in it: "Asia/Tokyo (JST)"."""
    return f"{timezone.get_current_timezone_name()} ({zone_label(timezone.localtime())})"


@dataclass(frozen=True)
class ScheduleTime:
    """A time of an event's schedule as the conference had it: on the clock where the event
    is held, named with its zone. A talk in Detroit at 11:55 is shown at 11:55, not at
    Tokyo's 0:55 the next day, and the label says whose 11:55 it is.
    """

    moment: datetime.datetime  # aware, in the event's time zone

    @property
    def zone_label(self) -> str:
        return zone_label(self.moment)

    @property
    def clock(self) -> str:
        """The time of day alone, "11:55": on the coverage board, whose groups give the day."""
        return format_date(self.moment, "H:i")

    @property
    def short(self) -> str:
        """The date and time with the zone, "2022-10-26 11:55 EDT": for a message that sets
        two times side by side."""
        return f"{format_date(self.moment, 'Y-m-d H:i')} {self.zone_label}"

    @property
    def machine(self) -> str:
        """For `<time datetime>` and structured data: ISO 8601 with the event's offset, in
        whole seconds (HTML allows at most three digits of a fraction)."""
        return self.moment.replace(microsecond=0).isoformat()

    def __str__(self) -> str:
        # Not DATETIME_FORMAT: Japanese's runs the day into the hour ("26日11:55").
        when = format_date(self.moment, pgettext("date and time of a session", "N j, Y, P"))
        return pgettext(
            "a session's time on the clock where its event is held, and that time zone",
            "%(time)s %(zone)s (local time)",
        ) % {"time": when, "zone": self.zone_label}
