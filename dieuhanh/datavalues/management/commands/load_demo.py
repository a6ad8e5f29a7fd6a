"""Load the demo data set (``datavalues.demo``) through the ingest engine.

Values come in on the "demo" channel, one ingest per period type, as a trusted system
loader (no user). After each period type the values are dated as the plan says: each
report's values get the time it was submitted (before its deadline, or after it for the
late ones), with one set-based UPDATE per batch of reports, and so do their audit rows.

The command loads nothing when demo values exist, unless ``--replace`` asks to delete
them first, so that ``setup_data --demo`` can run it at every start.
"""

from __future__ import annotations

import argparse
import datetime
import time

from django.core.management import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import CASCADE, SET_NULL
from django.utils.translation import gettext as _

from dieuhanh.catalog.models import Indicator
from dieuhanh.core import periods
from dieuhanh.core.audit import audit_channel
from dieuhanh.datavalues.demo import DEFAULT_SEED, DEFAULT_START, DemoData, Submission
from dieuhanh.datavalues.ingest import ImportOptions, Scheme, ingest
from dieuhanh.datavalues.models import Channel, DataValue, DataValueAudit, mark_changed
from dieuhanh.orgunits.models import OrgUnit

UPDATE_BATCH = 5_000  # reports per UPDATE of their values' dates


def parse_day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}
        ) from error


class Command(BaseCommand):
    help = (
        "Load the demo data set: monthly, quarterly and yearly series since 2016 for the "
        "reference catalog, recent daily and weekly values, and the flaws the quality "
        "checks must find. Loads nothing when demo values exist, unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--size", type=float, default=1.0, help="volume (1: about 280,000 values)"
        )
        parser.add_argument("--start", type=parse_day, default=DEFAULT_START, help="first day")
        parser.add_argument(
            "--until", type=parse_day, default=None, help="last day (default: end of last month)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="delete the demo values first, then load"
        )

    def handle(self, *args, seed, size, start, until, replace, **options):
        if size <= 0:
            raise CommandError(_("The size must be positive."))
        if until is not None and until < start:
            raise CommandError(_("The last day is before the first day."))
        started = time.perf_counter()
        self.ensure_reference_data()
        existing = DataValue.objects.filter(channel=Channel.DEMO).count()
        if existing and not replace:
            self.stdout.write(
                _(
                    "  %(n)d demo values exist already; nothing was loaded "
                    "(--replace deletes them and loads the demo data again)."
                )
                % {"n": existing}
            )
            return
        if existing:
            deleted = delete_demo_values()
            self.stdout.write(_("  deleted %(n)d demo values") % {"n": deleted})
        demo = DemoData(seed=seed, size=size, start=start, until=until)
        self.stdout.write(
            _("  demo data: seed %(seed)d, size %(size)s, %(start)s to %(until)s")
            % {"seed": seed, "size": f"{size:g}", "start": demo.start, "until": demo.until}
        )
        options = ImportOptions(
            indicator_scheme=Scheme.CODE,
            orgunit_scheme=Scheme.UID,
            combination_scheme=Scheme.UID,
            trusted=True,
        )
        load_started = demo.now
        unit_ids = dict(OrgUnit.objects.values_list("uid", "id"))
        totals = {"created": 0, "updated": 0, "refused": 0}
        for period_type in demo.period_types():
            type_started = time.perf_counter()
            with audit_channel(Channel.DEMO):
                result = ingest(demo.rows(period_type), None, options)
            dated = date_submissions(demo.plan.submissions_for(period_type), unit_ids, load_started)
            for name in totals:
                totals[name] += getattr(result, name)
            label = periods.PeriodType(period_type).label
            self.stdout.write(
                _(
                    "  %(type)s: %(created)d created, %(updated)d updated, %(refused)d "
                    "refused; %(reports)d reports dated (%(seconds).1f s)"
                )
                % {
                    "type": label,
                    "created": result.created,
                    "updated": result.updated,
                    "refused": result.refused,
                    "reports": dated,
                    "seconds": time.perf_counter() - type_started,
                }
            )
            for conflict in result.conflicts[:5]:
                self.stderr.write(f"    {conflict.code} #{conflict.index}: {conflict.message}")
        date_audit_rows(load_started)
        plan = demo.plan
        self.stdout.write(
            _(
                "  total: %(created)d created, %(updated)d updated, %(refused)d refused "
                "(%(seconds).1f s)"
            )
            % {**totals, "seconds": time.perf_counter() - started}
        )
        if plan.broken:
            self.stdout.write(
                _("  flaws: %(unit)s (%(code)s) reports %(mode)s from %(first)s to %(last)s")
                % {
                    "unit": plan.broken.name,
                    "code": plan.broken.code,
                    "mode": {
                        "stuck": _("stuck at its last good values"),
                        "zeros": _("zeros"),
                    }.get(plan.broken.mode, plan.broken.mode),
                    "first": plan.broken.periods[0],
                    "last": plan.broken.periods[-1],
                }
            )
        self.stdout.write(
            _("  flaws: %(missing)d missing reports, %(late)d late reports, %(outliers)d outliers")
            % {
                "missing": len(plan.missing),
                "late": len(plan.late),
                "outliers": len(plan.outliers),
            }
        )
        if totals["refused"]:
            raise CommandError(_("%(n)d demo values were refused.") % {"n": totals["refused"]})

    def ensure_reference_data(self) -> None:
        """Load the reference structure and catalog when the database has none (they are
        normally loaded before, by ``setup_data``)."""
        if not OrgUnit.objects.exists():
            from dieuhanh.orgunits.loader import load_reference_orgunits

            self.stdout.write(_("  loading the reference organisation units"))
            load_reference_orgunits()
        if not Indicator.objects.exists():
            from dieuhanh.catalog.loader import load_reference_catalog

            self.stdout.write(_("  loading the reference catalog"))
            load_reference_catalog()


