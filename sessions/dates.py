"""An event's days as a reader of each language writes them: what both days share (the
year, the month) is written once.

The patterns are Django date formats, translated like any other text, so that a language
added later brings its own: English "Oct. 24–28, 2022", Japanese "2022年10月24日〜28日".
"""

import datetime
from dataclasses import dataclass

from django.utils import formats
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
