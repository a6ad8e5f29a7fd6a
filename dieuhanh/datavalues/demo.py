"""The demo data set: realistic values for the reference catalog, with known flaws.

``generate()`` yields ``RawValue`` rows for the ingest engine (indicators by code, units and
disaggregation combinations by uid) for every active, non-derived indicator of the catalog,
every unit of the kinds its levels name that existed in the period, and every combination
of its disaggregation:

- monthly, quarterly, six-monthly and yearly series from ``start`` (2016 by default) to
  ``until`` (the end of last month): a national path anchored on published orders of
  magnitude, shared among the units by population-like weights (the 2019 census, with
  sector factors: trade for Bắc Ninh and Thái Nguyên, fishing for the coast, rice for the
  Mekong delta...), a unit's persistent deviation, monthly seasonality (the Tết holiday
  and the weeks before it, harvests, the year-end rush of public investment), the COVID-19
  shocks of 2020 and 2021, and autocorrelated noise;
- the 2025 restructuring: the 63 provinces report until June 2025 and the 34 after (a new
  province's weight is the sum of its predecessors', so totals stay continuous), the
  ministries merged on 1 March 2025 do the same; a unit reports a period when it exists
  on the period's last day, as ``catalog.services.reporters`` says;
- weekly, daily and hourly indicators for a recent window only (104 weeks, 90 days, 14 days
  at size 1); disaster indicators only on the days of storms, which are drawn per week;
- commune values, for the indicators whose levels include communes, for a sample of
  communes (2% of the new communes at size 1, with their predecessors);
- national values of additive indicators are the sum of the units' clean values.

The flaws a quality module must find, described by ``DemoPlan``: about 3% of the reports
(a unit's values for a period) missing, about 5% late (``submissions``: the command dates
the values accordingly), about 0.3% of the values wrong by a factor of ten or of the wrong
sign, and one province whose monthly values are garbage (stuck at the last good value, or
zeros) for six months.

Values depend only on (seed, indicator, unit, period, combination), not on the window:
the noise is drawn from a generator seeded per (indicator, unit, year) with a stable hash
(never Python's salted ``hash()``), so the same seed and size always give the same rows,
and a longer window adds rows without changing the others (except for the broken
province, whose stretch is drawn within the window). Combinations are named by uid, which
the reference catalog does not fix: rows are identical within one installation.

``size`` scales the volume through real units and periods:
the recent windows and the commune sample grow with it; below 1, only a sample of the
provinces (whole groups of a new province and its predecessors) is emitted. With the
reference catalog (no indicator reported by communes) and structure (no facility), the
volume levels off at about 2 million values from size 45 on, when the daily window
reaches back to ``start``.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import functools
import hashlib
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from statistics import NormalDist

from django.utils import timezone

from dieuhanh.catalog.models import (
    LEVEL_UNIT_KINDS,
    Indicator,
    OptionCombination,
    RegimeIndicator,
    ReportingLevel,
    ReportingRegime,
    Status,
    TimeAggregation,
    ValueType,
)
from dieuhanh.core import periods
from dieuhanh.core.periods import PeriodType
from dieuhanh.datavalues.ingest import RawValue
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitKind, Succession

DEFAULT_SEED = 2026
DEFAULT_START = datetime.date(2016, 1, 1)
REFORM_DAY = datetime.date(2025, 7, 1)

MISSING_RATE = 0.03
LATE_RATE = 0.05
OUTLIER_RATE = 0.003
BROKEN_MONTHS = 6

# Recent windows at size 1, and the share of new communes sampled.
DAILY_DAYS = 90
WEEKLY_WEEKS = 104
HOURLY_DAYS = 14
COMMUNE_SHARE = 0.02

# The order in which period types are generated (and loaded).
TYPE_ORDER = (
    PeriodType.YEARLY,
    PeriodType.SIXMONTHLY,
    PeriodType.QUARTERLY,
    PeriodType.MONTHLY,
    PeriodType.WEEKLY,
    PeriodType.DAILY,
    PeriodType.HOURLY,
)
MONTHLY_OR_LONGER = frozenset(TYPE_ORDER[:4])
# Reports of these types can be missing (daily and hourly reports follow events).
REGULAR_TYPES = frozenset(TYPE_ORDER[:5])


# --- the plan of flaws ---------------------------------------------------------------------
@dataclass(frozen=True)
class BrokenUnit:
    """A province whose monthly values are garbage for ``periods``: ``stuck`` repeats the
    values of ``source_period`` (the last good month), ``zeros`` reports 0 everywhere."""

    uid: str
    code: str
    name: str
    mode: str
    periods: tuple[str, ...]
    source_period: str


@dataclass(frozen=True)
class MissingReport:
    """A unit's report for a period that never came: none of ``indicators`` has a value."""

    unit_uid: str
    unit_code: str
    period: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Outlier:
    """A value off by a factor of ten (``x10``, ``div10``) or of the wrong sign (``sign``):
    ``value`` was loaded where ``expected`` was right."""

    indicator: str
    unit_uid: str
    unit_code: str
    period: str
    combination: str  # the combination's code
    expected: str
    value: str
    kind: str


@dataclass(frozen=True)
class Submission:
    """When a unit's report for a period arrived. ``deadline`` is the earliest deadline of
    its indicators and ``last_deadline`` the latest: an on-time report arrived on or
    before ``deadline``, a late one after ``last_deadline``."""

    unit_uid: str
    unit_code: str
    period: str
    period_type: str
    deadline: datetime.date
    last_deadline: datetime.date
    submitted_at: datetime.datetime
    late: bool


@dataclass
class DemoPlan:
    """What a generation produced and which flaws it injected. Complete once every row
    was generated (``complete``)."""

    seed: int
    size: float
    start: datetime.date
    until: datetime.date
    broken: BrokenUnit | None = None
    missing: list[MissingReport] = field(default_factory=list)
    outliers: list[Outlier] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # values per period type
    level_counts: Counter = field(default_factory=Counter)  # values per unit kind
    complete: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def late(self) -> list[Submission]:
        return [s for s in self.submissions if s.late]

    def is_missing(self, unit_uid: str, period: str) -> bool:
        return (unit_uid, period) in self._missing_keys()

    def _missing_keys(self) -> set[tuple[str, str]]:
        return {(m.unit_uid, m.period) for m in self.missing}

    def submissions_for(self, period_type: str) -> list[Submission]:
        return [s for s in self.submissions if s.period_type == period_type]


# --- stable randomness -----------------------------------------------------------------------
def _digest(parts: tuple, size: int) -> int:
    text = "\x1f".join(map(str, parts))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=size).digest(), "big")


def stable_uniform(*parts) -> float:
    """A number in [0, 1) that depends only on ``parts`` (not on Python's salted hash)."""
    return _digest(parts, 8) / 2**64


def stable_rng(*parts) -> random.Random:
    return random.Random(_digest(parts, 16))  # noqa: S311 (demo data, not secrets)


def _poisson(lam: float, u: float) -> int:
    """The Poisson(``lam``) count at quantile ``u`` (one uniform draw per count)."""
    if lam <= 0:
        return 0
    u = min(max(u, 1e-12), 1 - 1e-12)
    if lam > 40:
        return max(0, round(lam + math.sqrt(lam) * NormalDist().inv_cdf(u)))
    k, p = 0, math.exp(-lam)
    cumulative = p
    while u > cumulative and k < 400:
        k += 1
        p *= lam / k
        cumulative += p
    return k


# --- facts used to shape the values ----------------------------------------------------------
# Population in thousands (2019 census, rounded) of the 63 provinces, by their code; used
# only to share national values among provinces.
POPULATION = {
    "01": 8054, "02": 854, "04": 530, "06": 314, "08": 785, "10": 731, "11": 599, "12": 460,
    "14": 1249, "15": 822, "17": 855, "19": 1287, "20": 782, "22": 1321, "24": 1804,
    "25": 1464, "26": 1152, "27": 1369, "30": 1893, "31": 2029, "33": 1253, "34": 1861,
    "35": 853, "36": 1781, "37": 983, "38": 3641, "40": 3328, "42": 1289, "44": 896,
    "45": 633, "46": 1129, "48": 1135, "49": 1496, "51": 1232, "52": 1487, "54": 873,
    "56": 1232, "58": 591, "60": 1231, "62": 541, "64": 1514, "66": 1870, "67": 623,
    "68": 1297, "70": 995, "72": 1170, "74": 2456, "75": 3097, "77": 1149, "79": 8993,
    "80": 1689, "82": 1765, "83": 1289, "84": 1010, "86": 1023, "87": 1600, "89": 1908,
    "91": 1724, "92": 1236, "93": 734, "94": 1200, "95": 907, "96": 1194,
}  # fmt: skip

REGIONS = {
    "mountains": "02 04 06 08 10 11 12 14 15 17 19 20 24 25",
    "delta": "01 22 26 27 30 31 33 34 35 36 37",
    "north_central": "38 40 42 44 45 46",
    "south_central": "48 49 51 52 54 56 58 60",
    "highlands": "62 64 66 67 68",
    "southeast": "70 72 74 75 77 79",
    "mekong": "80 82 83 84 86 87 89 91 92 93 94 95 96",
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes.split()}
COASTAL = set(
    "22 31 34 36 37 38 40 42 44 45 46 48 49 51 52 54 56 58 60 77 79 82 83 84 91 94 95 96".split()  # noqa: SIM905
)


def _regions(*factors: float) -> dict[str, float]:
    """Factors in the order of ``REGIONS``."""
    return dict(zip(REGIONS, factors, strict=True))


# Sector factors multiplying a province's population: (defaults by region, overrides).
SECTORS: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "pop": ({}, {}),
    "econ": (
        _regions(0.55, 0.9, 0.7, 0.85, 0.7, 1.3, 0.8),
        {"79": 2.3, "01": 1.9, "74": 2.0, "75": 1.5, "77": 3.0, "31": 1.8, "22": 2.0,
         "27": 2.4, "48": 1.5, "26": 1.9, "92": 1.2, "19": 1.6},
    ),
    "budget": (
        _regions(0.4, 0.8, 0.6, 0.7, 0.5, 1.2, 0.6),
        {"79": 4.0, "01": 3.5, "74": 2.0, "75": 1.5, "77": 3.5, "31": 2.5, "22": 2.2,
         "27": 1.8, "48": 1.6},
    ),
    "trade": (
        _regions(0.08, 0.5, 0.25, 0.2, 0.1, 1.0, 0.25),
        {"27": 9.0, "19": 7.0, "74": 4.0, "75": 3.0, "79": 2.3, "31": 3.5, "26": 2.5,
         "01": 1.0, "24": 2.8, "30": 1.5, "33": 1.8, "22": 1.2, "80": 1.6, "72": 1.8,
         "77": 1.2, "48": 0.8, "35": 1.3, "70": 1.0, "38": 0.6},
    ),
    "business": (
        _regions(0.25, 0.6, 0.4, 0.5, 0.4, 0.9, 0.4),
        {"79": 3.3, "01": 2.8, "48": 2.0, "74": 1.4, "75": 1.0, "31": 1.3, "22": 1.0,
         "27": 1.2},
    ),
    "formal": (
        _regions(0.35, 0.8, 0.5, 0.6, 0.45, 1.3, 0.5),
        {"79": 2.2, "01": 1.8, "74": 3.0, "75": 2.0, "27": 2.0, "31": 1.4, "19": 1.6,
         "48": 1.5},
    ),
    "invest": (
        _regions(1.2, 0.8, 1.0, 1.0, 1.0, 0.9, 0.9),
        {"01": 1.8, "79": 1.5, "22": 1.6},
    ),
    "capture": ({"coast": 3.0}, {"91": 6.0, "77": 5.0, "60": 5.0, "96": 4.0, "52": 4.0}),
    "aqua": (
        _regions(0.2, 0.8, 0.6, 0.6, 0.2, 0.4, 4.0),
        {"87": 7.0, "89": 7.0, "96": 5.0, "94": 5.0, "95": 5.0, "83": 5.0, "84": 4.0},
    ),
    "rice": (
        _regions(0.5, 1.8, 1.4, 0.9, 0.4, 0.3, 4.0),
        {"91": 7.0, "89": 7.0, "87": 6.5, "80": 4.0, "94": 5.0, "79": 0.05, "01": 0.6,
         "48": 0.1, "92": 3.5},
    ),
    "dengue": (
        _regions(0.15, 0.6, 0.5, 1.6, 1.2, 1.8, 1.5),
        {"79": 2.5, "01": 1.6, "48": 2.0},
    ),
    "traffic": ({"mountains": 0.7, "southeast": 1.3}, {}),
}  # fmt: skip

