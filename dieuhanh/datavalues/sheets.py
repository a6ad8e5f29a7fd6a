"""Lists kept in Excel, imported a row each: the task lists of ``directives`` and the plan's
targets of ``targets``. The first sheet's header row is found by its column names (the
template's, or a few other spellings); a dry run checks every row and lists each error by
row and column; recording writes all the good rows in one transaction, or nothing when any
row is wrong. The caller says what a row means (``runner``)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.datavalues.sources import SourceError, check_xlsx

MAX_ROWS = 20_000
MAX_BYTES = 20 * 2**20


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Layout:
    """The columns of a list: header (as the template writes it) -> field name, other
    spellings accepted (lower case), the fields a row cannot do without."""

    columns: dict[str, str]
    aliases: dict[str, str]
    required: tuple[str, ...]
    header_matches: int = 3  # the header row is the first with this many known names

    def field_of(self, text) -> str | None:
        label = " ".join(str(text or "").split())
        if label in self.columns:
            return self.columns[label]
        lowered = label.lower().rstrip(" *")
        for header, name in self.columns.items():
            if header.lower() == lowered:
                return name
        return self.aliases.get(lowered)

    @property
    def labels(self) -> dict[str, str]:
        """Field name -> the header the template writes."""
        return {value: key for key, value in self.columns.items()}


def cell_text(value) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO days, spaces tidied."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def read_rows(data: bytes, layout: Layout, max_rows: int = MAX_ROWS) -> list[tuple[int, dict]]:
    """The rows of the first sheet as ``(row number, {field: text})``."""
    check_xlsx(data)
    try:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        table = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine's own error types for broken files
        raise SourceError(
            "invalid_spreadsheet", _("The Excel file cannot be read: %s") % error
        ) from error
    header_at = next(
        (
            index
            for index, row in enumerate(table[:10])
            if sum(1 for cell in row if layout.field_of(cell)) >= layout.header_matches
        ),
        None,
    )
    if header_at is None:
        raise SourceError(
            "no_header",
            _("No header row found: use the template's column names (%(names)s).")
            % {"names": ", ".join(layout.columns)},
        )
    fields = [layout.field_of(cell) for cell in table[header_at]]
    missing = [name for name in layout.required if name not in fields]
    if missing:
        raise SourceError(
            "missing_columns",
            _("Columns missing: %(names)s.")
            % {"names": ", ".join(layout.labels[n] for n in missing)},
        )
    rows = []
    for offset, row in enumerate(table[header_at + 1 :], start=header_at + 2):
        values = {
            name: cell_text(cell)
            for name, cell in zip(fields, row, strict=False)
            if name is not None
        }
        if any(values.values()):
            rows.append((offset, values))
    if len(rows) > max_rows:
        raise SourceError(
            "too_many_rows",
            _("The file has %(n)d rows; import at most %(max)d at a time.")
            % {"n": len(rows), "max": max_rows},
        )
    return rows


def run_import(
    upload,
    layout: Layout,
    runner: Callable[[list[tuple[int, dict]], ImportResult], None],
    *,
    commit: bool,
) -> ImportResult:
    """Read ``upload`` and hand its rows to ``runner``, which records each row (inside a
    savepoint of its own) and notes errors and counts in the result; kept only when
    ``commit`` is asked and no row is wrong."""
    result = ImportResult()
    if upload.size > MAX_BYTES:
        message = _("The file is larger than %(n)s MB.") % {"n": MAX_BYTES // 2**20}
        result.errors.append(RowError(0, "", message))
        return result
    try:
        rows = read_rows(upload.read(), layout)
    except SourceError as error:
        result.errors.append(RowError(0, "", str(error)))
        return result
    result.rows = len(rows)
    try:
        with transaction.atomic():
            runner(rows, result)
            if result.errors or not commit:
                transaction.set_rollback(True)
            else:
                result.committed = True
    except PermissionDenied as error:
        result.errors.append(RowError(0, "", str(error)))
        result.committed = False
    if not result.committed:
        result.created = result.updated = result.skipped = 0
    return result


def template(title: str, layout: Layout, example: list):
    """An import template: the sheet ``title``, the header in bold, one example row; in a
    temporary file, for a ``FileResponse``."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(layout.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(example)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 22
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    workbook.save(handle)
    handle.seek(0)
    return handle
