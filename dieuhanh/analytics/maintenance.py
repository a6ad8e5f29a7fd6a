"""Keeping the rollups up to date: incrementally, set-based, on both databases.

Every writer of values records the cells it changed (``datavalues.ChangedCell``) in its own
transaction. ``refresh`` claims them, finds every unit above each changed cell in the
hierarchy of the period's last day (the closure table), and recomputes those units' rollup
rows level by level from the bottom: a unit's value is its own reported value where it has
one (per disaggregation combination), else its children's effective values (their rollup
row, or their reported value when they have none) aggregated by the indicator's rule over
units (sum, average, minimum, maximum, or an average weighted by another indicator). Each
level is one INSERT ... SELECT per rule, over all the changed cells at once, so a bulk import
of a million values costs a few statements, and one value entered in a form costs the same
statements over a handful of rows.

The query side calls ``refresh`` before answering, so a value committed is a value counted;
a beat task does the same every few seconds, so that readers rarely find work left. A
change of the hierarchy (closure rebuilt) marks every rollup for a rebuild, which the next
refresh does; changes of successions only bump the structure version (rollups are kept as
reported; structures are mapped at query time).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from dieuhanh.analytics.models import Rollup, RollupState
from dieuhanh.catalog.models import Indicator, OrgAggregation, ValueType
from dieuhanh.core import periods
from dieuhanh.datavalues.models import ChangedCell, DataValue, ValueStatus, mark_changed
from dieuhanh.orgunits.models import OrgUnitClosure

logger = logging.getLogger(__name__)

STATE_ID = 1
LOCK_KEY = 7_304_815  # the refresh's advisory lock on PostgreSQL

# How the values of one unit's attribute combinations, and of a unit's children, combine.
AGGREGATES = {
    OrgAggregation.SUM: "SUM",
    OrgAggregation.AVERAGE: "AVG",
    OrgAggregation.MIN: "MIN",
    OrgAggregation.MAX: "MAX",
}
NUMERIC_TYPES = (ValueType.NUMBER, ValueType.INTEGER, ValueType.PERCENT, ValueType.INDEX)


@dataclass
class RefreshResult:
    cells: int = 0
    targets: int = 0
    rows: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    structure_version: int | None = None  # as read before the refresh, when nothing to do


# --- the structure's version ---------------------------------------------------------------
def state() -> RollupState:
    found = RollupState.objects.filter(pk=STATE_ID).first()
    if found is None:
        found, _created = RollupState.objects.get_or_create(pk=STATE_ID)
    return found


def structure_version() -> int:
    row = RollupState.objects.filter(pk=STATE_ID).values_list("structure_version", flat=True)
    return row.first() or 0


def _bump(rebuild: bool) -> None:
    """A new structure version: a random number, so that an edit rolled back never leaves
    its number to a later edit (caches computed inside it would be taken for that one's)."""
    changes = {"structure_version": secrets.randbits(62)}
    if rebuild:
        changes["rebuild"] = True
    if not RollupState.objects.filter(pk=STATE_ID).update(**changes):
        RollupState.objects.get_or_create(pk=STATE_ID, defaults=changes)


def hierarchy_changing(sender, unit_ids, **kwargs) -> None:
    """Units are about to move: their former ancestors' rollup rows must be recomputed
    (they may lose what the units brought them). Recorded as changed cells."""
    closure, rollups = OrgUnitClosure._meta.db_table, Rollup._meta.db_table
    for batch in _batches(sorted(unit_ids)):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {ChangedCell._meta.db_table}
                    (indicator_id, orgunit_id, period, period_end)
                SELECT DISTINCT r.indicator_id, r.orgunit_id, r.period, r.period_end
                FROM {rollups} r WHERE r.orgunit_id IN (
                    SELECT k.ancestor_id FROM {closure} k
                    WHERE k.depth > 0 AND k.descendant_id IN ({", ".join(["%s"] * len(batch))}))""",
                batch,
            )


def hierarchy_changed(sender, unit_ids=None, **kwargs) -> None:
    """The closure was rebuilt. For some units: their values are recorded as changed cells,
    so that their new ancestors are recomputed (the former ones were, by
    ``hierarchy_changing``). For the whole structure (a reload): everything is rebuilt."""
    if unit_ids is None:
        _bump(rebuild=True)
        return
    _bump(rebuild=False)
    for batch in _batches(sorted(unit_ids)):
        mark_changed(DataValue.objects.filter(orgunit_id__in=batch, deleted=False))


def _batches(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def structure_edited(sender, **kwargs) -> None:
    """A unit, parent link or succession was saved or deleted: the mappings are stale."""
    _bump(rebuild=False)


# --- refresh ---------------------------------------------------------------------------------
def pending() -> bool:
    """Is there anything to bring up to date?"""
    return probe()[0]


def probe() -> tuple[bool, int]:
    """Whether a refresh has work to do, and the structure's version: one round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT rebuild FROM {RollupState._meta.db_table} WHERE id = %s), "
            f"EXISTS (SELECT 1 FROM {ChangedCell._meta.db_table}), "
            f"(SELECT structure_version FROM {RollupState._meta.db_table} WHERE id = %s)",
            [STATE_ID, STATE_ID],
        )
        rebuild, changed, version = cursor.fetchone()
    return rebuild is None or bool(rebuild) or bool(changed), version or 0


