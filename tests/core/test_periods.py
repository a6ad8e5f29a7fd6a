"""DHIS2 period codes: parsing, arithmetic, nesting, labels and Decree 09 reporting windows."""

import datetime
import itertools
import re

import pytest
from django.utils import translation

from dieuhanh.core.periods import (
    ORDER,
    CutoffRule,
    Period,
    PeriodError,
    PeriodType,
    dhis2_name,
    for_date,
    parse,
    period_type_of,
    periods_between,
    periods_in_year,
    reporting_window,
)

D = datetime.date


@pytest.mark.parametrize(
    ("code", "period_type", "start", "end", "hour"),
    [
        ("2025", PeriodType.YEARLY, D(2025, 1, 1), D(2025, 12, 31), None),
        ("2025S1", PeriodType.SIXMONTHLY, D(2025, 1, 1), D(2025, 6, 30), None),
        ("2025S2", PeriodType.SIXMONTHLY, D(2025, 7, 1), D(2025, 12, 31), None),
        ("2025Q3", PeriodType.QUARTERLY, D(2025, 7, 1), D(2025, 9, 30), None),
        ("202509", PeriodType.MONTHLY, D(2025, 9, 1), D(2025, 9, 30), None),
        ("202402", PeriodType.MONTHLY, D(2024, 2, 1), D(2024, 2, 29), None),
        ("2025W36", PeriodType.WEEKLY, D(2025, 9, 1), D(2025, 9, 7), None),
        ("2025W1", PeriodType.WEEKLY, D(2024, 12, 30), D(2025, 1, 5), None),
        ("2020W53", PeriodType.WEEKLY, D(2020, 12, 28), D(2021, 1, 3), None),
        ("20250915", PeriodType.DAILY, D(2025, 9, 15), D(2025, 9, 15), None),
        ("20240229", PeriodType.DAILY, D(2024, 2, 29), D(2024, 2, 29), None),
        ("2025091514", PeriodType.HOURLY, D(2025, 9, 15), D(2025, 9, 15), 14),
        ("2025123123", PeriodType.HOURLY, D(2025, 12, 31), D(2025, 12, 31), 23),
        ("2025010100", PeriodType.HOURLY, D(2025, 1, 1), D(2025, 1, 1), 0),
    ],
)
def test_codes_parse_into_periods_and_back(code, period_type, start, end, hour):
    period = parse(code)
    assert period == Period(period_type, start, end, hour)
    assert period.code == str(period) == code
    assert period_type_of(code) == period_type
    assert for_date(period_type, start, hour) == period


def test_parse_strips_whitespace_and_reads_zero_padded_weeks():
    assert parse("  2025Q3\n").code == "2025Q3"
    assert parse("2025W01").code == "2025W1"


@pytest.mark.parametrize(
    "code",
    [
        "202513",
        "202500",
        "20250231",
        "20250229",
        "2025W54",
        "2025W53",  # 2025 has 52 ISO weeks
        "2025W0",
        "2025Q5",
        "2025Q0",
        "2025S3",
        "2025091524",
        "0000",
        "",
        "abc",
        "2025q3",
        "2025BiW1",
        "2025-09",
        "\uff12\uff10\uff12\uff15",  # full-width digits
    ],
)
def test_invalid_codes_raise_a_period_error_naming_the_code(code):
    with translation.override("en"), pytest.raises(PeriodError, match="not a valid period code"):
        parse(code)
    with pytest.raises(ValueError, match=re.escape(f"“{code}”")):
        period_type_of(code)


@pytest.mark.parametrize(
    ("code", "following", "preceding"),
    [
        ("2025", "2026", "2024"),
        ("2025S2", "2026S1", "2025S1"),
        ("2025Q4", "2026Q1", "2025Q3"),
        ("202512", "202601", "202511"),
        ("202501", "202502", "202412"),
        ("2020W53", "2021W1", "2020W52"),
        ("2025W1", "2025W2", "2024W52"),
        ("20251231", "20260101", "20251230"),
        ("20240228", "20240229", "20240227"),
        ("2025123123", "2026010100", "2025123122"),
        ("2025010100", "2025010101", "2024123123"),
    ],
)
def test_next_and_previous_cross_year_ends(code, following, preceding):
    period = parse(code)
    assert period.next().code == following
    assert period.previous().code == preceding
    assert period.next().previous() == period