# Relative levels of rates by region (multipliers of the national rate), and overrides.
RELATIVE: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "poverty": (
        _regions(4.0, 0.4, 1.4, 1.1, 2.5, 0.15, 0.8),
        {"79": 0.02, "01": 0.1, "74": 0.01, "48": 0.05},
    ),
    "forest": (
        _regions(1.35, 0.2, 1.2, 1.1, 1.1, 0.5, 0.12),
        {"22": 1.33, "46": 1.38, "44": 1.65, "49": 1.4, "68": 1.3, "06": 1.75, "08": 1.57,
         "01": 0.15, "79": 0.04, "48": 1.1, "92": 0.01},
    ),
    "unemployment": (
        _regions(0.6, 1.0, 1.1, 1.2, 0.8, 1.3, 1.2),
        {"79": 1.7, "01": 1.0},
    ),
}  # fmt: skip

URBAN_SHARE = {
    "01": 0.49, "79": 0.79, "48": 0.87, "31": 0.46, "92": 0.70, "74": 0.80, "77": 0.42,
    "22": 0.64, "75": 0.42, "27": 0.28, "56": 0.44, "68": 0.38, "46": 0.49,
}  # fmt: skip
URBAN_BY_REGION = {
    "mountains": 0.18,
    "delta": 0.25,
    "north_central": 0.18,
    "south_central": 0.30,
    "highlands": 0.28,
    "southeast": 0.35,
    "mekong": 0.25,
}

# Ministries' relative weights per sector (1 otherwise).
MINISTRY_WEIGHTS = {
    "invest": {
        "BGTVT": 8.0, "BXD": 1.5, "BNNPTNT": 4.0, "BTNMT": 1.0, "BYT": 1.5, "BCA": 2.0,
        "BQP": 3.0, "BKHCN": 0.5, "BVHTTDL": 0.6, "BCT": 0.6, "BTC": 0.8, "BKHDT": 0.5,
        "BLDTBXH": 0.6, "BTTTT": 0.5, "NHNN": 0.3, "VPCP": 0.2, "TTCP": 0.1, "UBDT": 0.5,
        "BHXH": 0.3, "UBQLV": 0.1, "BNV": 0.3, "BNG": 0.4, "BTP": 0.3,
    },
    "complaints": {
        "TTCP": 5.0, "BTNMT": 4.0, "BLDTBXH": 2.0, "BCA": 2.0, "BTC": 1.5, "BXD": 1.5,
        "BNNPTNT": 1.5, "BGTVT": 1.0,
    },
}  # fmt: skip

# Tết Nguyên đán (first day of the lunar year).
TET = {
    2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 10), 2014: (1, 31), 2015: (2, 19),
    2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12),
    2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6),
    2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31),
    2034: (2, 19), 2035: (2, 8),
}  # fmt: skip

# Severity of the COVID-19 shocks per month (1: the worst month).
COVID = {
    (2020, 2): 0.15, (2020, 3): 0.4, (2020, 4): 1.0, (2020, 5): 0.5, (2020, 6): 0.25,
    (2020, 7): 0.15, (2020, 8): 0.25, (2020, 9): 0.15, (2021, 5): 0.15, (2021, 6): 0.25,
    (2021, 7): 0.5, (2021, 8): 1.0, (2021, 9): 0.95, (2021, 10): 0.4, (2021, 11): 0.15,
}  # fmt: skip

# GDP growth (%, year on year) per quarter as published, rounded.
GDP_GROWTH = {
    "2016Q1": 5.48, "2016Q2": 5.78, "2016Q3": 6.56, "2016Q4": 6.68, "2017Q1": 5.15,
    "2017Q2": 6.28, "2017Q3": 7.46, "2017Q4": 7.65, "2018Q1": 7.45, "2018Q2": 6.73,
    "2018Q3": 6.82, "2018Q4": 7.31, "2019Q1": 6.82, "2019Q2": 6.73, "2019Q3": 7.48,
    "2019Q4": 6.97, "2020Q1": 3.68, "2020Q2": 0.39, "2020Q3": 2.69, "2020Q4": 4.48,
    "2021Q1": 4.72, "2021Q2": 6.73, "2021Q3": -6.02, "2021Q4": 5.22, "2022Q1": 5.05,
    "2022Q2": 7.83, "2022Q3": 13.71, "2022Q4": 5.92, "2023Q1": 3.41, "2023Q2": 4.25,
    "2023Q3": 5.47, "2023Q4": 6.72, "2024Q1": 5.87, "2024Q2": 7.09, "2024Q3": 7.40,
    "2024Q4": 7.55, "2025Q1": 6.93, "2025Q2": 7.96, "2025Q3": 8.23,
}  # fmt: skip

# International arrivals (thousands) in the months the borders were closed.
ARRIVALS_COVID = {
    (2020, 1): 2000, (2020, 2): 1100, (2020, 3): 450, (2020, 4): 27, (2020, 5): 14,
    (2020, 6): 12, (2020, 7): 14, (2020, 8): 13, (2020, 9): 14, (2020, 10): 15,
    (2020, 11): 16, (2020, 12): 17, (2021, 1): 14, (2021, 2): 10, (2021, 3): 12,
    (2021, 4): 13, (2021, 5): 13, (2021, 6): 13, (2021, 7): 11, (2021, 8): 9, (2021, 9): 10,
    (2021, 10): 13, (2021, 11): 15, (2021, 12): 20, (2022, 1): 20, (2022, 2): 18,
    (2022, 3): 80, (2022, 4): 100, (2022, 5): 172, (2022, 6): 236, (2022, 7): 353,
    (2022, 8): 382, (2022, 9): 347, (2022, 10): 431, (2022, 11): 460, (2022, 12): 600,
}  # fmt: skip

# Central exchange rate (VND per USD) on 1 January.
USD_VND = {
    2016: 21890, 2017: 22159, 2018: 22425, 2019: 22825, 2020: 23155, 2021: 23131,
    2022: 23145, 2023: 23612, 2024: 23904, 2025: 24338, 2026: 25120, 2027: 25400,
}  # fmt: skip

# Mean daily rainfall (mm) per month by climate zone.
RAIN = {
    "north": (0.6, 0.9, 1.5, 3.0, 6.0, 8.0, 9.0, 10.0, 7.0, 4.0, 1.5, 0.6),
    "central": (3.0, 1.5, 1.0, 1.5, 3.0, 2.5, 2.5, 4.0, 10.0, 20.0, 15.0, 7.0),
    "highlands": (0.3, 0.3, 1.0, 3.5, 7.0, 8.0, 9.0, 10.0, 10.0, 6.0, 2.0, 0.7),
    "south": (0.3, 0.1, 0.3, 1.5, 6.0, 8.0, 8.0, 8.0, 9.0, 9.0, 4.0, 1.5),
}
CLIMATE = {
    "mountains": "north",
    "delta": "north",
    "north_central": "central",
    "south_central": "central",
    "highlands": "highlands",
    "southeast": "south",
    "mekong": "south",
}
# Where storms strike per month (weights of the climate zones).
STORM_ZONES = {
    6: {"north": 2, "central": 1},
    7: {"north": 3, "central": 1},
    8: {"north": 3, "central": 2, "highlands": 1},
    9: {"north": 2, "central": 4, "highlands": 1},
    10: {"central": 5, "highlands": 1, "south": 1},
    11: {"central": 4, "south": 2},
    12: {"central": 2, "south": 1},
}


