"""Reading data values back: one selection shared by the DHIS2 API, the native API and the
exports, always through ``restrict(user, "view")``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import Indicator, RegimeIndicator, ReportingRegime
from dieuhanh.core import periods
from dieuhanh.datavalues.ingest import Conflict, ImportResult
from dieuhanh.datavalues.models import DataValue, ImportJob, value_text
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure

VALUE_FIELDS = (
    "id",
    "indicator__uid",
    "indicator__code",
    "orgunit__uid",
    "orgunit__code",
    "combination__uid",
    "combination__code",
    "attribute__uid",
    "attribute__code",
    "period",
    "number",
    "text",
    "comment",
    "followup",
    "status",
    "deleted",
    "channel",
    "job__uid",
    "created_at",
    "updated_at",
    "updated_by__username",
)


class SelectionError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Selection:
    regimes: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    start: datetime.date | None = None
    end: datetime.date | None = None
    orgunits: list[str] = field(default_factory=list)
    children: bool = False
    include_deleted: bool = False
    updated_since: datetime.datetime | None = None
    status: str | None = None
    require_scope: bool = True  # DHIS2 asks for a data set or element, a period and a unit

    @classmethod
    def from_dhis2(cls, query) -> Selection:
        def many(name):
            values = []
            for item in query.getlist(name):
                values.extend(part for part in item.split(",") if part.strip())
            return [v.strip() for v in values]

        return cls(
            regimes=many("dataSet"),
            indicators=many("dataElement"),
            periods=many("period"),
            start=_date(query.get("startDate")),
            end=_date(query.get("endDate")),
            orgunits=many("orgUnit"),
            children=(query.get("children") or "").lower() == "true",
            include_deleted=(query.get("includeDeleted") or "").lower() == "true",
            updated_since=_datetime(query.get("lastUpdated")),
        )


def _date(text):
    if not text:
        return None
    day = parse_date(text.strip()[:10])
    if day is None:
        raise SelectionError("invalid_date", _("“%s” is not a date (yyyy-mm-dd).") % text)
    return day


def _datetime(text):
    if not text:
        return None
    moment = parse_datetime(text.strip())
    if moment is None:
        day = _date(text)
        moment = datetime.datetime.combine(day, datetime.time())
    return moment


def select_values(user, selection: Selection):
    """The values a selection names that ``user`` may see, as dicts of ``VALUE_FIELDS``."""
    if selection.require_scope:
        if not (selection.regimes or selection.indicators):
            raise SelectionError(
                "E2001", _("At least one data set or data element must be specified.")
            )
        if not (selection.periods or (selection.start and selection.end)):
            raise SelectionError(
                "E2002", _("At least one period, or a start and end date, must be specified.")
            )
        if not selection.orgunits:
            raise SelectionError("E2003", _("At least one organisation unit must be specified."))
    queryset = DataValue.objects.restrict(user, "view")
    indicator_ids = set()
    if selection.regimes:
        regimes = list(
            ReportingRegime.objects.filter(
                Q(uid__in=selection.regimes) | Q(code__in=selection.regimes)
            ).values_list("id", flat=True)
        )
        if not regimes:
            raise SelectionError(
                "E2004", _("Data set not found: %s") % ", ".join(selection.regimes)
            )
        indicator_ids |= set(
            RegimeIndicator.objects.filter(section__regime_id__in=regimes).values_list(
                "indicator_id", flat=True
            )
        )
    if selection.indicators:
        indicator_ids |= set(
            Indicator.objects.filter(
                Q(uid__in=selection.indicators) | Q(code__in=selection.indicators)
            ).values_list("id", flat=True)
        )
    if selection.regimes or selection.indicators:
        queryset = queryset.filter(indicator_id__in=indicator_ids)
    if selection.periods:
        codes = []
        for code in selection.periods:
            try:
                codes.append(periods.parse(code).code)
            except periods.PeriodError as error:
                raise SelectionError("E2005", str(error)) from error
        queryset = queryset.filter(period__in=codes)
    if selection.start:
        queryset = queryset.filter(period_start__gte=selection.start)
    if selection.end:
        queryset = queryset.filter(period_end__lte=selection.end)
    if selection.orgunits:
        units = list(
            OrgUnit.objects.filter(
                Q(uid__in=selection.orgunits) | Q(code__in=selection.orgunits)
            ).values_list("id", flat=True)
        )
        if selection.children:
            units += list(
                OrgUnitClosure.objects.filter(ancestor_id__in=units).values_list(
                    "descendant_id", flat=True
                )
            )
        queryset = queryset.filter(orgunit_id__in=units)
    if not selection.include_deleted:
        queryset = queryset.filter(deleted=False)
    if selection.updated_since:
        queryset = queryset.filter(updated_at__gte=selection.updated_since)
    if selection.status:
        queryset = queryset.filter(status=selection.status)
    return queryset.order_by("indicator_id", "period_start", "orgunit_id", "combination_id")


def value_rows(queryset):
    return queryset.values(*VALUE_FIELDS).iterator(chunk_size=5000)


def shown_value(row: dict) -> str | None:
    return value_text(row.get("number"), row.get("text"))


def job_result(job: ImportJob) -> ImportResult:
    """An ImportResult rebuilt from a job's counters and refused rows."""
    result = ImportResult(
        total=job.total,
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        deleted=job.deleted,
        chunks=job.chunks,
        dry_run=job.dry_run,
    )
    result.conflicts = [
        Conflict(i.index, i.line, i.code, i.property, i.object, i.message) for i in job.issues.all()
    ]
    result.refused = len(result.conflicts)
    if job.status == "failed":
        result.error = job.message or "failed"
    return result