def refresh(*, force_rebuild: bool = False) -> RefreshResult:
    """Bring the rollups up to date with every change committed so far."""
    result = RefreshResult()
    if not force_rebuild:
        work, result.structure_version = probe()
        if not work:
            return result
    began = time.perf_counter()
    with transaction.atomic():
        _lock()
        current = state()
        if force_rebuild or current.rebuild:
            result = rebuild()
            RollupState.objects.filter(pk=STATE_ID).update(rebuild=False, rebuilt_at=timezone.now())
        else:
            maintainer = Maintainer()
            try:
                result.cells = maintainer.claim()
                if result.cells:
                    result.targets, result.rows = maintainer.update()
            finally:
                maintainer.drop()
    result.seconds = time.perf_counter() - began
    if result.cells or result.rebuilt:
        logger.info(
            "analytics refreshed: %s cells, %s targets, %s rows in %.3f s%s",
            result.cells,
            result.targets,
            result.rows,
            result.seconds,
            " (rebuilt)" if result.rebuilt else "",
        )
    return result


def rebuild() -> RefreshResult:
    """Every rollup row again from the values (after the whole structure was reloaded):
    over all values, then over the accepted ones from the cells that have any."""
    result = RefreshResult(rebuilt=True)
    maintainer = Maintainer()
    values = DataValue._meta.db_table
    try:
        for accepted in (False, True):
            with connection.cursor() as cursor:
                if not accepted:
                    cursor.execute(f"DELETE FROM {ChangedCell._meta.db_table}")
                    cursor.execute(f"DELETE FROM {Rollup._meta.db_table}")
                maintainer.create_cells(cursor)
                status = f" AND status = '{ValueStatus.ACCEPTED}'" if accepted else ""
                cursor.execute(
                    f"""INSERT INTO an_cells (indicator_id, orgunit_id, period, period_end)
                    SELECT DISTINCT indicator_id, orgunit_id, period, period_end
                    FROM {values} WHERE NOT deleted AND number IS NOT NULL{status}"""
                )
                cursor.execute("SELECT COUNT(*) FROM an_cells")
                cells = cursor.fetchone()[0]
            if not accepted:
                result.cells = cells
            targets, rows = maintainer.update(bases=(accepted,), fresh=True)
            result.targets += targets
            result.rows += rows
    finally:
        maintainer.drop()
    return result


def _lock() -> None:
    """One refresh at a time; a second waits and then finds the work done. (SQLite's
    IMMEDIATE transaction already holds the database's write lock.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


@dataclass(frozen=True)
class _Rule:
    """An aggregable indicator's rule over units (and its weight, for weighted averages)."""

    indicator_id: int
    aggregation: str
    weight_id: int | None
    weight_same_combinations: bool
    period_type: str
    weight_period_type: str | None


def aggregable_rules() -> dict[int, _Rule]:
    rows = Indicator.objects.filter(value_type__in=NUMERIC_TYPES, formula="").exclude(
        aggregation=OrgAggregation.NONE
    )
    rules = {}
    for indicator in rows.select_related("weight"):
        weight = indicator.weight
        if indicator.aggregation == OrgAggregation.WEIGHTED_AVERAGE and weight is None:
            continue  # a weighted average without weights is not aggregated
        rules[indicator.pk] = _Rule(
            indicator_id=indicator.pk,
            aggregation=indicator.aggregation,
            weight_id=weight.pk if weight else None,
            weight_same_combinations=bool(
                weight and weight.disaggregation_id == indicator.disaggregation_id
            ),
            period_type=indicator.period_type,
            weight_period_type=weight.period_type if weight else None,
        )
    return rules


