"""The reference organisation units for the tests, loaded by the product's loader once per
test database and copied back from a snapshot afterwards.

The product's loader (``dieuhanh.orgunits.loader``) builds 14,000 units, their links,
successions, closure and audit rows through the ORM: 8 to 17 seconds a time, and about
twenty modules and browser tests need the structure after an empty database. The first load
of a session runs the real loader onto empty tables and keeps what it wrote, as it wrote it,
in tables beside Django's (``refsnap_*``: a flush between browser tests leaves them alone,
a rolled-back test takes them away with its rows); every later load onto empty tables
copies those rows back in one statement per table. Where any reference row is already
there, the real loader runs: it is idempotent, and tests/orgunits checks that a second load
over a restored copy changes nothing.
"""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connection, transaction

from dieuhanh.core.models import AuditRecord
from dieuhanh.orgunits import loader
from dieuhanh.orgunits.models import (
    OrgUnit,
    OrgUnitClosure,
    OrgUnitGroup,
    OrgUnitGroupSet,
    OrgUnitParent,
    Succession,
)
from dieuhanh.orgunits.signals import structure_changed

# Parents before the rows that point at them.
REFERENCE_MODELS = (
    OrgUnit,
    OrgUnitParent,
    Succession,
    OrgUnitClosure,
    OrgUnitGroupSet,
    OrgUnitGroup,
    OrgUnitGroup.members.through,
)
PREFIX = "refsnap_"
# Audit rows point at content types, whose ids change when a flush recreates them: the copy
# keeps their natural keys and finds the ids again.
CONTENT_TYPE_COLUMNS = ("content_type_id", "related_content_type_id")


def load_reference_orgunits() -> None:
    """The reference structure in the database, as ``loader.load_reference_orgunits()``
    leaves it."""
    with transaction.atomic():
        if any(model.objects.exists() for model in REFERENCE_MODELS):
            loader.load_reference_orgunits()
        elif _snapshot_exists():
            _restore()
        else:
            last_audit = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
            loader.load_reference_orgunits()
            _take_snapshot(last_audit or 0)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _snapshot_exists() -> bool:
    return PREFIX + AuditRecord._meta.db_table in connection.introspection.table_names()


def _audit_columns() -> list[str]:
    return [
        field.column
        for field in AuditRecord._meta.concrete_fields
        if field.column != "id" and field.column not in CONTENT_TYPE_COLUMNS
    ]


def _take_snapshot(after_audit_id: int) -> None:
    audit = _quoted(AuditRecord._meta.db_table)
    columns = ", ".join(f"a.{_quoted(column)}" for column in _audit_columns())
    with connection.cursor() as cursor:
        for model in REFERENCE_MODELS:
            table = _quoted(model._meta.db_table)
            snapshot = _quoted(PREFIX + model._meta.db_table)
            cursor.execute(f"CREATE TABLE {snapshot} AS SELECT * FROM {table}")  # noqa: S608 (table names)
        snapshot = _quoted(PREFIX + AuditRecord._meta.db_table)
        cursor.execute(
            f"""CREATE TABLE {snapshot} AS
            SELECT a.id AS snap_order, {columns},
                   ct.app_label AS ct_app, ct.model AS ct_model,
                   rct.app_label AS rct_app, rct.model AS rct_model
              FROM {audit} a
              LEFT JOIN django_content_type ct ON ct.id = a.content_type_id
              LEFT JOIN django_content_type rct ON rct.id = a.related_content_type_id
             WHERE a.id > %s""",  # noqa: S608 (table and column names)
            [after_audit_id],
        )


def _restore() -> None:
    audit = _quoted(AuditRecord._meta.db_table)
    names = [_quoted(column) for column in _audit_columns()]
    columns, values = ", ".join(names), ", ".join(f"s.{name}" for name in names)
    with connection.cursor() as cursor:
        for model in REFERENCE_MODELS:
            table = _quoted(model._meta.db_table)
            snapshot = _quoted(PREFIX + model._meta.db_table)
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {snapshot}")  # noqa: S608 (table names)
        snapshot = _quoted(PREFIX + AuditRecord._meta.db_table)
        cursor.execute(
            f"""INSERT INTO {audit} ({columns}, content_type_id, related_content_type_id)
            SELECT {values},
                   (SELECT id FROM django_content_type
                     WHERE app_label = s.ct_app AND model = s.ct_model),
                   (SELECT id FROM django_content_type
                     WHERE app_label = s.rct_app AND model = s.rct_model)
              FROM {snapshot} s ORDER BY s.snap_order"""  # noqa: S608 (table and column names)
        )
        # Rows came back with their ids: the sequences move past them (PostgreSQL; SQLite
        # keeps its own counter).
        for statement in connection.ops.sequence_reset_sql(no_style(), REFERENCE_MODELS):
            cursor.execute(statement)
    structure_changed.send(sender=OrgUnitClosure, unit_ids=None)