# --- indicator profiles ----------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    """How an indicator's values are made.

    ``flow``: an amount per period (annual national totals in ``anchors``, interpolated
    geometrically) shared among units by ``sector`` weights; ``stock``: a level shared the
    same way (not divided among periods); ``level``: a rate or index path (``anchors``,
    interpolated linearly) plus unit offsets; and special models for a few indicators.
    """

    model: str
    anchors: dict[int, float] = field(default_factory=dict)
    growth: float = 0.05
    season: tuple[float, ...] | None = None  # flows: multipliers; levels: additions
    tet: float = 0.0  # flows: share lost when the whole holiday falls in a month
    pre_tet: float = 0.0  # flows: extra share in the weeks before Tết
    tet_add: tuple[float, float] = (0.0, 0.0)  # levels: added (pre-Tết weeks, holiday)
    tet_yoy: float = 0.0  # year-on-year levels: points per holiday shifted between months
    covid: float = 0.0  # flows: share lost in the worst month; levels: points added
    noise: float = 0.05  # sd of the AR(1) noise: log for flows and stocks, points for levels
    rho: float = 0.5
    spread: float = 0.15  # sd of a unit's persistent deviation (log, or points for levels)
    sector: str = "pop"
    relative: str | None = None  # levels: RELATIVE table of unit multipliers
    province_share: float = 0.7  # when ministries report too: the provinces' share
    combos: dict[str, dict] = field(default_factory=dict)
    combo_shares: str | None = None  # "urban" or "urban_sex"
    bounds: tuple[float | None, float | None] = (None, None)
    poisson: bool = False
    zero_chance: float = 0.0  # flows: chance that a small unit has nothing in a period
    table: dict[str, float] | None = None  # levels: published values per period code
    base: str | None = None  # couple / avg_ytd: the indicator the values derive from
    ratio: tuple[float, float] = (1.0, 1.0)
    overrides: dict[tuple[int, int], float] | None = None  # flows: national monthly values


TRADE_SEASON = (1.0, 0.95, 1.05, 1.0, 1.0, 1.0, 1.02, 1.05, 1.02, 1.03, 1.02, 1.08)
FLAT = (1.0,) * 12

PROFILES: dict[str, Profile] = {
    # --- general economy
    "GDP_GROWTH": Profile("level", anchors={2016: 6.2, 2026: 7.5}, table=GDP_GROWTH,
                          noise=0.6, rho=0.3, spread=0.0),
    "GDP_CURRENT": Profile(
        "flow",
        anchors={2016: 5639000, 2017: 6293000, 2018: 7009000, 2019: 7707000, 2020: 8044000,
                 2021: 8487000, 2022: 9548000, 2023: 10221000, 2024: 11511000,
                 2025: 12800000, 2026: 14000000},
        growth=0.1,
        season=(0.85, 0.85, 0.9, 0.97, 0.98, 1.0, 1.0, 1.02, 1.03, 1.08, 1.1, 1.22),
        covid=0.08, noise=0.01, rho=0.5, sector="econ"),
    "GRDP_GROWTH": Profile("level", anchors={2016: 6.2, 2026: 7.5}, table=GDP_GROWTH,
                           noise=1.2, rho=0.4, spread=1.5),
    "GRDP_CURRENT": Profile(
        "flow",
        anchors={2016: 5190000, 2020: 7400000, 2022: 8780000, 2024: 10590000, 2025: 11780000,
                 2026: 12880000},
        growth=0.1,
        season=(0.85, 0.85, 0.9, 0.97, 0.98, 1.0, 1.0, 1.02, 1.03, 1.08, 1.1, 1.22),
        covid=0.08, noise=0.02, rho=0.5, spread=0.05, sector="econ"),
    "CPI_YOY": Profile(
        "level",
        anchors={2016: 102.66, 2017: 103.53, 2018: 103.54, 2019: 102.79, 2020: 103.23,
                 2021: 101.84, 2022: 103.15, 2023: 103.25, 2024: 103.63, 2025: 103.3,
                 2026: 103.4},
        noise=0.4, rho=0.85, spread=0.4, bounds=(90, 120)),
    "CPI_MOM": Profile("level", anchors={2016: 100.22, 2021: 100.15, 2026: 100.27},
                       tet_add=(0.9, 0.4), noise=0.25, rho=0.1, spread=0.08,
                       bounds=(95, 105)),
    "CPI_AVG_YTD": Profile("avg_ytd", base="CPI_YOY"),
    "CORE_INFLATION": Profile(
        "level",
        anchors={2016: 1.83, 2017: 1.41, 2018: 1.48, 2019: 1.96, 2020: 2.31, 2021: 0.81,
                 2022: 2.59, 2023: 4.16, 2024: 2.71, 2025: 3.2, 2026: 3.0},
        noise=0.2, rho=0.85, spread=0.0),
    "BUDGET_REVENUE": Profile(
        "flow",
        anchors={2016: 1107000, 2017: 1293000, 2018: 1424000, 2019: 1553000, 2020: 1510000,
                 2021: 1614000, 2022: 1803000, 2023: 1752000, 2024: 2025000, 2025: 2300000,
                 2026: 2400000},
        season=(1.25, 0.8, 1.0, 1.15, 0.95, 0.95, 1.05, 0.9, 0.95, 1.05, 0.95, 1.05),
        tet=0.1, covid=0.1, noise=0.08, rho=0.2, sector="budget"),
    # the budget estimates the National Assembly approved (total state budget revenue)
    "BUDGET_REVENUE_ESTIMATE": Profile(
        "flow",
        anchors={2016: 1014500, 2017: 1212180, 2018: 1319200, 2019: 1411300, 2020: 1512300,
                 2021: 1343330, 2022: 1411676, 2023: 1620744, 2024: 1700988, 2025: 1966839,
                 2026: 2224000},
        noise=0.01, rho=0.0, spread=0.08, sector="budget"),
    "BUDGET_EXPENDITURE": Profile(
        "flow",
        anchors={2016: 1340000, 2018: 1440000, 2020: 1680000, 2022: 1710000, 2024: 1950000,
                 2026: 2200000},
        season=(0.85, 0.8, 0.9, 0.95, 0.95, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.7),
        tet=0.15, noise=0.07, rho=0.2, sector="invest"),
    "PUBLIC_INVEST_DISBURSED": Profile(
        "flow",
        anchors={2016: 260000, 2017: 290000, 2018: 330000, 2019: 360000, 2020: 466000,
                 2021: 400000, 2022: 500000, 2023: 580000, 2024: 600000, 2025: 755000,
                 2026: 800000},
        season=(0.4, 0.4, 0.6, 0.7, 0.8, 1.0, 0.9, 1.0, 1.1, 1.1, 1.3, 2.7),
        tet=0.2, noise=0.15, rho=0.3, spread=0.25, sector="invest"),
    "PUBLIC_INVEST_PLAN": Profile(
        "flow",
        anchors={2016: 290000, 2017: 330000, 2018: 370000, 2019: 400000, 2020: 520000,
                 2021: 460000, 2022: 580000, 2023: 710000, 2024: 660000, 2025: 825000,
                 2026: 900000},
        noise=0.05, spread=0.25, sector="invest"),
    "SOCIAL_INVESTMENT": Profile(
        "flow", anchors={2016: 1485000, 2019: 2046000, 2020: 2164000, 2022: 3220000,
                         2024: 3692000, 2026: 4400000},
        season=(0.85, 0.85, 0.9, 0.95, 1.0, 1.0, 1.0, 1.02, 1.05, 1.05, 1.1, 1.25),
        covid=0.1, noise=0.04, rho=0.5, spread=0.1, sector="econ"),
    "CREDIT_GROWTH": Profile(
        "ytd",
        anchors={2016: 18.25, 2017: 18.17, 2018: 13.3, 2019: 13.65, 2020: 12.17, 2021: 13.61,
                 2022: 14.5, 2023: 13.71, 2024: 15.08, 2025: 17.0, 2026: 15.0},
        noise=0.35, rho=0.6),
    "USD_VND_CENTRAL": Profile("fx", anchors=USD_VND, noise=12.0, rho=0.97),
    "EXPORTS": Profile(
        "flow",
        anchors={2016: 176600, 2017: 214000, 2018: 243500, 2019: 264200, 2020: 282600,
                 2021: 336300, 2022: 371300, 2023: 355500, 2024: 405500, 2025: 470000,
                 2026: 510000},
        growth=0.08, season=TRADE_SEASON, tet=0.3, covid=0.15, noise=0.06, rho=0.4,
        spread=0.2, sector="trade"),
    "IMPORTS": Profile(
        "flow",
        anchors={2016: 174800, 2017: 211100, 2018: 236700, 2019: 253500, 2020: 262700,
                 2021: 332200, 2022: 360700, 2023: 327500, 2024: 380800, 2025: 450000,
                 2026: 490000},
        growth=0.08, season=TRADE_SEASON, tet=0.3, covid=0.15, noise=0.07, rho=0.4,
        spread=0.2, sector="trade"),
    "FDI_REGISTERED": Profile(
        "flow",
        anchors={2016: 24400, 2017: 35900, 2018: 35500, 2019: 38000, 2020: 28500,
                 2021: 31150, 2022: 27720, 2023: 36610, 2024: 38230, 2025: 38400, 2026: 40000},
        season=(0.8, 0.7, 1.0, 1.0, 1.0, 1.05, 0.95, 1.0, 1.0, 1.0, 1.1, 1.4),
        tet=0.3, noise=0.45, rho=0.0, spread=0.3, sector="trade", zero_chance=0.6,
        combos={"NEW": {"share": 0.55}, "ADDITIONAL": {"share": 0.27},
                "CONTRIBUTED": {"share": 0.18}}),
    "FDI_DISBURSED": Profile(
        "flow",
        anchors={2016: 15800, 2017: 17500, 2018: 19100, 2019: 20380, 2020: 19980,
                 2021: 19740, 2022: 22400, 2023: 23180, 2024: 25350, 2025: 27000, 2026: 28000},
        season=(0.9, 0.85, 0.95, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.4),
        tet=0.25, covid=0.1, noise=0.04, rho=0.5),
    "IIP_YOY": Profile(
        "level",
        anchors={2016: 107.5, 2017: 109.4, 2018: 110.2, 2019: 109.1, 2020: 103.4,
                 2021: 104.8, 2022: 107.8, 2023: 101.5, 2024: 108.4, 2025: 109.2, 2026: 109.0},
        tet_yoy=20.0, covid=-8.0, noise=2.0, rho=0.5, spread=3.0, bounds=(60, 160)),
    "ELECTRICITY_OUTPUT": Profile(
        "flow",
        anchors={2016: 177000, 2018: 212900, 2020: 247100, 2022: 260500, 2024: 309000,
                 2026: 345000},
        season=(0.95, 0.88, 1.0, 1.03, 1.1, 1.1, 1.1, 1.05, 1.0, 0.98, 0.95, 0.96),
        tet=0.12, covid=0.08, noise=0.02, rho=0.5),
    "RETAIL_SALES": Profile(
        "flow",
        anchors={2016: 3527000, 2017: 3934000, 2018: 4396000, 2019: 4940000, 2020: 5060000,
                 2021: 4789000, 2022: 5680000, 2023: 6231000, 2024: 6391000, 2025: 7000000,
                 2026: 7600000},
        growth=0.08, season=(1.0, 0.98, 0.97, 0.98, 1.0, 1.0, 1.0, 1.0, 0.98, 1.0, 1.02, 1.08),
        tet=0.1, pre_tet=0.18, covid=0.25, noise=0.02, rho=0.6, spread=0.12, sector="econ"),
    "INTL_ARRIVALS": Profile(
        "flow",
        anchors={2016: 10013, 2017: 12922, 2018: 15498, 2019: 18008, 2023: 12600,
                 2024: 17584, 2025: 21000, 2026: 23000},
        growth=0.07,
        season=(1.15, 1.1, 1.05, 0.95, 0.85, 0.85, 0.95, 0.95, 0.85, 0.95, 1.05, 1.3),
        noise=0.04, rho=0.5, overrides=ARRIVALS_COVID),
    "RICE_OUTPUT": Profile(
        "flow", anchors={2016: 43100, 2018: 44000, 2020: 42800, 2022: 42700, 2024: 43500,
                         2026: 43600},
        growth=0.0, noise=0.05, rho=0.2, spread=0.1, sector="rice",
        combos={
            "WINTER_SPRING": {"share": {"north": 0.5, "central": 0.45, "highlands": 0.35,
                                        "south": 0.47}},
            "SUMMER_AUTUMN": {"share": {"north": 0.0, "central": 0.35, "highlands": 0.25,
                                        "south": 0.4}},
            "MAIN": {"share": {"north": 0.5, "central": 0.2, "highlands": 0.4,
                               "south": 0.13}},
        }),
    "FISHERY_OUTPUT": Profile(
        "flow", anchors={2016: 6870, 2018: 7770, 2020: 8420, 2022: 9070, 2024: 9610,
                         2026: 10100},
        growth=0.035, tet=0.25, noise=0.05, rho=0.5, spread=0.15,
        combos={
            "CAPTURE": {"share": 0.46, "sector": "capture",
                        "season": (0.8, 0.8, 1.05, 1.1, 1.15, 1.15, 1.15, 1.1, 1.0, 0.95, 0.9,
                                   0.85)},
            "AQUACULTURE": {"share": 0.54, "sector": "aqua",
                            "season": (0.65, 0.6, 0.75, 0.85, 0.95, 1.1, 1.15, 1.2, 1.2,
                                       1.25, 1.2, 1.1)},
        }),
    "FOREST_COVER": Profile(
        "level",
        anchors={2016: 41.19, 2017: 41.45, 2018: 41.65, 2019: 41.89, 2020: 42.01, 2021: 42.02,
                 2024: 42.03, 2026: 42.05},
        noise=0.05, rho=0.9, spread=0.08, relative="forest", bounds=(0, 95)),
    "FREIGHT_VOLUME": Profile(
        "flow",
        anchors={2016: 1255000, 2019: 1684000, 2020: 1621000, 2021: 1496000, 2022: 2018000,
                 2023: 2206000, 2024: 2494000, 2025: 2750000, 2026: 2950000},
        growth=0.08, season=TRADE_SEASON, tet=0.2, covid=0.2, noise=0.03, rho=0.5),
    "PASSENGER_VOLUME": Profile(
        "flow",
        anchors={2016: 3800, 2019: 5000, 2020: 3640, 2021: 2285, 2022: 4100, 2023: 4665,
                 2024: 5022, 2025: 5300, 2026: 5500},
        growth=0.05, season=(1.1, 1.05, 0.95, 0.97, 1.0, 1.05, 1.1, 1.05, 0.95, 0.95, 0.93, 1.0),
        pre_tet=0.15, covid=0.45, noise=0.03, rho=0.5),
    # --- enterprises
    "NEW_ENTERPRISES": Profile(
        "flow",
        anchors={2016: 110100, 2017: 126900, 2018: 131300, 2019: 138100, 2020: 134900,
                 2021: 116800, 2022: 148500, 2023: 159800, 2024: 157200, 2025: 185000,
                 2026: 195000},
        season=(1.0, 0.9, 1.15, 1.05, 1.0, 1.0, 1.05, 1.0, 0.95, 1.0, 0.95, 1.0),
        tet=0.5, covid=0.4, noise=0.08, rho=0.3, spread=0.15, sector="business"),
    "NEW_ENTERPRISE_CAPITAL": Profile(
        "flow",
        anchors={2016: 891000, 2017: 1295900, 2018: 1478100, 2019: 1730200, 2020: 2235600,
                 2021: 1611100, 2022: 1590000, 2023: 1512000, 2024: 1540000, 2025: 1700000,
                 2026: 1800000},
        tet=0.45, covid=0.4, noise=0.25, rho=0.1, spread=0.3, sector="business"),
    "ENTERPRISES_RESUMED": Profile(
        "flow",
        anchors={2016: 26700, 2017: 26400, 2018: 34000, 2019: 39400, 2020: 44100,
                 2021: 43100, 2022: 59800, 2023: 57700, 2024: 76200, 2025: 90000, 2026: 95000},
        season=(1.2, 1.9, 1.2, 0.9, 0.85, 0.85, 0.85, 0.8, 0.8, 0.85, 0.85, 0.9),
        covid=0.2, noise=0.08, rho=0.3, spread=0.15, sector="business"),
    "ENTERPRISES_EXITED": Profile(
        "flow",
        anchors={2016: 60700, 2017: 60600, 2018: 90700, 2019: 100000, 2020: 101700,
                 2021: 119800, 2022: 143200, 2023: 172600, 2024: 197900, 2025: 200000,
                 2026: 200000},
        season=(1.5, 1.1, 0.9, 0.9, 0.85, 0.85, 0.9, 0.85, 0.85, 0.9, 0.9, 1.1),
        pre_tet=1.0, noise=0.08, rho=0.3, spread=0.15, sector="business",
        combos={"SUSPENDED": {"share": 0.45}, "AWAITING_DISSOLUTION": {"share": 0.38},
                "DISSOLVED": {"share": 0.17}}),
    "NEW_COOPERATIVES": Profile(
        "flow", anchors={2016: 2400, 2018: 2900, 2020: 3200, 2022: 4000, 2024: 5000,
                         2026: 5400},
        season=(0.8, 0.7, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.3),
        noise=0.15, rho=0.2, spread=0.3, sector="rice"),
    "SOE_REVENUE": Profile(
        "flow", anchors={2016: 1300000, 2019: 1420000, 2020: 1300000, 2022: 1650000,
                         2024: 1800000, 2026: 1900000},
        season=(0.85, 0.85, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.2),
        covid=0.1, noise=0.03, rho=0.5),
    # --- society
    "UNEMPLOYMENT_RATE": Profile(
        "level",
        anchors={2016: 2.3, 2017: 2.24, 2018: 2.2, 2019: 2.17, 2020: 2.48, 2021: 3.1,
                 2022: 2.32, 2023: 2.28, 2024: 2.24, 2025: 2.22, 2026: 2.2},
        covid=1.0, noise=0.12, rho=0.5, spread=0.15, relative="unemployment", bounds=(0, 30),
        combos={"URBAN": {"level": 1.35}, "RURAL": {"level": 0.8}}),
    "LABOUR_FORCE": Profile(
        "stock",
        anchors={2016: 54400, 2018: 55400, 2019: 55800, 2020: 54800, 2021: 50600,
                 2022: 51700, 2023: 52400, 2024: 52900, 2025: 53300, 2026: 53600},
        growth=0.005, covid=0.06, noise=0.004, rho=0.7, spread=0.05, combo_shares="urban"),
    "POVERTY_RATE": Profile(
        "level",
        anchors={2016: 8.23, 2017: 6.7, 2018: 5.35, 2019: 3.75, 2020: 2.75, 2021: 2.23,
                 2022: 4.03, 2023: 3.4, 2024: 2.3, 2025: 1.9, 2026: 1.5},
        noise=0.1, rho=0.7, spread=0.2, relative="poverty", bounds=(0, 80)),
    "HEALTH_INSURANCE_COVERAGE": Profile(
        "level",
        anchors={2016: 81.9, 2017: 86.4, 2018: 88.5, 2019: 90.0, 2020: 90.85, 2021: 91.01,
                 2022: 92.04, 2023: 93.35, 2024: 94.29, 2025: 95.0, 2026: 95.5},
        noise=0.3, rho=0.7, spread=2.5, bounds=(50, 99.9)),
    "SOCIAL_INSURANCE_PARTICIPANTS": Profile(
        "stock",
        anchors={2016: 12900, 2017: 13800, 2018: 14660, 2019: 15120, 2020: 16180,
                 2021: 16500, 2022: 17500, 2023: 17900, 2024: 19500, 2025: 20500,
                 2026: 21300},
        covid=0.03, noise=0.003, rho=0.9, spread=0.05, sector="formal"),
    "POPULATION_AVG": Profile(
        "stock",
        anchors={2016: 93250, 2018: 94670, 2019: 96480, 2020: 97580, 2022: 99470,
                 2024: 101300, 2026: 102900},
        growth=0.009, noise=0.001, rho=0.9, spread=0.0, combo_shares="urban_sex"),
    "DENGUE_CASES": Profile(
        "flow",
        anchors={2016: 106000, 2017: 183000, 2018: 127000, 2019: 320000, 2020: 133000,
                 2021: 70000, 2022: 367000, 2023: 172000, 2024: 150000, 2025: 140000,
                 2026: 130000},
        growth=0.0, season=(0.5, 0.3, 0.25, 0.25, 0.4, 0.7, 1.1, 1.6, 1.9, 1.9, 1.4, 0.8),
        noise=0.25, rho=0.8, spread=0.3, sector="dengue", poisson=True),
    "TRAFFIC_ACCIDENTS": Profile(
        "flow",
        anchors={2016: 21600, 2018: 18700, 2020: 14500, 2022: 11450, 2024: 12500,
                 2025: 10000, 2026: 9800},
        growth=-0.02, season=(1.05, 1.0, 1.0, 0.95, 1.0, 0.95, 0.95, 1.0, 0.95, 1.0, 1.0, 1.1),
        pre_tet=0.2, tet=-0.15, covid=0.3, noise=0.08, rho=0.3, spread=0.15, sector="traffic",
        poisson=True),
    "TRAFFIC_DEATHS": Profile(
        "flow",
        anchors={2016: 8685, 2017: 8279, 2018: 8248, 2019: 7624, 2020: 6700, 2021: 5799,
                 2022: 6397, 2023: 6000, 2024: 5800, 2025: 5200, 2026: 5000},
        growth=-0.02, season=(1.05, 1.0, 1.0, 0.95, 1.0, 0.95, 0.95, 1.0, 0.95, 1.0, 1.0, 1.1),
        pre_tet=0.2, tet=-0.15, covid=0.3, noise=0.08, rho=0.3, spread=0.15, sector="traffic",
        poisson=True),
    "FIRE_INCIDENTS": Profile(
        "flow", anchors={2016: 3600, 2020: 3800, 2024: 4100, 2026: 4000}, growth=0.0,
        season=(1.1, 1.1, 1.3, 1.3, 1.2, 0.9, 0.8, 0.8, 0.8, 0.9, 0.9, 1.0),
        tet=-0.2, noise=0.1, rho=0.2, spread=0.2, sector="econ", poisson=True),
    # --- administration
    "ONLINE_PUBLIC_SERVICE_RATE": Profile(
        "level",
        anchors={2016: 3, 2017: 5, 2018: 8, 2019: 12, 2020: 20, 2021: 30, 2022: 40, 2023: 45,
                 2024: 50, 2025: 60, 2026: 68},
        noise=1.5, rho=0.7, spread=8.0, bounds=(0, 100)),
    "ADMIN_FILES_ON_TIME": Profile(
        "level", anchors={2016: 93.0, 2018: 94.5, 2020: 96.0, 2022: 97.2, 2025: 98.5,
                          2026: 98.8},
        noise=0.5, rho=0.6, spread=1.2, bounds=(0, 100)),
    "COMPLAINTS_RECEIVED": Profile(
        "flow", anchors={2016: 100000, 2020: 92000, 2024: 84000, 2026: 80000}, growth=-0.02,
        season=(0.95, 0.75, 1.05, 1.05, 1.05, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.05),
        tet=0.2, noise=0.08, rho=0.4, spread=0.25, province_share=0.9, sector="complaints",
        poisson=True),
    "COMPLAINTS_RESOLVED": Profile("couple", base="COMPLAINTS_RECEIVED", ratio=(0.72, 0.95)),
    # --- emergencies
    "DISASTER_DEATHS_MISSING": Profile("disaster"),
    "DISASTER_DAMAGE": Profile("disaster"),
    "EVACUATED_PERSONS": Profile("disaster"),
    "HOUSES_DAMAGED": Profile("disaster"),
    "RAINFALL_24H": Profile("rain"),
    "RESERVOIR_LEVEL": Profile("level", anchors={2016: 100.0}, noise=0.3, rho=0.995,
                               spread=40.0, bounds=(0, None)),
    "EPIDEMIC_NEW_CASES": Profile(
        "flow", growth=0.0, noise=0.3, rho=0.9, spread=0.3, poisson=True, sector="dengue",
        combos={
            "COVID19": {"anchors": {2016: 0.5, 2019: 0.5, 2020: 1465, 2021: 1730000,
                                    2022: 9800000, 2023: 100000, 2024: 20000, 2025: 15000,
                                    2026: 12000}},
            "MEASLES": {"anchors": {2016: 2000, 2018: 3000, 2019: 40000, 2020: 4000,
                                    2022: 500, 2024: 15000, 2025: 40000, 2026: 10000}},
            "HFMD": {"anchors": {2016: 60000, 2018: 100000, 2020: 50000, 2022: 120000,
                                 2024: 80000, 2026: 90000},
                     "season": (0.7, 0.5, 0.8, 1.0, 1.1, 0.9, 0.8, 0.9, 1.3, 1.5, 1.4, 1.1)},
            "INFLUENZA_A": {"anchors": {2016: 3}},
            "DIPHTHERIA": {"anchors": {2016: 60, 2020: 250, 2024: 80}},
            "CHOLERA": {"anchors": {2016: 1}},
        }),
}  # fmt: skip


def fallback_profile(value_type: str, aggregation: str, time_aggregation: str) -> Profile:
    """A sensible profile for an indicator the demo does not know."""
    if value_type == ValueType.PERCENT:
        return Profile("level", anchors={2016: 50.0}, noise=2.0, rho=0.6, spread=10.0,
                       bounds=(0, 100))  # fmt: skip
    if value_type == ValueType.INDEX:
        return Profile("level", anchors={2016: 103.0}, noise=1.0, rho=0.5, spread=1.0)
    if value_type == ValueType.BOOLEAN:
        return Profile("bool")
    if value_type == ValueType.TEXT:
        return Profile("skip")
    if aggregation == "sum":
        model = "flow" if time_aggregation == TimeAggregation.SUM else "stock"
        return Profile(model, anchors={2016: 100000.0}, noise=0.08, rho=0.5, spread=0.2,
                       poisson=value_type == ValueType.INTEGER)  # fmt: skip
    return Profile("level", anchors={2016: 100.0}, noise=2.0, rho=0.6, spread=20.0,
                   bounds=(0, None))  # fmt: skip


# --- dates -----------------------------------------------------------------------------------
def _tet(year: int) -> datetime.date:
    month, day = TET.get(year, (2, 1))
    return datetime.date(year, month, day)


def _days_in(first: datetime.date, last: datetime.date, year: int, month: int) -> int:
    """How many days of ``first``..``last`` fall in the month."""
    month_first = datetime.date(year, month, 1)
    month_last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    return max(0, (min(last, month_last) - max(first, month_first)).days + 1)


@functools.lru_cache(maxsize=4096)
def _tet_shares(year: int, month: int) -> tuple[float, float]:
    """The share of the pre-Tết weeks (21 to 3 days before) and of the holiday (2 days
    before to 5 after) that falls in the month."""
    pre = holiday = 0.0
    for tet_year in (year, year + 1):
        tet = _tet(tet_year)
        day = datetime.timedelta(days=1)
        pre += _days_in(tet - 21 * day, tet - 3 * day, year, month) / 19
        holiday += _days_in(tet - 2 * day, tet + 5 * day, year, month) / 8
    return pre, holiday


def _years(day: datetime.date) -> float:
    """The date as a fractional year (mid-year of 2016 is 2016.5)."""
    start = datetime.date(day.year, 1, 1)
    length = 366 if calendar.isleap(day.year) else 365
    return day.year + ((day - start).days + 0.5) / length


def _middle(period: periods.Period) -> datetime.date:
    return period.start + (period.end - period.start) / 2


def _interpolate(anchors: dict[int, float], t: float, growth: float, geometric: bool) -> float:
    """The anchors (annual values, placed mid-year) at fractional year ``t``."""
    years = sorted(anchors)
    first, last = years[0], years[-1]
    if t <= first + 0.5:
        value = anchors[first]
        return value * (1 + growth) ** (t - first - 0.5) if geometric else value
    if t >= last + 0.5:
        value = anchors[last]
        return value * (1 + growth) ** (t - last - 0.5) if geometric else value
    index = bisect.bisect_right(years, t - 0.5) - 1
    low, high = years[index], years[index + 1]
    w = (t - low - 0.5) / (high - low)
    a, b = anchors[low], anchors[high]
    if geometric and a > 0 and b > 0:
        return a ** (1 - w) * b**w
    return a + (b - a) * w


def _step(period: periods.Period) -> int:
    """The period's position within its year (for the per-year noise streams)."""
    match period.type:
        case PeriodType.MONTHLY:
            return period.start.month - 1
        case PeriodType.QUARTERLY:
            return (period.start.month - 1) // 3
        case PeriodType.SIXMONTHLY:
            return (period.start.month - 1) // 6
        case PeriodType.WEEKLY:
            return period.start.isocalendar().week - 1
        case PeriodType.DAILY:
            return period.start.timetuple().tm_yday - 1
        case PeriodType.HOURLY:
            return (period.start.timetuple().tm_yday - 1) * 24 + (period.hour or 0)
    return 0