def delete_demo_values() -> int:
    """Delete the values of the demo channel and the rows that depend on them (their audit
    trail), set-based."""
    values = DataValue.objects.filter(channel=Channel.DEMO)
    with transaction.atomic():
        mark_changed(values)
        for relation in DataValue._meta.related_objects:
            related = relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": values.values("pk")}
            )
            if relation.on_delete is CASCADE:
                related._raw_delete(related.db)
            elif relation.on_delete is SET_NULL:
                related.update(**{relation.field.name: None})
            elif related.exists():
                raise CommandError(
                    _("Demo values are used by %(model)s; they cannot be deleted.")
                    % {"model": relation.related_model._meta.verbose_name_plural}
                )
        count = values.count()
        values._raw_delete(values.db)
    return count


def date_submissions(
    submissions: list[Submission], unit_ids: dict[str, int], since: datetime.datetime
) -> int:
    """Give each report's values (loaded at ``since`` or later) the time it was submitted:
    the reports go into a temporary table, and one UPDATE per batch joins them."""
    table = DataValue._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            unit_ids[s.unit_uid],
            s.period,
            periods.parse(s.period).start,
            adapt(s.submitted_at),
        )
        for s in submissions
        if s.unit_uid in unit_ids
    ]
    stamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS demo_submitted")
        cursor.execute(
            "CREATE TEMP TABLE demo_submitted (orgunit_id bigint, period varchar(20), "
            f"period_start date, submitted_at {stamp})"
        )
        for first in range(0, len(rows), UPDATE_BATCH):
            cursor.execute("DELETE FROM demo_submitted")
            cursor.executemany(
                "INSERT INTO demo_submitted VALUES (%s, %s, %s, %s)",
                rows[first : first + UPDATE_BATCH],
            )
            cursor.execute(
                f"""UPDATE {table} SET created_at = s.submitted_at, updated_at = s.submitted_at
                FROM demo_submitted s
                WHERE {table}.orgunit_id = s.orgunit_id
                  AND {table}.period_start = s.period_start AND {table}.period = s.period
                  AND {table}.channel = %s AND {table}.created_at >= %s""",  # noqa: S608 (table names)
                [Channel.DEMO, adapt(since)],
            )
        cursor.execute("DROP TABLE demo_submitted")
    return len(rows)


def date_audit_rows(since: datetime.datetime) -> None:
    """The audit row of each demo value created since ``since`` takes the value's date."""
    audit, values = DataValueAudit._meta.db_table, DataValue._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {audit} SET time = d.created_at
            FROM {values} d
            WHERE d.id = {audit}.value_id AND {audit}.channel = %s AND {audit}.kind = 'create'
              AND {audit}.time >= %s""",  # noqa: S608 (table names)
            [Channel.DEMO, adapt(since)],
        )