@pytest.mark.parametrize(
    ("code", "n", "expected"),
    [
        ("202511", 14, "202701"),
        ("202502", -14, "202312"),
        ("2025Q1", -5, "2023Q4"),
        ("2025W36", 0, "2025W36"),
        ("2025W50", 10, "2026W8"),
        ("20250115", 365, "20260115"),
        ("2025091514", -15, "2025091423"),
        ("2025091514", 48, "2025091714"),
    ],
)
def test_shift_moves_by_whole_periods(code, n, expected):
    assert parse(code).shift(n).code == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2025", "2024"),
        ("2025S1", "2024S1"),
        ("2025Q3", "2024Q3"),
        ("202509", "202409"),
        ("2025W36", "2024W36"),
        ("2021W52", "2020W52"),
        ("2027W1", "2026W1"),
        ("20250915", "20240915"),
        ("20240229", "20230228"),
        ("2024022913", "2023022813"),
    ],
)
def test_same_period_last_year(code, expected):
    assert parse(code).same_period_last_year().code == expected


def test_week_53_becomes_the_last_week_of_a_52_week_year():
    assert parse("2020W53").same_period_last_year().code == "2019W52"


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("2025", "202509", True),
        ("2025Q3", "202509", True),
        ("2025Q3", "202510", False),
        ("2025S1", "2025Q2", True),
        ("2025S1", "2025Q3", False),
        ("202509", "20250930", True),
        ("202509", "2025093023", True),
        ("20250915", "2025091514", True),
        ("20250915", "2025091614", False),
        ("2025091514", "2025091514", True),
        ("2025091514", "2025091515", False),
        ("202509", "2025W36", True),
        ("202509", "2025W40", False),  # 29/09 to 05/10 straddles two months
        ("2025", "2025W1", False),  # starts on 30/12/2024
        ("202509", "2025", False),
    ],
)
def test_contains_compares_date_intervals(outer, inner, expected):
    assert parse(outer).contains(parse(inner)) is expected


@pytest.mark.parametrize(
    ("code", "period_type", "expected"),
    [
        ("202509", PeriodType.QUARTERLY, "2025Q3"),
        ("202509", PeriodType.SIXMONTHLY, "2025S2"),
        ("202509", PeriodType.YEARLY, "2025"),
        ("202509", PeriodType.MONTHLY, "202509"),
        ("2025Q2", PeriodType.SIXMONTHLY, "2025S1"),
        ("20250915", PeriodType.WEEKLY, "2025W38"),
        ("2025091514", PeriodType.DAILY, "20250915"),
        ("2025091514", PeriodType.MONTHLY, "202509"),
        ("2025W40", PeriodType.MONTHLY, "202510"),  # Thursday 02/10
        ("2025W1", PeriodType.YEARLY, "2025"),  # Thursday 02/01/2025
        ("2020W53", PeriodType.MONTHLY, "202012"),  # Thursday 31/12/2020
        ("2026W1", PeriodType.QUARTERLY, "2026Q1"),  # Monday 29/12/2025, Thursday 01/01/2026
    ],
)
def test_containing_finds_the_coarser_period(code, period_type, expected):
    assert parse(code).containing(period_type).code == expected


def test_containing_refuses_a_finer_type_and_periods_a_coarser_one():
    with pytest.raises(ValueError, match="not inside"):
        parse("202509").containing(PeriodType.DAILY)
    with pytest.raises(ValueError, match="holds no"):
        parse("202509").periods(PeriodType.QUARTERLY)


@pytest.mark.parametrize(
    ("code", "period_type", "expected"),
    [
        ("2025Q3", PeriodType.MONTHLY, ["202507", "202508", "202509"]),
        ("2025", PeriodType.SIXMONTHLY, ["2025S1", "2025S2"]),
        ("2025", PeriodType.QUARTERLY, ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]),
        ("2025S2", PeriodType.QUARTERLY, ["2025Q3", "2025Q4"]),
        ("202509", PeriodType.WEEKLY, ["2025W36", "2025W37", "2025W38", "2025W39"]),
        ("202510", PeriodType.WEEKLY, ["2025W40", "2025W41", "2025W42", "2025W43", "2025W44"]),
        ("202509", PeriodType.MONTHLY, ["202509"]),
        (
            "2025W1",
            PeriodType.DAILY,
            ["20241230", "20241231", "20250101", "20250102", "20250103", "20250104", "20250105"],
        ),
    ],
)
def test_periods_lists_the_finer_periods_inside(code, period_type, expected):
    assert [p.code for p in parse(code).periods(period_type)] == expected