def _months(period: periods.Period) -> list[tuple[int, int]]:
    if period.type in MONTHLY_OR_LONGER:
        result, day = [], period.start
        while day <= period.end:
            result.append((day.year, day.month))
            day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return result
    anchor = period.start + datetime.timedelta(days=3) if period.type == "weekly" else period.start
    return [(anchor.year, anchor.month)]


def _format(value: float, decimals: int, integer: bool) -> str:
    if integer or decimals == 0:
        return str(round(value))
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


class _Period:
    """A period with what the generator reads of it computed once."""

    __slots__ = ("code", "end", "months", "period", "start", "step", "t", "type", "year")

    def __init__(self, period: periods.Period):
        self.period = period
        self.code = period.code
        self.type = period.type
        self.start = period.start
        self.end = period.end
        self.year = period.year
        self.step = _step(period)
        self.months = tuple(_months(period))
        self.t = _years(_middle(period))


def default_until(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today.replace(day=1) - datetime.timedelta(days=1)


# --- the model of the catalog and the structure ----------------------------------------------
@dataclass(eq=False)
class _Unit:
    id: int
    uid: str
    code: str
    name: str
    kind: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    region: str = "delta"
    predecessors: list = field(default_factory=list)  # (unit, share, effective date)
    province: _Unit | None = None  # communes
    emit: bool = True
    created_by_merger: bool = False

    def valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def zone(self) -> str:
        return CLIMATE.get(self.region, "north")


@dataclass
class _Indicator:
    code: str
    value_type: str
    decimals: int
    period_type: str
    aggregation: str
    time_aggregation: str
    kinds: tuple[str, ...]
    combos: list[tuple[str, str]]  # (uid, code)
    profile: Profile

    def __post_init__(self) -> None:
        self.integer = self.value_type == ValueType.INTEGER or (
            self.value_type == ValueType.NUMBER and self.decimals == 0
        )

    @property
    def additive(self) -> bool:
        return self.aggregation == "sum" and self.profile.model in (
            "flow",
            "stock",
            "couple",
            "disaster",
        )


PROVINCE_KINDS = LEVEL_UNIT_KINDS[ReportingLevel.PROVINCE]
MINISTRY_KINDS = LEVEL_UNIT_KINDS[ReportingLevel.MINISTRY]


class DemoData:
    """One generation of the demo data set.

    ``rows(period_type=None)`` yields the values (of one period type, or of all in
    ``TYPE_ORDER``), each type once; ``period_types()`` lists the types that have values;
    ``plan`` describes what was generated and the injected flaws, and is complete once
    every type was generated (``complete_plan()`` generates the rest). ``indicators``
    restricts the generation to some indicator codes (values do not change with it);
    ``now`` bounds the submission times (default: now). The catalog and the structure are
    read from the database on first use.
    """

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        size: float = 1.0,
        start: datetime.date = DEFAULT_START,
        until: datetime.date | None = None,
        indicators: Iterable[str] | None = None,
        now: datetime.datetime | None = None,
    ):
        if size <= 0:
            raise ValueError("size must be positive")
        self.seed = seed
        self.size = size
        self.start = start
        self.until = until or default_until()
        if self.until < self.start:
            raise ValueError("until is before start")
        self.now = now or timezone.now()
        self.only = set(indicators) if indicators is not None else None
        self.plan = DemoPlan(seed=seed, size=size, start=self.start, until=self.until)
        self._index = 0
        self._loaded = False
        self._generated: set[str] = set()

    # --- loading ---------------------------------------------------------------------------
    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        self._cache: dict = {}
        self._reports: dict[tuple[str, str], list] = {}
        self._missing: dict[tuple[str, str], list] = {}
        self._missing_cache: dict[tuple[str, str], bool] = {}
        self._load_indicators()
        self._load_units()
        self._load_deadlines()
        self._choose_broken()

    def _load_indicators(self) -> None:
        combos: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for disaggregation_id, uid, code in OptionCombination.objects.order_by(
            "disaggregation_id", "sort_order", "id"
        ).values_list("disaggregation_id", "uid", "code"):
            combos[disaggregation_id].append((uid, code))
        from dieuhanh.catalog.models import DEFAULT_COMBINATION_UID

        default = [(DEFAULT_COMBINATION_UID, "default")]
        everything: list[_Indicator] = []
        queryset = Indicator.objects.filter(status=Status.ACTIVE).order_by("code")
        for row in queryset.values(
            "code",
            "value_type",
            "decimals",
            "period_type",
            "aggregation",
            "time_aggregation",
            "levels",
            "disaggregation_id",
            "formula",
        ):
            if (row["formula"] or "").strip():
                continue  # derived: computed, never stored
            profile = PROFILES.get(row["code"]) or fallback_profile(
                row["value_type"], row["aggregation"], row["time_aggregation"]
            )
            if profile.model == "skip":
                continue
            kinds = tuple(
                kind for level in row["levels"] or () for kind in LEVEL_UNIT_KINDS.get(level, ())
            )
            everything.append(
                _Indicator(
                    code=row["code"],
                    value_type=row["value_type"],
                    decimals=row["decimals"],
                    period_type=row["period_type"],
                    aggregation=row["aggregation"],
                    time_aggregation=row["time_aggregation"],
                    kinds=kinds,
                    combos=combos.get(row["disaggregation_id"]) or default,
                    profile=profile,
                )
            )
        # Every indicator stays known: some derive from others (COMPLAINTS_RESOLVED).
        self.by_code = {i.code: i for i in everything}
        self.indicators = [i for i in everything if self.only is None or i.code in self.only]

    def _load_units(self) -> None:
        wanted = {kind for i in self.indicators for kind in i.kinds}
        with_communes = OrgUnitKind.COMMUNE in wanted
        kinds = {OrgUnitKind.GOVERNMENT, *PROVINCE_KINDS, *MINISTRY_KINDS, *wanted}
        if not with_communes:
            kinds.discard(OrgUnitKind.COMMUNE)
        units = {
            row[0]: _Unit(*row)
            for row in OrgUnit.objects.filter(kind__in=kinds)
            .order_by("kind", "code", "valid_from", "id")
            .values_list("id", "uid", "code", "name", "kind", "valid_from", "valid_to")
        }
        for unit in units.values():
            unit.region = REGION_OF.get(unit.code, "delta")
        targets: dict[int, int] = Counter()
        successions = list(
            Succession.objects.filter(successor__kind__in=kinds, predecessor__kind__in=kinds)
            .order_by("effective_date", "predecessor_id", "successor_id")
            .values_list("predecessor_id", "successor_id", "effective_date", "share")
        )
        for predecessor, _successor, _day, _share in successions:
            targets[predecessor] += 1
        for predecessor, successor, day, share in successions:
            weight = float(share) if share is not None else 1 / targets[predecessor]
            units[successor].predecessors.append((units[predecessor], weight, day))
        for unit in units.values():
            if unit.predecessors and unit.valid_from is not None:
                unit.created_by_merger = unit.valid_from <= min(
                    d for _u, _w, d in unit.predecessors
                )
        self.units = units
        by_kind: dict[str, list[_Unit]] = defaultdict(list)
        for unit in units.values():
            by_kind[unit.kind].append(unit)
        self.government = next(iter(by_kind.get(OrgUnitKind.GOVERNMENT, ())), None)
        self.provinces = [u for kind in PROVINCE_KINDS for u in by_kind.get(kind, ())]
        self.ministries = [u for kind in MINISTRY_KINDS for u in by_kind.get(kind, ())]
        self.others = {
            kind: by_kind.get(kind, [])
            for kind in wanted
            if kind not in (OrgUnitKind.GOVERNMENT, OrgUnitKind.COMMUNE, *PROVINCE_KINDS)
            and kind not in MINISTRY_KINDS
        }
        self._sample_provinces()
        self.communes = self._sample_communes(by_kind.get(OrgUnitKind.COMMUNE, []))
        self.epochs = sorted({d for u in units.values() for _p, _w, d in u.predecessors})

    def _sample_provinces(self) -> None:
        """Below size 1, emit only whole groups (a province of today and its predecessors)."""
        cluster: dict[int, str] = {}
        for unit in self.provinces:
            cluster[unit.id] = unit.uid
        for unit in self.provinces:
            for predecessor, _weight, _day in unit.predecessors:
                cluster[predecessor.id] = unit.uid
        names = sorted(set(cluster.values()), key=lambda uid: stable_uniform(self.seed, "c", uid))
        if self.size < 1:
            keep = set(names[: max(2, math.ceil(len(names) * self.size))])
            for unit in self.provinces:
                unit.emit = cluster[unit.id] in keep

    def _sample_communes(self, communes: list[_Unit]) -> list[_Unit]:
        if not communes:
            return []
        share = min(1.0, COMMUNE_SHARE * self.size)
        chosen = {
            c.id
            for c in communes
            if stable_uniform(self.seed, "commune", c.uid) < share
            and (c.valid_to is None or c.valid_to >= REFORM_DAY)
        }
        for commune in communes:
            if commune.id in chosen:
                chosen.update(p.id for p, _w, _d in commune.predecessors)
        sample = [c for c in communes if c.id in chosen]
        provinces = dict(
            OrgUnitClosure.objects.filter(
                descendant_id__in=[c.id for c in sample], ancestor__kind__in=PROVINCE_KINDS
            ).values_list("descendant_id", "ancestor_id")
        )
        result = []
        for commune in sample:
            commune.province = self.units.get(provinces.get(commune.id))
            if commune.province is not None:
                commune.region = commune.province.region
                commune.emit = commune.province.emit
                result.append(commune)
        return result

    def _load_deadlines(self) -> None:
        self.regimes: dict[tuple[str, str], list[ReportingRegime]] = defaultdict(list)
        regimes = {r.pk: r for r in ReportingRegime.objects.filter(status=Status.ACTIVE)}
        listed = defaultdict(set)
        for regime_id, unit_id in ReportingRegime.reporter_units.through.objects.values_list(
            "reportingregime_id", "orgunit_id"
        ):
            listed[regime_id].add(unit_id)
        self.listed_units = listed
        self.listed = {unit for units in listed.values() for unit in units}
        seen = set()
        for code, regime_id in RegimeIndicator.objects.values_list(
            "indicator__code", "section__regime_id"
        ):
            regime = regimes.get(regime_id)
            indicator = self.by_code.get(code)
            if regime is None or indicator is None or (code, regime_id) in seen:
                continue
            seen.add((code, regime_id))
            if regime.period_type == indicator.period_type:
                self.regimes[code, indicator.period_type].append(regime)

    def _choose_broken(self) -> None:
        """A province that reports monthly values and whose values go wrong for 6 months."""
        monthly = [
            i
            for i in self.indicators
            if i.period_type == PeriodType.MONTHLY and set(i.kinds) & set(PROVINCE_KINDS)
        ]
        if not monthly:
            return
        rng = stable_rng(self.seed, "broken")
        months = self.periods(PeriodType.MONTHLY)
        candidates = [u for u in self.provinces if u.emit]
        rng.shuffle(candidates)
        for unit in candidates:
            valid = [p for p in months if unit.valid_on(p.end)]
            if len(valid) < BROKEN_MONTHS + 1:
                continue
            first = rng.randrange(1, len(valid) - BROKEN_MONTHS + 1)
            stretch = valid[first : first + BROKEN_MONTHS]
            if (stretch[-1].start.year * 12 + stretch[-1].start.month) - (
                stretch[0].start.year * 12 + stretch[0].start.month
            ) != BROKEN_MONTHS - 1:
                continue
            self.plan.broken = BrokenUnit(
                uid=unit.uid,
                code=unit.code,
                name=unit.name,
                mode=rng.choice(("stuck", "zeros")),
                periods=tuple(p.code for p in stretch),
                source_period=valid[first - 1].code,
            )
            self._broken_periods = set(self.plan.broken.periods)
            return

    # --- periods ---------------------------------------------------------------------------
    def periods(self, period_type: str) -> list[_Period]:
        """The periods of a type that the generation covers."""
        self._load()
        key = ("periods", period_type)
        if key not in self._cache:
            self._cache[key] = [_Period(p) for p in self._raw_periods(period_type)]
        return self._cache[key]

    def _raw_periods(self, period_type: str) -> list[periods.Period]:
        start, until = self.start, self.until
        if period_type in MONTHLY_OR_LONGER:
            return [
                p
                for p in periods.periods_between(period_type, start, until)
                if p.start >= start and p.end <= until
            ]
        if period_type == PeriodType.WEEKLY:
            weeks = max(1, round(WEEKLY_WEEKS * self.size))
            found = [
                p
                for p in periods.periods_between(
                    period_type, max(start, until - datetime.timedelta(weeks=weeks + 1)), until
                )
                if p.start >= start and p.end <= until
            ]
            return found[-weeks:]
        days = max(
            1, round((DAILY_DAYS if period_type == PeriodType.DAILY else HOURLY_DAYS) * self.size)
        )
        first = max(start, until - datetime.timedelta(days=days - 1))
        return periods.periods_between(period_type, first, until)

    # --- generation --------------------------------------------------------------------------
    def period_types(self) -> list[str]:
        """The period types of the indicators that have units to report them."""
        self._load()
        present = {i.period_type for i in self.indicators if self._units_for(i)}
        present |= {
            i.period_type
            for i in self.indicators
            if OrgUnitKind.GOVERNMENT in i.kinds and self.government is not None
        }
        return [t for t in TYPE_ORDER if t in present]

    def rows(self, period_type: str | None = None) -> Iterator[RawValue]:
        """The values of one period type, or of all (in ``TYPE_ORDER``). Each type is
        generated once per instance."""
        self._load()
        types = [period_type] if period_type else self.period_types()
        for ptype in types:
            if ptype in self._generated:
                raise RuntimeError(f"the {ptype} values were already generated")
            self._generated.add(ptype)
            for indicator in self.indicators:
                if indicator.period_type == ptype:
                    yield from self._indicator_rows(indicator)
            self._finish(ptype)
        if self._generated >= set(self.period_types()):
            self.plan.complete = True

    def complete_plan(self) -> DemoPlan:
        """The plan, generating (and discarding) whatever rows were not generated yet."""
        for ptype in self.period_types():
            if ptype not in self._generated:
                for _row in self.rows(ptype):
                    pass
        return self.plan

    def _units_for(self, indicator: _Indicator) -> list[_Unit]:
        units: list[_Unit] = []
        kinds = set(indicator.kinds)
        if kinds & set(PROVINCE_KINDS) or OrgUnitKind.COMMUNE in kinds:
            units += self.provinces
        if kinds & set(MINISTRY_KINDS):
            units += [u for u in self.ministries if u.kind in kinds]
        for kind, others in self.others.items():
            if kind in kinds:
                units += others
        return units

    def _indicator_rows(self, indicator: _Indicator) -> Iterator[RawValue]:
        plist = self.periods(indicator.period_type)
        if not plist:
            return
        kinds = set(indicator.kinds)
        national = OrgUnitKind.GOVERNMENT in kinds and self.government is not None
        subunits = self._units_for(indicator)
        reporting = [u for u in subunits if u.kind in kinds]
        totals: dict[tuple[str, int], float] | None = (
            defaultdict(float) if national and indicator.additive and reporting else None
        )
        province_values: dict[tuple[int, str], list] = {}
        with_communes = OrgUnitKind.COMMUNE in kinds
        for unit in subunits:
            unit_periods = [p for p in plist if unit.valid_on(p.end)]
            if not unit_periods:
                continue
            rows = self._clean(indicator, unit, unit_periods)
            reported = unit.kind in kinds
            out: list[RawValue] = []
            for period, row in zip(unit_periods, rows, strict=True):
                if row is None:
                    continue
                if with_communes and unit.kind in PROVINCE_KINDS:
                    province_values[unit.id, period.code] = row
                if not reported:
                    continue
                if totals is not None:
                    for position, value in enumerate(row):
                        if value is not None:
                            totals[period.code, position] += self._round(indicator, value)
                if unit.emit:
                    self._emit(out, indicator, unit, period, row, rows, unit_periods)
            yield from out
        if with_communes:
            for commune in self.communes:
                commune_periods = [p for p in plist if commune.valid_on(p.end)]
                rows = self._commune_rows(indicator, commune, commune_periods, province_values)
                out = []
                for period, row in zip(commune_periods, rows, strict=True):
                    if row is not None and commune.emit:
                        self._emit(out, indicator, commune, period, row, rows, commune_periods)
                yield from out
        if national:
            out = []
            if totals is not None:
                by_period: dict[str, dict[int, float]] = defaultdict(dict)
                for (code, position), value in totals.items():
                    by_period[code][position] = value
                for period in plist:
                    if period.code in by_period:
                        values = by_period[period.code]
                        row = [values.get(i) for i in range(len(indicator.combos))]
                        self._emit(out, indicator, self.government, period, row, [], [])
            else:
                rows = self._clean(indicator, self.government, plist)
                for period, row in zip(plist, rows, strict=True):
                    if row is not None:
                        self._emit(out, indicator, self.government, period, row, [], [])
            yield from out

    # --- flaws and emission ----------------------------------------------------------------
    def _round(self, indicator: _Indicator, value: float) -> float:
        if indicator.integer:
            return float(round(value))
        return round(value, indicator.decimals)

    def _emit(self, out: list, indicator, unit, period, row, rows, unit_periods) -> None:
        """Append a unit's values for a period to ``out``, with the flaws of the plan."""
        key = (unit.uid, period.code)
        regular = unit.kind != OrgUnitKind.GOVERNMENT and period.type in REGULAR_TYPES
        broken = (
            self.plan.broken is not None
            and unit.uid == self.plan.broken.uid
            and period.type == PeriodType.MONTHLY
            and period.code in self._broken_periods
        )
        if regular and not broken and self._is_missing(key):
            self._missing.setdefault(key, [unit, period, []])[2].append(indicator.code)
            return
        self._note_report(indicator, unit, period)
        source = None
        if broken and self.plan.broken.mode == "stuck":
            source = rows[[p.code for p in unit_periods].index(self.plan.broken.source_period)]
        boolean = indicator.value_type == ValueType.BOOLEAN
        decimals, integer = indicator.decimals, indicator.integer
        written = 0
        for position, value in enumerate(row):
            if value is None:
                continue
            combination_uid, combination_code = indicator.combos[position]
            if boolean:
                text = "true" if value >= 0.5 else "false"
            elif broken:
                text = "0" if source is None else _format(source[position], decimals, integer)
            else:
                text = _format(value, decimals, integer)
                if regular and text != "0":
                    text = self._outlier(indicator, unit, period, combination_code, text)
            out.append(
                RawValue(
                    self._index,
                    None,
                    indicator.code,
                    period.code,
                    unit.uid,
                    combination_uid,
                    None,
                    text,
                )
            )
            self._index += 1
            written += 1
        self.plan.counts[period.type] += written
        self.plan.level_counts[unit.kind] += written

    def _is_missing(self, key: tuple[str, str]) -> bool:
        missing = self._missing_cache.get(key)
        if missing is None:
            missing = stable_uniform(self.seed, "missing", *key) < MISSING_RATE
            self._missing_cache[key] = missing
        return missing

    def _outlier(self, indicator, unit, period, combination: str, text: str) -> str:
        u = stable_uniform(self.seed, "outlier", indicator.code, unit.uid, period.code, combination)
        if u >= OUTLIER_RATE:
            return text
        value = float(text)
        kind = ("x10", "div10", "sign")[min(2, int(u / OUTLIER_RATE * 3))]
        if kind == "div10" and indicator.integer and abs(value) < 100:
            kind = "x10"
        new = {"x10": value * 10, "div10": value / 10, "sign": -value}[kind]
        shown = _format(new, indicator.decimals, indicator.integer)
        if float(shown) == value:
            return text
        self.plan.outliers.append(
            Outlier(
                indicator.code, unit.uid, unit.code, period.code, combination, text, shown, kind
            )
        )
        return shown

    # --- deadlines and submissions -----------------------------------------------------------
    def _deadline(self, indicator, unit, period) -> tuple[datetime.date, datetime.date]:
        """(deadline, end of the data window) of one indicator's report for a period: the
        earliest of the regimes that ask the unit for it, else the 20th of the next month
        (a week: 3 days, a day or an hour: the next day)."""
        key = ("due", indicator.code, unit.kind, unit.id in self.listed, period.code)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        from dieuhanh.catalog.services import scheduled

        found = []
        for regime in self.regimes.get((indicator.code, indicator.period_type), ()):
            if unit.kind in (regime.reporter_kinds or ()) or unit.id in self.listed_units.get(
                regime.pk, ()
            ):
                item = scheduled(regime, period.period)
                found.append((item.deadline, item.window_end))
        if found:
            result = min(found)
        elif period.type in MONTHLY_OR_LONGER:
            following = period.end + datetime.timedelta(days=1)
            result = following.replace(day=20), period.end
        else:
            days = 3 if period.type == PeriodType.WEEKLY else 1
            result = period.end + datetime.timedelta(days=days), period.end
        self._cache[key] = result
        return result

    def _note_report(self, indicator, unit, period) -> None:
        key = (unit.uid, period.code)
        report = self._reports.get(key)
        if report is not None and report[5] == indicator.code:
            return
        deadline, window_end = self._deadline(indicator, unit, period)
        if report is None:
            self._reports[key] = [unit, period, deadline, deadline, window_end, indicator.code]
        else:
            report[2] = min(report[2], deadline)
            report[3] = max(report[3], deadline)
            report[4] = max(report[4], window_end)
            report[5] = indicator.code

    def _finish(self, period_type: str) -> None:
        """The submissions and missing reports of a period type, once it is generated."""
        zone = timezone.get_default_timezone()
        for key in [k for k, r in self._reports.items() if r[1].type == period_type]:
            unit, period, first, last, window_end, _code = self._reports.pop(key)
            late = (
                unit.kind != OrgUnitKind.GOVERNMENT
                and stable_uniform(self.seed, "late", *key) < LATE_RATE
            )
            if late:
                spread = 3 if period.type in (PeriodType.DAILY, PeriodType.HOURLY) else 25
                day = last + datetime.timedelta(
                    days=1 + int(stable_uniform(self.seed, "delay", *key) * spread)
                )
            else:
                low = min(window_end + datetime.timedelta(days=1), first)
                span = (first - low).days
                day = first - datetime.timedelta(
                    days=int(stable_uniform(self.seed, "early", *key) * (span + 1))
                )
            minutes = 8 * 60 + int(stable_uniform(self.seed, "time", *key) * 9 * 60)
            moment = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
            submitted = min(timezone.make_aware(moment, zone), self.now)
            late = submitted.astimezone(zone).date() > last
            self.plan.submissions.append(
                Submission(
                    unit.uid, unit.code, period.code, period.type, first, last, submitted, late
                )
            )
        for key in [k for k, m in self._missing.items() if m[1].type == period_type]:
            unit, period, codes = self._missing.pop(key)
            self.plan.missing.append(MissingReport(unit.uid, unit.code, period.code, tuple(codes)))

    # --- clean values ----------------------------------------------------------------------
    def _share(self, sector: str, unit: _Unit, day: datetime.date) -> float:
        """The unit's share of the national value among the units of its level that exist
        on ``day``."""
        if unit.kind in PROVINCE_KINDS:
            name, group = "province", self.provinces
        elif unit.kind in MINISTRY_KINDS:
            name, group = "ministry", self.ministries
        else:
            name, group = unit.kind, self.others.get(unit.kind, [unit])
        key = ("share", sector, unit.id, day)
        share = self._cache.get(key)
        if share is not None:
            return share
        epoch = bisect.bisect_right(self.epochs, day)
        total_key = ("total", sector, name, day)
        total = self._cache.get(total_key)
        if total is None:
            total = sum(self._mass(u, sector, epoch) for u in group if u.valid_on(day))
            self._cache[total_key] = total
        share = self._mass(unit, sector, epoch) / total if total else 0.0
        self._cache[key] = share
        return share

    def _mass(self, unit: _Unit, sector: str, epoch: int) -> float:
        key = ("mass", unit.id, sector, epoch)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if unit.created_by_merger:
            own = 0.0
        elif unit.kind in PROVINCE_KINDS:
            defaults, overrides = SECTORS.get(sector, ({}, {}))
            factor = overrides.get(unit.code)
            if factor is None:
                if "coast" in defaults:
                    factor = defaults["coast"] if unit.code in COASTAL else 0.03
                else:
                    factor = defaults.get(unit.region, 1.0)
            own = POPULATION.get(unit.code, 1000) * factor
        elif unit.kind in MINISTRY_KINDS:
            own = MINISTRY_WEIGHTS.get(sector, {}).get(unit.code, 1.0)
        else:
            own = 0.5 + stable_uniform(self.seed, "mass", unit.uid)
        for predecessor, weight, day in unit.predecessors:
            before = bisect.bisect_left(self.epochs, day)  # the epoch of the day before
            if epoch > before:
                own += weight * self._mass(predecessor, sector, before)
        self._cache[key] = own
        return own

    def _inherited(self, unit: _Unit, base) -> float:
        """A unit's persistent trait: its own (``base(unit)``), or for a unit created by a
        merger the population-weighted mean of its predecessors'."""
        if not unit.created_by_merger:
            return base(unit)
        weights = [(p, w * self._mass(p, "pop", 0)) for p, w, _d in unit.predecessors]
        total = sum(w for _p, w in weights) or 1.0
        return sum(self._inherited(p, base) * w for p, w in weights) / total

    def _level_share(self, indicator: _Indicator, unit: _Unit) -> float:
        kinds = set(indicator.kinds)
        both = kinds & set(PROVINCE_KINDS) and kinds & set(MINISTRY_KINDS)
        if not both:
            return 1.0
        share = indicator.profile.province_share
        return share if unit.kind in PROVINCE_KINDS else 1 - share

    def _month_factor(self, profile: Profile, season, year: int, month: int) -> float:
        key = ("month", id(profile), id(season), year, month)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        factor = 1.0
        if season:
            factor = season[month - 1] * 12 / sum(season)
        if profile.tet or profile.pre_tet:
            pre, holiday = _tet_shares(year, month)
            factor *= 1 - profile.tet * holiday + profile.pre_tet * pre
        factor *= 1 - profile.covid * 0.3 * COVID.get((year, month), 0.0)
        self._cache[key] = factor
        return factor

    def _amount(self, profile: Profile, code: str, position: int, spec: dict, period) -> float:
        """The national flow of a period (or level of a stock) of an indicator's
        combination."""
        key = ("amount", code, position, period.code)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        anchors = spec.get("anchors") or profile.anchors
        season = spec.get("season") or profile.season
        if profile.model == "stock":
            year, month = period.months[0]
            value = _interpolate(anchors, period.t, profile.growth, True)
            value *= 1 - profile.covid * COVID.get((year, month), 0.0)
        else:
            value = 0.0
            for year, month in period.months:
                override = (profile.overrides or {}).get((year, month))
                if override is not None:
                    monthly = override
                else:
                    t = _years(datetime.date(year, month, 15))
                    monthly = _interpolate(anchors, t, profile.growth, True) / 12
                    monthly *= self._month_factor(profile, season, year, month)
                if period.type in MONTHLY_OR_LONGER:
                    value += monthly
                else:
                    days = calendar.monthrange(year, month)[1]
                    hours = 24 if period.type == PeriodType.HOURLY else 1
                    length = 7 if period.type == PeriodType.WEEKLY else 1
                    value += monthly * length / days / hours
        self._cache[key] = value
        return value

    def _noise(self, code: str, unit: _Unit, plist, sigma: float, rho: float, width: int):
        """Per period: the AR(1) noise per combination and two uniform draws per
        combination, from a stream per (indicator, unit, year) that advances one step per
        period of the year whether it is wanted or not: a value never depends on the
        window."""
        by_year: dict[int, list] = defaultdict(list)
        for index, period in enumerate(plist):
            by_year[period.year].append((period.step, index))
        result: list = [None] * len(plist)
        innovation = sigma * math.sqrt(max(0.0, 1 - rho * rho))
        for year, wanted in by_year.items():
            rng = stable_rng(self.seed, code, unit.uid, year)
            gauss, uniform = rng.gauss, rng.random
            state = [gauss(0, sigma) for _ in range(width)]
            draws = [uniform() for _ in range(2 * width)]
            position = 0
            for step, index in sorted(wanted):
                while position < step:
                    state = [rho * s + gauss(0, innovation) for s in state]
                    draws = [uniform() for _ in range(2 * width)]
                    position += 1
                result[index] = (state, draws)
        return result

    def _clean(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        """Per period, the clean values per combination (``None`` for no report)."""
        profile = indicator.profile
        model = profile.model
        if model in ("flow", "stock"):
            return self._flow(indicator, unit, plist)
        if model == "level":
            return self._levels(indicator, unit, plist)
        if model == "couple":
            base = self.by_code.get(profile.base)
            if base is None:
                return [None] * len(plist)
            rows = self._clean(base, unit, plist)
            low, high = profile.ratio
            result = []
            for period, row in zip(plist, rows, strict=True):
                if row is None:
                    result.append(None)
                    continue
                ratios = [
                    low
                    + (high - low)
                    * stable_uniform(self.seed, indicator.code, unit.uid, period.code)
                    for _v in row
                ]
                result.append(
                    [None if v is None else v * r for v, r in zip(row, ratios, strict=True)]
                )
            return result
        if model == "avg_ytd":
            return self._average_ytd(indicator, unit, plist)
        if model == "ytd":
            return self._year_to_date(indicator, unit, plist)
        if model == "fx":
            return self._exchange_rate(indicator, unit, plist)
        if model == "disaster":
            return self._disaster(indicator, unit, plist)
        if model == "rain":
            return self._rain(indicator, unit, plist)
        if model == "bool":
            return [
                [1.0 if stable_uniform(self.seed, indicator.code, unit.uid, p.code) < 0.85 else 0.0]
                * len(indicator.combos)
                for p in plist
            ]
        return [None] * len(plist)

    def _combo_specs(self, indicator: _Indicator, unit: _Unit, period) -> list[dict]:
        profile = indicator.profile
        width = len(indicator.combos)
        specs = [dict(profile.combos.get(code, {})) for _uid, code in indicator.combos]
        if profile.combo_shares:
            urban = self._urban(unit, period)
            for spec, (_uid, code) in zip(specs, indicator.combos, strict=True):
                area = urban if "URBAN" in code else 1 - urban
                sex = 1.0
                if profile.combo_shares == "urban_sex":
                    female = 0.508 if "URBAN" in code else 0.499
                    sex = female if "FEMALE" in code else 1 - female
                spec["share"] = area * sex
        group = {
            "north": "north",
            "central": "central",
            "highlands": "highlands",
            "south": "south",
        }[unit.zone]
        for spec in specs:
            share = spec.get("share")
            if isinstance(share, dict):
                spec["share"] = share.get(group, 1 / width)
            elif share is None and "anchors" not in spec and "level" not in spec:
                spec["share"] = 1 / width
        return specs

    def _urban(self, unit: _Unit, period) -> float:
        def base(u: _Unit) -> float:
            return URBAN_SHARE.get(u.code, URBAN_BY_REGION.get(u.region, 0.3))

        if unit.kind == OrgUnitKind.GOVERNMENT:
            share = 0.34
        elif unit.kind in PROVINCE_KINDS:
            share = self._inherited(unit, base)
        elif unit.province is not None:
            share = self._urban(unit.province, period)
        else:
            share = 0.3
        return min(0.95, share + 0.004 * (period.t - 2019.5))

    def _flow(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        profile = indicator.profile
        national = unit.kind == OrgUnitKind.GOVERNMENT
        spread = 0.0 if national else profile.spread
        effect = self._inherited(
            unit, lambda u: stable_rng(self.seed, "unit", indicator.code, u.uid).gauss(0, spread)
        )
        sigma = profile.noise * (0.5 if national else 1.0)
        noises = self._noise(indicator.code, unit, plist, sigma, profile.rho, len(indicator.combos))
        level_share = 1.0 if national else self._level_share(indicator, unit)
        static = None if profile.combo_shares else self._combo_specs(indicator, unit, plist[0])
        result = []
        for period, (noise, draws) in zip(plist, noises, strict=True):
            specs = static or self._combo_specs(indicator, unit, period)
            row = []
            for position, (spec, eps) in enumerate(zip(specs, noise, strict=True)):
                amount = self._amount(profile, indicator.code, position, spec, period)
                share = (
                    1.0
                    if national
                    else self._share(spec.get("sector") or profile.sector, unit, period.end)
                )
                value = amount * level_share * share * spec.get("share", 1.0)
                value *= math.exp(effect + eps)
                if profile.zero_chance and not national:
                    expected = amount * share * 12 / max(1, len(period.months))
                    chance = profile.zero_chance * math.exp(-expected / 300)
                    if draws[2 * position + 1] < chance:
                        value = 0.0
                if profile.poisson:
                    value = float(_poisson(value, draws[2 * position]))
                row.append(value)
            result.append(row)
        return result

    def _levels(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        profile = indicator.profile
        national = unit.kind == OrgUnitKind.GOVERNMENT
        relative = 1.0
        if profile.relative and not national:
            defaults, overrides = RELATIVE[profile.relative]

            def base(u: _Unit) -> float:
                return overrides.get(u.code, defaults.get(u.region, 1.0))

            relative = self._inherited(unit, base)
        offset = 0.0
        if not national:
            offset = self._inherited(
                unit,
                lambda u: stable_rng(self.seed, "unit", indicator.code, u.uid).gauss(
                    0, profile.spread
                ),
            )
        if profile.relative:
            relative *= math.exp(offset)
            offset = 0.0
        sigma = profile.noise * (0.4 if national else 1.0)
        noises = self._noise(indicator.code, unit, plist, sigma, profile.rho, len(indicator.combos))
        low, high = profile.bounds
        result = []
        for period, (noise, _draws) in zip(plist, noises, strict=True):
            t = period.t
            path = (profile.table or {}).get(period.code)
            if path is None:
                path = _interpolate(profile.anchors, t, 0.0, False)
            year, month = period.months[0]
            add = 0.0
            if profile.season:
                add += profile.season[month - 1]
            if profile.tet_add != (0.0, 0.0) or profile.tet_yoy:
                pre, holiday = _tet_shares(year, month)
                add += profile.tet_add[0] * pre + profile.tet_add[1] * holiday
                if profile.tet_yoy:
                    _pre, before = _tet_shares(year - 1, month)
                    add -= profile.tet_yoy * (holiday - before)
            add += profile.covid * COVID.get((year, month), 0.0)
            row = []
            for (_uid, code), eps in zip(indicator.combos, noise, strict=True):
                scale = profile.combos.get(code, {}).get("level", 1.0)
                value = path * relative * scale + offset + add + eps
                if low is not None:
                    value = max(low, value)
                if high is not None:
                    value = min(high, value)
                row.append(value)
            result.append(row)
        return result

    def _commune_rows(self, indicator, commune, plist, province_values) -> list:
        """A commune's values: a share of its province's (flows) or its province's level
        with a deviation of its own."""
        profile = indicator.profile
        province = commune.province
        rng = stable_rng(self.seed, "commune", indicator.code, commune.uid)
        # About 160 communes per province before the reform, 98 after.
        size = rng.uniform(0.3, 1.8) / (160 if commune.valid_to is not None else 98)
        deviation = rng.gauss(0, (profile.spread or 1.0) * 1.5)
        noises = self._noise(
            indicator.code, commune, plist, profile.noise, profile.rho, len(indicator.combos)
        )
        result = []
        for period, (noise, _draws) in zip(plist, noises, strict=True):
            row = province_values.get((province.id, period.code))
            if row is None:
                result.append(None)
                continue
            values = []
            for value, eps in zip(row, noise, strict=True):
                if value is None:
                    values.append(None)
                elif indicator.additive:
                    values.append(value * size * math.exp(eps))
                else:
                    low, high = profile.bounds
                    value = value + deviation + eps
                    value = value if low is None else max(low, value)
                    value = value if high is None else min(high, value)
                    values.append(value)
            result.append(values)
        return result

    def _average_ytd(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        base = self.by_code.get(indicator.profile.base)
        if base is None:
            return [None] * len(plist)
        result = []
        for period in plist:
            months = [
                _Period(
                    periods.for_date(PeriodType.MONTHLY, datetime.date(period.start.year, m, 1))
                )
                for m in range(1, period.start.month + 1)
            ]
            rows = self._clean(base, unit, months)
            values = [row[0] for row in rows if row]
            result.append([sum(values) / len(values)] * len(indicator.combos))
        return result

    def _year_to_date(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        profile = indicator.profile
        noises = self._noise(indicator.code, unit, plist, profile.noise, profile.rho, 1)
        result = []
        for period, (noise, _draws) in zip(plist, noises, strict=True):
            year, month = period.start.year, period.start.month
            target = _interpolate(profile.anchors, year + 0.5, 0.0, False)
            value = target * (month / 12) ** 1.1 + noise[0] * math.sqrt(month / 12)
            result.append([value] * len(indicator.combos))
        return result

    def _exchange_rate(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        profile = indicator.profile
        noises = self._noise(indicator.code, unit, plist, profile.noise, profile.rho, 1)
        result = []
        for period, (noise, _draws) in zip(plist, noises, strict=True):
            if period.start.weekday() >= 5:
                result.append(None)  # no central rate on week-ends
                continue
            year = period.start.year
            known = min(max(year, min(profile.anchors)), max(profile.anchors))
            low = profile.anchors[known]
            high = profile.anchors.get(known + 1, low * 1.015)
            w = (period.start.timetuple().tm_yday - 1) / 365
            result.append([low + (high - low) * w + noise[0]] * len(indicator.combos))
        return result

    # --- storms ----------------------------------------------------------------------------
    def _storms(self, day: datetime.date) -> list[tuple]:
        """The storms under way on ``day``: (first day, length, zone, province codes,
        intensity). Drawn per ISO week, so that they do not depend on the window."""
        result = []
        for back in (0, 1):
            week_day = day - datetime.timedelta(weeks=back)
            year, week, _weekday = week_day.isocalendar()
            key = ("storm", year, week)
            storm = self._cache.get(key)
            if storm is None:
                rng = stable_rng(self.seed, "storm", year, week)
                monday = datetime.date.fromisocalendar(year, week, 1)
                zones = STORM_ZONES.get(monday.month)
                chance = 0.4 if zones else 0.04
                storm = ()
                if rng.random() < chance:
                    zones = zones or {"central": 1, "north": 1, "south": 1}
                    zone = rng.choices(list(zones), weights=list(zones.values()))[0]
                    first = monday + datetime.timedelta(days=rng.randrange(7))
                    length = rng.randint(2, 5)
                    pool = sorted(
                        {u.code for u in self.provinces if u.zone == zone and u.valid_on(first)}
                    )
                    count = min(len(pool), rng.randint(2, 7))
                    start = rng.randrange(max(1, len(pool) - count + 1))
                    codes = frozenset(pool[start : start + count])
                    storm = (first, length, zone, codes, rng.lognormvariate(0, 0.8))
                self._cache[key] = storm
            if storm and storm[0] <= day < storm[0] + datetime.timedelta(days=storm[1]):
                result.append(storm)
        return result

    def _disaster(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        result = []
        for period in plist:
            storms = [s for s in self._storms(period.start) if unit.code in s[3]]
            if not storms:
                result.append(None)
                continue
            rng = stable_rng(self.seed, indicator.code, unit.uid, period.code)
            value = 0.0
            for first, _length, _zone, _codes, intensity in storms:
                day = (period.start - first).days
                peak = 1.0 if day <= 1 else 0.5 ** (day - 1)
                match indicator.code:
                    case "DISASTER_DEATHS_MISSING":
                        value += _poisson(0.6 * intensity * peak, rng.random())
                    case "DISASTER_DAMAGE":
                        value += rng.lognormvariate(math.log(15 * intensity * peak + 0.1), 0.8)
                    case "EVACUATED_PERSONS":
                        value += round(
                            rng.lognormvariate(math.log(3000 * intensity + 1), 0.7) * peak
                        )
                    case _:
                        value += _poisson(120 * intensity * peak, rng.random())
            result.append([value] * len(indicator.combos))
        return result

    def _rain(self, indicator: _Indicator, unit: _Unit, plist) -> list:
        result = []
        for period in plist:
            rng = stable_rng(self.seed, indicator.code, unit.uid, period.start.isoformat())
            mean = RAIN[unit.zone][period.start.month - 1]
            chance = min(0.85, 0.1 + mean / 10)
            value = rng.expovariate(chance / mean) if rng.random() < chance else 0.0
            for _first, _length, _zone, codes, intensity in self._storms(period.start):
                if unit.code in codes:
                    value += rng.uniform(60, 180) * min(3.0, intensity)
            if period.type == PeriodType.HOURLY:
                value /= 24
            result.append([value] * len(indicator.combos))
        return result


def generate(
    *,
    seed: int = DEFAULT_SEED,
    size: float = 1.0,
    start: datetime.date = DEFAULT_START,
    until: datetime.date | None = None,
    indicators: Iterable[str] | None = None,
) -> Iterator[RawValue]:
    """The demo values (see the module's docstring). For the plan of flaws, use
    ``DemoData(...)``: its ``rows()`` and ``plan``."""
    return DemoData(seed=seed, size=size, start=start, until=until, indicators=indicators).rows()
