"""Statistics of the tasks, as the Government Office reports them: per lead agency (the
league table), per document, per period of assignment, per supervising leader or per kind
of task, the four counts (done on time, done late, in progress within the deadline,
overdue), key tasks, the rates, and a red-amber-green status. One SQL query with
conditional counts over the tasks the user may see; each count links back to its tasks.

The rates:
- completion: done (on time or late) out of all tasks counted;
- on time: done on time out of the tasks that are due (done, or overdue): of what should
  be done by now, how much was done in time;
- overdue share: overdue out of all tasks counted.
Red: a key task overdue, or ``RED_OVERDUE_SHARE`` or more overdue; amber: any task overdue
or an on-time rate under ``AMBER_ON_TIME_RATE``; green otherwise. Withdrawn tasks
(cancelled, adjusted) are not counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.directives.filters import TaskFilter
from dieuhanh.directives.models import Task, TaskKind
from dieuhanh.directives.status import TaskStatus, status_conditions, withdrawn_condition

RED_OVERDUE_SHARE = 0.10
AMBER_ON_TIME_RATE = 0.80

GROUPINGS = {
    "lead": _("Lead agency"),
    "document": _("Document"),
    "period": _("Period assigned"),
    "supervisor": _("Supervising leader"),
    "kind": _("Kind of task"),
}
PERIOD_TYPES = ("year", "quarter", "month")


class Rag:
    RED, AMBER, GREEN = "red", "amber", "green"
    LABELS = {RED: _("Red"), AMBER: _("Amber"), GREEN: _("Green")}
    COLOURS = {RED: "danger", AMBER: "warning", GREEN: "success"}


@dataclass
class Row:
    key: object
    label: str
    params: dict = field(default_factory=dict)  # the task-list filter of this row
    total: int = 0
    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    overdue: int = 0
    key_total: int = 0
    key_overdue: int = 0
    detail: str = ""
    when: datetime.date | None = None

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def due(self) -> int:
        return self.done + self.overdue

    @property
    def completion_rate(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.due if self.due else None

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.total if self.total else None

    @property
    def rag(self) -> str:
        if self.key_overdue or (self.total and self.overdue / self.total >= RED_OVERDUE_SHARE):
            return Rag.RED
        if self.overdue or (
            self.on_time_rate is not None and self.on_time_rate < AMBER_ON_TIME_RATE
        ):
            return Rag.AMBER
        return Rag.GREEN

    @property
    def rag_label(self) -> str:
        return str(Rag.LABELS[self.rag])

    @property
    def rag_colour(self) -> str:
        return Rag.COLOURS[self.rag]

    def add(self, other: Row) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTS = (
    "total",
    "done_on_time",
    "done_late",
    "in_progress",
    "overdue",
    "key_total",
    "key_overdue",
)


@dataclass
class Statistics:
    by: str
    rows: list[Row]
    total: Row
    today: datetime.date
    period_type: str = "year"

    @property
    def grouping_label(self) -> str:
        return str(GROUPINGS[self.by])


def _counts(today: datetime.date) -> dict:
    conditions = status_conditions(today)
    in_progress = conditions[TaskStatus.IN_PROGRESS] | conditions[TaskStatus.DUE_SOON]
    return {
        "total": Count("pk"),
        "done_on_time": Count("pk", filter=conditions[TaskStatus.DONE_ON_TIME]),
        "done_late": Count("pk", filter=conditions[TaskStatus.DONE_LATE]),
        "in_progress": Count("pk", filter=in_progress),
        "overdue": Count("pk", filter=conditions[TaskStatus.OVERDUE]),
        "key_total": Count("pk", filter=Q(is_key=True)),
        "key_overdue": Count("pk", filter=conditions[TaskStatus.OVERDUE] & Q(is_key=True)),
    }


def counted(user, filters: TaskFilter | None = None, today: datetime.date | None = None):
    """The tasks the statistics count: those the user may see, filtered, not withdrawn."""
    today = today or timezone.localdate()
    filters = filters or TaskFilter()
    queryset = filters.apply(Task.objects.restrict(user, "view"), today)
    return queryset.exclude(withdrawn_condition(today)).order_by()


def statistics(
    user,
    *,
    by: str = "lead",
    filters: TaskFilter | None = None,
    period_type: str = "year",
    today: datetime.date | None = None,
) -> Statistics:
    today = today or timezone.localdate()
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"unknown period type {period_type!r}")
    queryset = counted(user, filters, today)
    counts = _counts(today)
    if by == "period":
        # Counted by month in SQL (the text of the date: no date function per row, which
        # SQLite runs in Python), then added up into quarters or years here.
        month = Substr(Cast("assigned_on", CharField()), 1, 7)
        values = _fold_months(
            queryset.annotate(month=month).values("month").annotate(**counts).order_by(),
            period_type,
        )
    else:
        keys = {
            "lead": ("lead_id", "lead__uid", "lead__name"),
            "document": ("document_id", "document__number", "document__issued_on"),
            "supervisor": ("supervisor_id", "supervisor__full_name", "supervisor__username"),
            "kind": ("kind",),
        }[by]
        values = queryset.values(*keys).annotate(**counts).order_by()
    rows = [_row(by, entry, period_type) for entry in values]
    total = Row(key=None, label=str(_("All tasks")))
    for row in rows:
        total.add(row)
    rows.sort(key=_ordering(by))
    return Statistics(by=by, rows=rows, total=total, today=today, period_type=period_type)


def _row(by: str, entry: dict, period_type: str) -> Row:
    counts = {name: entry[name] for name in COUNTS}
    if by == "lead":
        return Row(
            key=entry["lead_id"],
            label=entry["lead__name"],
            params={"lead": entry["lead__uid"]},
            **counts,
        )
    if by == "document":
        issued = entry["document__issued_on"]
        return Row(
            key=entry["document_id"],
            label=entry["document__number"],
            detail=issued.strftime("%d/%m/%Y") if issued else "",
            when=issued,
            params={"document": entry["document_id"]},
            **counts,
        )
    if by == "supervisor":
        name = entry["supervisor__full_name"] or entry["supervisor__username"]
        return Row(
            key=entry["supervisor_id"],
            label=name or str(_("No supervising leader")),
            params={"supervisor": entry["supervisor_id"]} if entry["supervisor_id"] else {},
            **counts,
        )
    if by == "kind":
        return Row(
            key=entry["kind"],
            label=str(TaskKind(entry["kind"]).label),
            params={"kind": entry["kind"]},
            **counts,
        )
    start = entry["period"]
    end = _period_end(start, period_type)
    return Row(
        key=start,
        label=_period_label(start, period_type),
        params={"assigned_from": start.isoformat(), "assigned_to": end.isoformat()},
        **counts,
    )


def _fold_months(months, period_type: str) -> list[dict]:
    """Monthly counts added up into the periods of ``period_type``, each keyed by its first
    day (``period``)."""
    folded: dict[datetime.date, dict] = {}
    for entry in months:
        year, month = (int(part) for part in entry["month"].split("-"))
        if period_type == "year":
            month = 1
        elif period_type == "quarter":
            month = (month - 1) // 3 * 3 + 1
        start = datetime.date(year, month, 1)
        into = folded.setdefault(start, {"period": start, **dict.fromkeys(COUNTS, 0)})
        for name in COUNTS:
            into[name] += entry[name]
    return [folded[start] for start in sorted(folded)]


def _period_end(start: datetime.date, period_type: str) -> datetime.date:
    months = {"year": 12, "quarter": 3, "month": 1}[period_type]
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def _period_label(start: datetime.date, period_type: str) -> str:
    if period_type == "year":
        return str(start.year)
    if period_type == "quarter":
        return _("Quarter %(q)d/%(year)d") % {"q": (start.month - 1) // 3 + 1, "year": start.year}
    return _("Month %(m)02d/%(year)d") % {"m": start.month, "year": start.year}


def _ordering(by: str):
    if by == "period":
        return lambda row: row.key
    if by == "document":
        return lambda row: (-(row.when or datetime.date.min).toordinal(), row.label)

    def league(row: Row):  # the best first: on time, then fewest overdue
        rate = row.on_time_rate
        return (rate is None, -(rate or 0), row.overdue, row.label)

    return league


def on_time_rate(user, today: datetime.date | None = None) -> Row:
    """The whole picture in one row (the home page's tile)."""
    return statistics(user, by="kind", today=today).total