def test_periods_counts_days_and_hours():
    assert len(parse("202402").periods(PeriodType.DAILY)) == 29
    hours = parse("20250915").periods(PeriodType.HOURLY)
    assert [h.hour for h in hours] == list(range(24))
    assert len(parse("2024").periods(PeriodType.HOURLY)) == 366 * 24
    # Every week of an ISO year is in exactly one of its months.
    weeks = [w for m in parse("2020").periods(PeriodType.MONTHLY) for w in m.periods("weekly")]
    assert weeks == periods_in_year(PeriodType.WEEKLY, 2020)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2025Q3", ["2025Q1", "2025Q2", "2025Q3"]),
        ("202503", ["202501", "202502", "202503"]),
        ("2025S1", ["2025S1"]),
        ("2025", ["2025"]),
        ("2025W3", ["2025W1", "2025W2", "2025W3"]),
        ("20250103", ["20250101", "20250102", "20250103"]),
        ("2025010102", ["2025010100", "2025010101", "2025010102"]),
    ],
)
def test_year_to_date(code, expected):
    assert [p.code for p in parse(code).year_to_date()] == expected


def test_year_to_date_of_a_week_uses_the_iso_year():
    weeks = parse("2020W53").year_to_date()
    assert len(weeks) == 53
    assert weeks[0].start == D(2019, 12, 30)
    assert len(parse("20251231").year_to_date()) == 365


@pytest.mark.parametrize(
    ("period_type", "year", "count", "first", "last"),
    [
        (PeriodType.YEARLY, 2025, 1, "2025", "2025"),
        (PeriodType.SIXMONTHLY, 2025, 2, "2025S1", "2025S2"),
        (PeriodType.QUARTERLY, 2025, 4, "2025Q1", "2025Q4"),
        (PeriodType.MONTHLY, 2025, 12, "202501", "202512"),
        (PeriodType.WEEKLY, 2025, 52, "2025W1", "2025W52"),
        (PeriodType.WEEKLY, 2020, 53, "2020W1", "2020W53"),
        (PeriodType.WEEKLY, 2026, 53, "2026W1", "2026W53"),
        (PeriodType.DAILY, 2025, 365, "20250101", "20251231"),
        (PeriodType.DAILY, 2024, 366, "20240101", "20241231"),
    ],
)
def test_periods_in_year(period_type, year, count, first, last):
    found = periods_in_year(period_type, year)
    assert len(found) == count
    assert (found[0].code, found[-1].code) == (first, last)
    assert found == sorted(found)
    assert all(a.next() == b for a, b in itertools.pairwise(found))


def test_periods_in_year_refuses_hours():
    with pytest.raises(ValueError, match="hourly"):
        periods_in_year(PeriodType.HOURLY, 2025)


def test_periods_between_lists_every_overlapping_period():
    found = periods_between(PeriodType.MONTHLY, D(2024, 11, 20), D(2025, 2, 1))
    assert [p.code for p in found] == ["202411", "202412", "202501", "202502"]
    found = periods_between(PeriodType.WEEKLY, D(2025, 1, 1), D(2025, 1, 6))
    assert [p.code for p in found] == ["2025W1", "2025W2"]
    found = periods_between(PeriodType.HOURLY, D(2025, 1, 1), D(2025, 1, 2))
    assert (len(found), found[0].code, found[-1].code) == (48, "2025010100", "2025010223")
    assert periods_between(PeriodType.DAILY, D(2025, 1, 2), D(2025, 1, 1)) == []