class Maintainer:
    """One refresh's work on the current connection, in temporary tables (``an_*``)."""

    def __init__(self):
        self.vendor = connection.vendor
        self.values = DataValue._meta.db_table
        self.rollups = Rollup._meta.db_table
        self.closure = OrgUnitClosure._meta.db_table
        self.changed = ChangedCell._meta.db_table
        self.rules = aggregable_rules()

    # --- temporary tables --------------------------------------------------------------------
    def create_cells(self, cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS an_cells")
        cursor.execute(
            "CREATE TEMP TABLE an_cells (indicator_id bigint, orgunit_id bigint, "
            "period varchar(20), period_end date)"
        )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in ("an_cells", "an_targets", "an_weight_periods"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def claim(self) -> int:
        """Move the committed changed cells into ``an_cells`` (distinct) and delete them."""
        with connection.cursor() as cursor:
            self.create_cells(cursor)
            columns = "indicator_id, orgunit_id, period, period_end"
            if self.vendor == "postgresql":
                # Exactly the rows this statement sees are claimed; rows committed later
                # stay for the next refresh.
                cursor.execute(
                    f"""WITH gone AS (DELETE FROM {self.changed} RETURNING {columns})
                    INSERT INTO an_cells ({columns}) SELECT DISTINCT {columns} FROM gone"""
                )
            else:  # the IMMEDIATE transaction holds the write lock: nobody inserts meanwhile
                cursor.execute(
                    f"INSERT INTO an_cells ({columns}) SELECT DISTINCT {columns} "
                    f"FROM {self.changed}"
                )
                cursor.execute(f"DELETE FROM {self.changed}")
            cursor.execute("SELECT COUNT(*) FROM an_cells")
            return cursor.fetchone()[0]

    # --- the update --------------------------------------------------------------------------
    def update(self, bases=(False, True), fresh: bool = False) -> tuple[int, int]:
        """Recompute the rollup rows of every unit above the cells in ``an_cells``, over
        all values and over accepted ones (``bases``); ``fresh``: the table holds no rows
        for them yet. Returns the number of (indicator, unit, period) targets and of rows
        written."""
        if not self.rules:
            return 0, 0
        with connection.cursor() as cursor:
            self._add_weighted_dependents(cursor)
            targets = self._targets(cursor)
            if not targets:
                return 0, 0
            cursor.execute("SELECT DISTINCT level, indicator_id FROM an_targets")
            present: dict[int, set[int]] = defaultdict(set)
            for level, indicator_id in cursor.fetchall():
                present[level].add(indicator_id)
            self._weight_periods(cursor)
            written = 0
            for level in sorted(present, reverse=True):
                for accepted in bases:
                    if not fresh:
                        self._delete(cursor, level, accepted)
                    written += self._insert_level(cursor, level, accepted, present[level])
            return targets, written

    def _ids(self, ids) -> str:
        return ", ".join(str(int(i)) for i in sorted(ids)) or "NULL"

    def _add_weighted_dependents(self, cursor) -> None:
        """A weight that changed changes the weighted averages it weighs."""
        weighted = [r for r in self.rules.values() if r.weight_id is not None]
        if not weighted:
            return
        weight_ids = {r.weight_id for r in weighted}
        cursor.execute(
            f"SELECT DISTINCT indicator_id, period FROM an_cells "
            f"WHERE indicator_id IN ({self._ids(weight_ids)})"
        )
        changed_weight_periods: dict[int, set[str]] = {}
        for indicator_id, period in cursor.fetchall():
            changed_weight_periods.setdefault(indicator_id, set()).add(period)
        rows = []
        for rule in weighted:
            for code in changed_weight_periods.get(rule.weight_id, ()):
                for period in _periods_weighed(code, rule.period_type):
                    rows.append((rule.indicator_id, rule.weight_id, code, period.code, period.end))
        if not rows:
            return
        cursor.execute("DROP TABLE IF EXISTS an_dependents")
        cursor.execute(
            "CREATE TEMP TABLE an_dependents (indicator_id bigint, weight_id bigint, "
            "weight_period varchar(20), period varchar(20), period_end date)"
        )
        cursor.executemany("INSERT INTO an_dependents VALUES (%s, %s, %s, %s, %s)", rows)
        cursor.execute(
            """INSERT INTO an_cells (indicator_id, orgunit_id, period, period_end)
            SELECT DISTINCT d.indicator_id, c.orgunit_id, d.period, d.period_end
            FROM an_cells c JOIN an_dependents d
              ON d.weight_id = c.indicator_id AND d.weight_period = c.period"""
        )
        cursor.execute("DROP TABLE an_dependents")

    def _targets(self, cursor) -> int:
        """Every (indicator, unit, period) at or above a changed cell, with the unit's level
        (its distance from the top of the hierarchy) on the period's last day."""
        cursor.execute("DROP TABLE IF EXISTS an_targets")
        cursor.execute(
            "CREATE TEMP TABLE an_targets (indicator_id bigint, orgunit_id bigint, "
            "period varchar(20), period_end date, level integer)"
        )
        cursor.execute(
            "CREATE INDEX an_targets_cell ON an_targets (indicator_id, orgunit_id, period)"
        )
        cursor.execute(
            f"""INSERT INTO an_targets (indicator_id, orgunit_id, period, period_end, level)
            SELECT DISTINCT c.indicator_id, k.ancestor_id, c.period, c.period_end, 0
            FROM an_cells c JOIN {self.closure} k
              ON k.descendant_id = c.orgunit_id AND k.depth > 0
             AND k.valid_from <= c.period_end AND k.valid_to >= c.period_end
            WHERE c.indicator_id IN ({self._ids(self.rules)})"""
        )
        # A changed unit's own row matters only where it has one: where units below it
        # have data (its own value wins over theirs).
        cursor.execute(
            f"""INSERT INTO an_targets (indicator_id, orgunit_id, period, period_end, level)
            SELECT c.indicator_id, c.orgunit_id, c.period, c.period_end, 0
            FROM an_cells c
            WHERE EXISTS (SELECT 1 FROM {self.rollups} r WHERE r.indicator_id = c.indicator_id
                            AND r.orgunit_id = c.orgunit_id AND r.period = c.period)
              AND NOT EXISTS (SELECT 1 FROM an_targets t WHERE t.indicator_id = c.indicator_id
                            AND t.orgunit_id = c.orgunit_id AND t.period = c.period)"""
        )
        cursor.execute("SELECT COUNT(*) FROM an_targets")
        count = cursor.fetchone()[0]
        if count:
            cursor.execute(
                f"""UPDATE an_targets SET level = (
                    SELECT MAX(k.depth) FROM {self.closure} k
                    WHERE k.descendant_id = an_targets.orgunit_id
                      AND k.valid_from <= an_targets.period_end
                      AND k.valid_to >= an_targets.period_end)"""
            )
            if self.vendor == "postgresql":
                cursor.execute("ANALYZE an_targets")
        return count

    def _weight_periods(self, cursor) -> None:
        """For weighted averages: the period of the weight read for each period weighed."""
        cursor.execute("DROP TABLE IF EXISTS an_weight_periods")
        cursor.execute(
            "CREATE TEMP TABLE an_weight_periods (indicator_id bigint, period varchar(20), "
            "weight_period varchar(20))"
        )
        weighted = {r.indicator_id: r for r in self.rules.values() if r.weight_id is not None}
        if not weighted:
            return
        cursor.execute(
            "SELECT DISTINCT indicator_id, period FROM an_targets "
            f"WHERE indicator_id IN ({self._ids(weighted)})"
        )
        rows = []
        for indicator_id, code in cursor.fetchall():
            weight_period = _weight_period(code, weighted[indicator_id].weight_period_type)
            if weight_period:
                rows.append((indicator_id, code, weight_period))
        cursor.executemany("INSERT INTO an_weight_periods VALUES (%s, %s, %s)", rows)

    def _delete(self, cursor, level: int, accepted: bool) -> None:
        cursor.execute(
            f"""DELETE FROM {self.rollups} WHERE id IN (
                SELECT r.id FROM an_targets t JOIN {self.rollups} r
                  ON r.indicator_id = t.indicator_id AND r.orgunit_id = t.orgunit_id
                 AND r.period = t.period AND r.accepted = %s
                WHERE t.level = %s)""",
            [accepted, level],
        )

    def _value_filter(self, accepted: bool, alias: str = "d") -> str:
        condition = f"NOT {alias}.deleted AND {alias}.number IS NOT NULL"
        if accepted:
            condition += f" AND {alias}.status = '{ValueStatus.ACCEPTED}'"
        return condition

    def _insert_level(self, cursor, level: int, accepted: bool, present: set[int]) -> int:
        """One statement per rule over units among the indicators ``present`` at the level
        (a weighted average: one per indicator)."""
        written = 0
        by_rule: dict[str, list[int]] = {}
        for rule in self.rules.values():
            if rule.aggregation in AGGREGATES and rule.indicator_id in present:
                by_rule.setdefault(rule.aggregation, []).append(rule.indicator_id)
        for aggregation, ids in by_rule.items():
            written += self._insert(cursor, level, accepted, ids, AGGREGATES[aggregation])
        for rule in self.rules.values():
            if rule.aggregation == OrgAggregation.WEIGHTED_AVERAGE and rule.indicator_id in present:
                written += self._insert(cursor, level, accepted, [rule.indicator_id], None, rule)
        return written

    def _child_values(self, accepted: bool, aggregate: str, ids: list[int]) -> str:
        """CTEs ``kids`` (each target's children on the period's last day) and
        ``kid_values`` (each child's effective value per combination)."""
        raw_aggregate = aggregate or "SUM"
        return f"""kids AS (
                SELECT t.indicator_id, t.orgunit_id AS parent_id, k.descendant_id AS child_id,
                       t.period, t.period_end
                FROM an_targets t JOIN {self.closure} k
                  ON k.ancestor_id = t.orgunit_id AND k.depth = 1
                 AND k.valid_from <= t.period_end AND k.valid_to >= t.period_end
                WHERE t.level = %(level)s AND t.indicator_id IN ({self._ids(ids)})
            ),
            kid_values AS (
                SELECT k.indicator_id, k.parent_id, k.child_id, k.period, k.period_end,
                       r.combination_id, r.value
                FROM kids k JOIN {self.rollups} r
                  ON r.indicator_id = k.indicator_id AND r.orgunit_id = k.child_id
                 AND r.period = k.period AND r.accepted = %(accepted)s
                UNION ALL
                SELECT k.indicator_id, k.parent_id, k.child_id, k.period, k.period_end,
                       d.combination_id, {raw_aggregate}(d.number)
                FROM kids k JOIN {self.values} d
                  ON d.indicator_id = k.indicator_id AND d.period = k.period
                 AND d.orgunit_id = k.child_id
                WHERE {self._value_filter(accepted)} AND NOT EXISTS (
                    SELECT 1 FROM {self.rollups} r
                    WHERE r.indicator_id = k.indicator_id AND r.orgunit_id = k.child_id
                      AND r.period = k.period AND r.accepted = %(accepted)s)
                GROUP BY k.indicator_id, k.parent_id, k.child_id, k.period, k.period_end,
                         d.combination_id
            ),
            own AS (
                SELECT t.indicator_id, t.orgunit_id, t.period, t.period_end, d.combination_id,
                       {raw_aggregate}(d.number) AS value
                FROM an_targets t JOIN {self.values} d
                  ON d.indicator_id = t.indicator_id AND d.period = t.period
                 AND d.orgunit_id = t.orgunit_id
                WHERE t.level = %(level)s AND t.indicator_id IN ({self._ids(ids)})
                  AND {self._value_filter(accepted)}
                GROUP BY t.indicator_id, t.orgunit_id, t.period, t.period_end, d.combination_id
            )"""

    def _weights(self, rule: _Rule, accepted: bool) -> str:
        """CTE ``kid_weights``: each child's weight (the weight indicator's effective value
        in the weight's period; summed over its combinations unless they are the same)."""
        combination = "r.combination_id" if rule.weight_same_combinations else "NULL"
        raw_combination = "d.combination_id" if rule.weight_same_combinations else "NULL"
        group = ", d.combination_id" if rule.weight_same_combinations else ""
        r_group = ", r.combination_id" if rule.weight_same_combinations else ""
        return f"""kid_weights AS (
                SELECT k.child_id, k.period, {combination} AS combination_id,
                       SUM(r.value) AS weight
                FROM (SELECT DISTINCT child_id, period FROM kids) k
                JOIN an_weight_periods w
                  ON w.indicator_id = {rule.indicator_id} AND w.period = k.period
                JOIN {self.rollups} r
                  ON r.indicator_id = {rule.weight_id} AND r.orgunit_id = k.child_id
                 AND r.period = w.weight_period AND r.accepted = %(accepted)s
                GROUP BY k.child_id, k.period{r_group}
                UNION ALL
                SELECT k.child_id, k.period, {raw_combination}, SUM(d.number)
                FROM (SELECT DISTINCT child_id, period FROM kids) k
                JOIN an_weight_periods w
                  ON w.indicator_id = {rule.indicator_id} AND w.period = k.period
                JOIN {self.values} d
                  ON d.indicator_id = {rule.weight_id} AND d.period = w.weight_period
                 AND d.orgunit_id = k.child_id
                WHERE {self._value_filter(accepted)} AND NOT EXISTS (
                    SELECT 1 FROM {self.rollups} r
                    WHERE r.indicator_id = {rule.weight_id} AND r.orgunit_id = k.child_id
                      AND r.period = w.weight_period AND r.accepted = %(accepted)s)
                GROUP BY k.child_id, k.period{group}
            )"""

    def _insert(
        self, cursor, level: int, accepted: bool, ids: list[int], aggregate, rule=None
    ) -> int:
        if rule is None:
            ctes = self._child_values(accepted, aggregate, ids)
            aggregated = f"""agg AS (
                SELECT indicator_id, parent_id, period, period_end, combination_id,
                       {aggregate}(value) AS value, COUNT(*) AS n
                FROM kid_values
                GROUP BY indicator_id, parent_id, period, period_end, combination_id
            )"""
        else:
            ctes = self._child_values(accepted, "AVG", ids) + ", " + self._weights(rule, accepted)
            same = "w.combination_id = v.combination_id" if rule.weight_same_combinations else "1=1"
            aggregated = f"""agg AS (
                SELECT v.indicator_id, v.parent_id, v.period, v.period_end, v.combination_id,
                       SUM(v.value * w.weight) / SUM(w.weight) AS value, COUNT(*) AS n
                FROM kid_values v JOIN kid_weights w
                  ON w.child_id = v.child_id AND w.period = v.period AND {same}
                WHERE w.weight > 0
                GROUP BY v.indicator_id, v.parent_id, v.period, v.period_end, v.combination_id
            )"""
        rollups = self.rollups
        sql = f"""WITH {ctes}, {aggregated}
            INSERT INTO {rollups} (indicator_id, orgunit_id, period, period_end, combination_id,
                                   accepted, value, children)
            SELECT a.indicator_id, a.parent_id, a.period, a.period_end, a.combination_id,
                   %(accepted)s,
                   COALESCE(o.value, a.value), CASE WHEN o.value IS NULL THEN a.n ELSE 0 END
            FROM agg a LEFT JOIN own o
              ON o.indicator_id = a.indicator_id AND o.orgunit_id = a.parent_id
             AND o.period = a.period AND o.combination_id = a.combination_id
            UNION ALL
            SELECT o.indicator_id, o.orgunit_id, o.period, o.period_end, o.combination_id,
                   %(accepted)s, o.value, 0
            FROM own o
            WHERE EXISTS (SELECT 1 FROM agg a WHERE a.indicator_id = o.indicator_id
                            AND a.parent_id = o.orgunit_id AND a.period = o.period)
              AND NOT EXISTS (SELECT 1 FROM agg a WHERE a.indicator_id = o.indicator_id
                            AND a.parent_id = o.orgunit_id AND a.period = o.period
                            AND a.combination_id = o.combination_id)"""
        cursor.execute(sql, {"level": level, "accepted": accepted})
        if cursor.rowcount >= 0:
            return cursor.rowcount
        cursor.execute("SELECT changes()")  # SQLite does not count the rows of WITH ... INSERT
        return cursor.fetchone()[0]


def _periods_weighed(weight_period: str, period_type: str) -> list[periods.Period]:
    """The periods of ``period_type`` whose weight is read in ``weight_period``."""
    try:
        period = periods.parse(weight_period)
    except periods.PeriodError:
        return []
    if period.type == period_type:
        return [period]
    try:
        return period.periods(period_type)
    except (periods.PeriodError, ValueError):
        return []


def _weight_period(code: str, weight_type: str | None) -> str | None:
    if weight_type is None:
        return None
    try:
        period = periods.parse(code)
        if period.type == weight_type:
            return code
        return period.containing(weight_type).code
    except (periods.PeriodError, ValueError):
        return None
