"""Reporting periods and their DHIS2 codes.

A period is identified by its DHIS2 code, which is how it is stored, exchanged and shown in
the API:

============  ==============  =======================================================
type          code            meaning
============  ==============  =======================================================
yearly        ``2025``        the calendar year
six-monthly   ``2025S1``      January to June (``S1``) or July to December (``S2``)
quarterly     ``2025Q3``      July to September
monthly       ``202509``      September
weekly        ``2025W36``     ISO week 36 of ISO year 2025 (Monday to Sunday); the
                              week number is not zero-padded (``2025W1``) and weeks
                              run 1..52 or 1..53
daily         ``20250915``    15 September 2025
hourly        ``2025091514``  14:00 to 14:59 on 15 September 2025 (hour 00..23)
============  ==============  =======================================================

``parse`` reads a code, ``for_date`` finds the period of a type containing a day, and a
``Period`` moves in time (``next``, ``previous``, ``shift``, ``same_period_last_year``) and
between types (``containing``, ``periods``).

Weeks do not nest in months: a week belongs to the month, quarter, half-year and year of
its Thursday (the ISO convention), which is what ``containing`` and ``periods`` use;
``contains`` compares the date intervals only, so a week that straddles two months is
contained in neither.

``reporting_window`` gives the interval a report covers. Under Decree 09/2019/NĐ-CP a
monthly or longer report covers the 15th of the month before the period to the 14th of the
period's last month; shorter periods have no such cut-off and keep their calendar interval.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SIXMONTHLY = "sixmonthly", _("Six-monthly")
    YEARLY = "yearly", _("Yearly")


class CutoffRule(models.TextChoices):
    CALENDAR = "calendar", _("Calendar period")
    DECREE_09 = "decree09", _("15th of the previous month to the 14th (Decree 09/2019)")


class PeriodError(ValueError):
    """A period code that cannot be read."""


# Rank of each type, finest first (the order of ``PeriodType``): a type can contain the
# types of lower rank.
ORDER: dict[str, int] = {period_type.value: rank for rank, period_type in enumerate(PeriodType)}

_DHIS2_NAMES = {
    PeriodType.HOURLY: "Hourly",
    PeriodType.DAILY: "Daily",
    PeriodType.WEEKLY: "Weekly",
    PeriodType.MONTHLY: "Monthly",
    PeriodType.QUARTERLY: "Quarterly",
    PeriodType.SIXMONTHLY: "SixMonthly",
    PeriodType.YEARLY: "Yearly",
}

# Length in months of the types made of whole months, and in days of the others.
_MONTHS = {
    PeriodType.MONTHLY: 1,
    PeriodType.QUARTERLY: 3,
    PeriodType.SIXMONTHLY: 6,
    PeriodType.YEARLY: 12,
}
_DAYS = {PeriodType.HOURLY: 1, PeriodType.DAILY: 1, PeriodType.WEEKLY: 7}

# ``periods_between`` refuses longer lists of hours.
MAX_HOURLY_PERIODS = 100_000

_ROMAN = ("I", "II", "III", "IV")
_THURSDAY = datetime.timedelta(days=3)  # from a week's Monday
_ONE_DAY = datetime.timedelta(days=1)

_YEAR = r"([0-9]{4})"
_CODE_PATTERNS = (
    (PeriodType.HOURLY, re.compile(_YEAR + r"([0-9]{2})([0-9]{2})([0-9]{2})")),
    (PeriodType.DAILY, re.compile(_YEAR + r"([0-9]{2})([0-9]{2})")),
    (PeriodType.WEEKLY, re.compile(_YEAR + r"W([0-9]{1,2})")),
    (PeriodType.MONTHLY, re.compile(_YEAR + r"([0-9]{2})")),
    (PeriodType.QUARTERLY, re.compile(_YEAR + r"Q([0-9])")),
    (PeriodType.SIXMONTHLY, re.compile(_YEAR + r"S([0-9])")),
    (PeriodType.YEARLY, re.compile(_YEAR)),
)


def _check_type(period_type: str) -> str:
    """The plain string value of a period type; ``ValueError`` for an unknown one."""
    return PeriodType(period_type).value


def dhis2_name(period_type: str) -> str:
    """DHIS2's name of a period type (``"SixMonthly"``), as in its ``periodType`` fields."""
    return _DHIS2_NAMES[_check_type(period_type)]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` months after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _weeks_in_iso_year(year: int) -> int:
    return datetime.date(year, 12, 28).isocalendar().week  # 28 December is in the last week


def _year_start(period_type: str, year: int) -> datetime.date:
    """The first day of ``year`` for a type: ISO years for weeks, calendar years otherwise."""
    if period_type == PeriodType.WEEKLY:
        return datetime.date.fromisocalendar(year, 1, 1)
    return datetime.date(year, 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """A period: its type, its first and last day (inclusive) and, for hours, the hour.

    Build periods with ``parse`` or ``for_date``, which compute ``start`` and ``end``; the
    constructor checks the type and the hour only. Periods of one type sort chronologically.
    """

    type: str
    start: datetime.date
    end: datetime.date
    hour: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", _check_type(self.type))
        if self.type == PeriodType.HOURLY:
            if not isinstance(self.hour, int) or not 0 <= self.hour <= 23:
                raise ValueError(f"an hourly period needs an hour from 0 to 23, not {self.hour!r}")
        elif self.hour is not None:
            raise ValueError(f"a {self.type} period has no hour")

    # --- identity ------------------------------------------------------------------------
    @property
    def year(self) -> int:
        """The year the period belongs to: the ISO year for weeks, else the calendar year."""
        if self.type == PeriodType.WEEKLY:
            return self.start.isocalendar().year
        return self.start.year

    @property
    def _number(self) -> int:
        """The period's number within its year (week, month, quarter or half)."""
        if self.type == PeriodType.WEEKLY:
            return self.start.isocalendar().week
        return (self.start.month - 1) // _MONTHS[self.type] + 1

    @functools.cached_property
    def code(self) -> str:
        """The DHIS2 code (see the module's docstring); computed once per period."""
        day = self.start
        match self.type:
            case PeriodType.HOURLY:
                return f"{day.year:04d}{day.month:02d}{day.day:02d}{self.hour:02d}"
            case PeriodType.DAILY:
                return f"{day.year:04d}{day.month:02d}{day.day:02d}"
            case PeriodType.WEEKLY:
                return f"{self.year:04d}W{self._number}"
            case PeriodType.MONTHLY:
                return f"{day.year:04d}{day.month:02d}"
            case PeriodType.QUARTERLY:
                return f"{day.year:04d}Q{self._number}"
            case PeriodType.SIXMONTHLY:
                return f"{day.year:04d}S{self._number}"
            case _:
                return f"{day.year:04d}"

    def __str__(self) -> str:
        return self.code

    def label(self, language: str | None = None) -> str:
        """A short label in ``language``, by default the active language (Vietnamese unless
        a request chose another): ``Tháng 9/2025``, ``Quý III/2025``, ``Tuần 36/2025``."""
        if language is not None:
            with translation.override(language):
                return self.label()
        day = self.start
        values = {"year": self.year}
        match self.type:
            case PeriodType.HOURLY | PeriodType.DAILY:
                date = gettext("%(day)s/%(month)s/%(year)s") % {
                    "day": f"{day.day:02d}",
                    "month": f"{day.month:02d}",
                    "year": day.year,
                }
                if self.type == PeriodType.DAILY:
                    return date
                return gettext("%(hour)s:00 %(date)s") % {"hour": f"{self.hour:02d}", "date": date}
            case PeriodType.WEEKLY:
                return gettext("Week %(week)s/%(year)s") % {**values, "week": self._number}
            case PeriodType.MONTHLY:
                return gettext("Month %(month)s/%(year)s") % {**values, "month": day.month}
            case PeriodType.QUARTERLY:
                quarter = _ROMAN[self._number - 1]
                return gettext("Quarter %(quarter)s/%(year)s") % {**values, "quarter": quarter}
            case PeriodType.SIXMONTHLY:
                if self._number == 1:
                    return gettext("First half of %(year)s") % values
                return gettext("Second half of %(year)s") % values
            case _:
                return gettext("Year %(year)s") % values

    # --- moving in time --------------------------------------------------------------------
    def shift(self, n: int) -> Period:
        """The period ``n`` periods later (earlier for a negative ``n``)."""
        if self.type == PeriodType.HOURLY:
            day, hour = divmod(self.start.toordinal() * 24 + self.hour + n, 24)
            return for_date(self.type, datetime.date.fromordinal(day), hour)
        if self.type in _MONTHS:
            return for_date(self.type, _add_months(self.start, n * _MONTHS[self.type]))
        return for_date(self.type, self.start + n * _DAYS[self.type] * _ONE_DAY)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        """The same period one year earlier: the same ISO week number (week 53 becomes the
        last week, 52, of a 52-week year), the same day (29 February becomes 28 February),
        the same hour."""
        if self.type == PeriodType.WEEKLY:
            year = self.year - 1
            week = min(self._number, _weeks_in_iso_year(year))
            return for_date(self.type, datetime.date.fromisocalendar(year, week, 1))
        if self.type in _MONTHS:
            return self.shift(-12 // _MONTHS[self.type])
        day = self.start
        if (day.month, day.day) == (2, 29):
            day = day.replace(day=28)
        return for_date(self.type, day.replace(year=day.year - 1), self.hour)

    def year_to_date(self) -> list[Period]:
        """The periods of this type from the start of the year (the ISO year for weeks) up
        to and including this one."""
        first = for_date(self.type, _year_start(self.type, self.year), hour=0)
        return _sequence(first, self)

    # --- moving between types --------------------------------------------------------------
    def contains(self, other: Period) -> bool:
        """Whether ``other``'s dates lie within this period's (an hour lies within its day,
        and an hourly period contains only itself)."""
        if self.type == PeriodType.HOURLY:
            return other == self
        return self.start <= other.start and other.end <= self.end

    def containing(self, period_type: str) -> Period:
        """The period of a type as coarse or coarser that this one belongs to: the one
        containing its first day, or for a week its Thursday."""
        period_type = _check_type(period_type)
        if ORDER[period_type] < ORDER[self.type]:
            raise ValueError(f"a {self.type} period is not inside a {period_type} period")
        if period_type == self.type:
            return self
        anchor = self.start + _THURSDAY if self.type == PeriodType.WEEKLY else self.start
        return for_date(period_type, anchor)

    def periods(self, period_type: str) -> list[Period]:
        """The periods of a type as fine or finer that make up this one; weeks are those
        whose Thursday falls in this period."""
        period_type = _check_type(period_type)
        if ORDER[period_type] > ORDER[self.type]:
            raise ValueError(f"a {self.type} period holds no {period_type} periods")
        if period_type == self.type:
            return [self]
        found = periods_between(period_type, self.start, self.end)
        if period_type == PeriodType.WEEKLY:
            found = [week for week in found if self.start <= week.start + _THURSDAY <= self.end]
        return found


def _sequence(first: Period, last: Period) -> list[Period]:
    """``first``, the periods after it, up to and including ``last`` (same type)."""
    result = []
    period = first
    while period <= last:
        result.append(period)
        period = period.next()
    return result


def for_date(period_type: str, day: datetime.date, hour: int | None = None) -> Period:
    """The period of ``period_type`` containing ``day``. ``hour`` is needed for hourly
    periods (a ``datetime`` gives its own) and ignored otherwise."""
    period_type = _check_type(period_type)
    if isinstance(day, datetime.datetime):
        hour = day.hour if hour is None else hour
        day = day.date()
    if period_type == PeriodType.WEEKLY:
        start = day - day.weekday() * _ONE_DAY
    elif period_type in _MONTHS:
        months = _MONTHS[period_type]
        start = datetime.date(day.year, (day.month - 1) // months * months + 1, 1)
    else:
        start = day
    if period_type in _MONTHS:
        end = _add_months(start, _MONTHS[period_type]) - _ONE_DAY
    else:
        end = start + (_DAYS[period_type] - 1) * _ONE_DAY
    return Period(period_type, start, end, hour if period_type == PeriodType.HOURLY else None)


def _from_code_parts(period_type: str, numbers: list[int]) -> Period:
    """The period a code's numbers name; ``ValueError`` when they name none."""
    if period_type == PeriodType.HOURLY:
        year, month, day, hour = numbers
        if not 0 <= hour <= 23:
            raise ValueError("hour out of range")
        return for_date(period_type, datetime.date(year, month, day), hour)
    if period_type == PeriodType.DAILY:
        return for_date(period_type, datetime.date(*numbers))
    if period_type == PeriodType.WEEKLY:
        return for_date(period_type, datetime.date.fromisocalendar(*numbers, 1))
    year, *rest = numbers
    number = rest[0] if rest else 1  # a year is its own first and only period
    months = _MONTHS[period_type]
    if not 1 <= number <= 12 // months:
        raise ValueError("period number out of range")
    return for_date(period_type, datetime.date(year, (number - 1) * months + 1, 1))


def parse(code: str) -> Period:
    """The period a DHIS2 code names, surrounding spaces ignored (``" 2025Q3 "``). A week
    number may be zero-padded (``2025W01``), as DHIS2 accepts. ``PeriodError`` otherwise."""
    text = str(code).strip()
    for period_type, pattern in _CODE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return _from_code_parts(period_type, [int(group) for group in match.groups()])
            except ValueError:
                break
    raise PeriodError(gettext("“%(code)s” is not a valid period code.") % {"code": text})


def period_type_of(code: str) -> str:
    """The type of the period a code names; ``PeriodError`` for an invalid code."""
    return parse(code).type


def periods_between(
    period_type: str, start_date: datetime.date, end_date: datetime.date
) -> list[Period]:
    """The periods of a type that overlap ``start_date``..``end_date`` (inclusive), in
    order; none when the interval is empty. At most 100,000 hourly periods."""
    period_type = _check_type(period_type)
    if end_date < start_date:
        return []
    days = (end_date - start_date).days + 1
    if period_type == PeriodType.HOURLY and days * 24 > MAX_HOURLY_PERIODS:
        raise ValueError(f"{days * 24} hourly periods is more than {MAX_HOURLY_PERIODS}")
    return _sequence(for_date(period_type, start_date, 0), for_date(period_type, end_date, 23))


def periods_in_year(period_type: str, year: int) -> list[Period]:
    """The periods of a type in ``year`` (for weeks, the ISO weeks of ISO year ``year``).
    Hourly periods are refused: a year has too many."""
    period_type = _check_type(period_type)
    if period_type == PeriodType.HOURLY:
        raise ValueError("hourly periods are not listed by year")
    first = for_date(period_type, _year_start(period_type, year))
    return _sequence(first, for_date(period_type, _year_start(period_type, year + 1)).previous())


def reporting_window(period: Period, rule: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day (inclusive) of the data a report for ``period`` covers.

    - ``calendar``: the period itself.
    - ``decree09`` (Decree 09/2019/NĐ-CP, Article 12): for monthly, quarterly, six-monthly
      and yearly periods, the 15th of the month before the period's first month to the
      14th of its last month (``202509``: 15/08/2025 to 14/09/2025; ``2025``:
      15/12/2024 to 14/12/2025). The decree sets no cut-off for daily, weekly or hourly
      reports, which keep the calendar window.
    """
    if CutoffRule(rule) == CutoffRule.DECREE_09 and period.type in _MONTHS:
        return _add_months(period.start, -1).replace(day=15), period.end.replace(day=14)
    return period.start, period.end