def test_periods_between_refuses_more_than_100000_hours():
    start = D(2020, 1, 1)
    last_day_allowed = start + datetime.timedelta(days=100_000 // 24 - 1)
    assert len(periods_between(PeriodType.HOURLY, start, last_day_allowed)) == 4166 * 24
    with pytest.raises(ValueError, match="100000"):
        periods_between(PeriodType.HOURLY, start, last_day_allowed + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("period_type", "day", "hour", "expected"),
    [
        (PeriodType.YEARLY, D(2025, 9, 15), None, "2025"),
        (PeriodType.SIXMONTHLY, D(2025, 6, 30), None, "2025S1"),
        (PeriodType.SIXMONTHLY, D(2025, 7, 1), None, "2025S2"),
        (PeriodType.QUARTERLY, D(2025, 9, 30), None, "2025Q3"),
        (PeriodType.MONTHLY, D(2025, 9, 15), 7, "202509"),  # hour ignored
        (PeriodType.WEEKLY, D(2025, 9, 7), None, "2025W36"),  # Sunday
        (PeriodType.WEEKLY, D(2024, 12, 31), None, "2025W1"),
        (PeriodType.WEEKLY, D(2021, 1, 3), None, "2020W53"),
        (PeriodType.DAILY, D(2025, 9, 15), None, "20250915"),
        (PeriodType.HOURLY, D(2025, 9, 15), 14, "2025091514"),
        (PeriodType.HOURLY, datetime.datetime(2025, 9, 15, 14, 35), None, "2025091514"),
    ],
)
def test_for_date_finds_the_period_containing_a_day(period_type, day, hour, expected):
    assert for_date(period_type, day, hour).code == expected


@pytest.mark.parametrize("hour", [None, -1, 24])
def test_an_hourly_period_needs_a_valid_hour(hour):
    with pytest.raises(ValueError, match="hour"):
        for_date(PeriodType.HOURLY, D(2025, 9, 15), hour)


def test_unknown_period_types_are_refused():
    with pytest.raises(ValueError):
        for_date("fortnightly", D(2025, 9, 15))
    with pytest.raises(ValueError):
        dhis2_name("fortnightly")


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("202509", D(2025, 8, 15), D(2025, 9, 14)),
        ("202501", D(2024, 12, 15), D(2025, 1, 14)),
        ("2025Q3", D(2025, 6, 15), D(2025, 9, 14)),
        ("2025S1", D(2024, 12, 15), D(2025, 6, 14)),
        ("2025", D(2024, 12, 15), D(2025, 12, 14)),
        # No cut-off below a month: the calendar window.
        ("2025W36", D(2025, 9, 1), D(2025, 9, 7)),
        ("20250915", D(2025, 9, 15), D(2025, 9, 15)),
        ("2025091514", D(2025, 9, 15), D(2025, 9, 15)),
    ],
)
def test_decree_09_reporting_windows(code, start, end):
    assert reporting_window(parse(code), CutoffRule.DECREE_09) == (start, end)
    assert reporting_window(parse(code), "decree09") == (start, end)


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("202509", D(2025, 9, 1), D(2025, 9, 30)),
        ("2025Q3", D(2025, 7, 1), D(2025, 9, 30)),
        ("2025S1", D(2025, 1, 1), D(2025, 6, 30)),
        ("2025", D(2025, 1, 1), D(2025, 12, 31)),
        ("2025W1", D(2024, 12, 30), D(2025, 1, 5)),
    ],
)
def test_calendar_reporting_windows(code, start, end):
    assert reporting_window(parse(code), CutoffRule.CALENDAR) == (start, end)


def test_reporting_window_refuses_an_unknown_rule():
    with pytest.raises(ValueError):
        reporting_window(parse("202509"), "fiscal")


@pytest.mark.parametrize(
    ("code", "english", "numbers"),
    [
        ("2025", "Year 2025", ["2025"]),
        ("2025S1", "First half of 2025", ["2025"]),
        ("2025S2", "Second half of 2025", ["2025"]),
        ("2025Q3", "Quarter III/2025", ["III", "2025"]),
        ("202509", "Month 9/2025", ["9", "2025"]),
        ("2025W36", "Week 36/2025", ["36", "2025"]),
        ("2025W1", "Week 1/2025", ["1", "2025"]),  # the ISO year, not 2024
        ("20250915", "15/09/2025", ["15/09/2025"]),
        ("2025091514", "14:00 15/09/2025", ["14:00", "15/09/2025"]),
    ],
)
def test_labels(code, english, numbers):
    period = parse(code)
    with translation.override("en"):
        assert period.label() == english
    assert period.label("en") == english
    # The catalog decides the Vietnamese words; the numbers are the same.
    with translation.override("vi"):
        vietnamese = period.label()
    assert all(number in vietnamese for number in numbers)
    assert period.label("vi") == vietnamese


def test_period_types():
    assert list(ORDER) == [
        PeriodType.HOURLY,
        PeriodType.DAILY,
        PeriodType.WEEKLY,
        PeriodType.MONTHLY,
        PeriodType.QUARTERLY,
        PeriodType.SIXMONTHLY,
        PeriodType.YEARLY,
    ]
    assert sorted(ORDER.values()) == list(range(7))
    assert [dhis2_name(t) for t in ORDER] == [
        "Hourly",
        "Daily",
        "Weekly",
        "Monthly",
        "Quarterly",
        "SixMonthly",
        "Yearly",
    ]
    with translation.override("en"):
        assert PeriodType.SIXMONTHLY.label == "Six-monthly"
    assert parse("202509").type == "monthly"
    assert type(parse("202509").type) is str
