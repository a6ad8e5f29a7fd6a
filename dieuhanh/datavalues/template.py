"""The Excel form of a report: download it pre-filled, fill it in Excel, upload it back.

The first sheet is what a civil servant sees: the regime, unit and period on top, then one
row per indicator and disaggregation option with the stored value, last period's value and
a comment column; only the value and comment cells are unlocked. Two hidden columns carry
the indicator code and the option combination uid, and a hidden sheet ``_dieuhanh`` names
the regime, the unit (uid) and the period, so an uploaded form is read back exactly,
whatever the user did to the visible labels.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from dieuhanh.datavalues.entry import EntryForm
from dieuhanh.datavalues.ingest import RawValue
from dieuhanh.datavalues.sources import Source, SourceError, check_xlsx

META_SHEET = "_dieuhanh"
FIRST_ROW = 7  # the header row; values start below it
COLUMNS = ("code", "combination", "no", "indicator", "unit", "option", "value", "comment", "prev")


def build_template(form: EntryForm) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Report")[:31]
    bold = Font(bold=True)
    sheet["C1"] = form.regime.name
    sheet["C1"].font = Font(bold=True, size=14)
    sheet["C2"] = _("Unit: %(unit)s") % {"unit": form.unit.name}
    sheet["C3"] = _("Period: %(period)s") % {"period": form.period.label()}
    sheet["C4"] = _(
        "Enter values in the yellow column only; keep the rows and the hidden columns as they are."
    )
    sheet["C4"].font = Font(italic=True, color="666666")
    headers = (
        "code",
        "combination",
        _("No."),
        _("Indicator"),
        _("Unit of measure"),
        _("Disaggregation"),
        _("Value"),
        _("Comment"),
        _("Previous period (%(period)s)") % {"period": form.previous_period.code},
    )
    for column, title in enumerate(headers, start=1):
        cell = sheet.cell(row=FIRST_ROW, column=column, value=title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    editable = PatternFill("solid", fgColor="FFF8D6")
    number_check = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+20",
        formula2="1E+20",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not a number"),
        error=_("Enter a number."),
    )
    sheet.add_data_validation(number_check)
    row_number = FIRST_ROW
    count = 0
    for section in form.sections:
        row_number += 1
        sheet.cell(row=row_number, column=4, value=section.name).font = bold
        for block in section.blocks:
            for row in block.rows:
                count += 1
                for index, cell_data in enumerate(row.cells):
                    row_number += 1
                    values = (
                        row.code,
                        cell_data.combination_uid,
                        count if index == 0 else None,
                        row.name if index == 0 else None,
                        row.unit if index == 0 else None,
                        cell_data.combination_name if len(row.cells) > 1 else None,
                        _excel_value(cell_data.value, row.value_type),
                        cell_data.comment or None,
                        _excel_value(cell_data.previous, row.value_type),
                    )
                    for column, value in enumerate(values, start=1):
                        sheet.cell(row=row_number, column=column, value=value)
                    for column in (7, 8):
                        target = sheet.cell(row=row_number, column=column)
                        target.protection = Protection(locked=not form.editable)
                        if form.editable:
                            target.fill = editable
                    if row.value_type in ("number", "integer", "percent", "index"):
                        number_check.add(sheet.cell(row=row_number, column=7))
    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["B"].hidden = True
    for letter, width in zip("CDEFGHI", (6, 60, 14, 22, 16, 30, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW + 1, column=7)
    sheet.protection.sheet = True  # only the value and comment cells can be typed in
    sheet.protection.formatCells = False
    sheet.protection.formatColumns = False
    meta = workbook.create_sheet(META_SHEET)
    for key, value in (
        ("regime", form.regime.code),
        ("orgunit", form.unit.uid),
        ("period", form.period.code),
        ("version", "1"),
    ):
        meta.append([key, value])
    meta.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(value: str | None, value_type: str):
    """A stored value as Excel should hold it: numbers as numbers."""
    if value in (None, ""):
        return None
    if value_type in ("number", "integer", "percent", "index"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value


def is_template(data: bytes) -> bool:
    """Whether an uploaded workbook is one of our forms (it has the hidden meta sheet)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError):
        return False
    return f'name="{META_SHEET}"'.encode() in workbook


def read_template(data: bytes) -> Source:
    """The values of a filled-in form, with the report it belongs to as defaults."""
    check_xlsx(data)
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta_rows = workbook.get_sheet_by_name(META_SHEET).to_python()
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine's own error types for broken files
        raise SourceError(
            "invalid_template", _("The file is not a report form from this system: %s") % error
        ) from error
    meta = {str(row[0]): str(row[1]) for row in meta_rows if len(row) >= 2}
    if not {"regime", "orgunit", "period"} <= set(meta):
        raise SourceError("invalid_template", _("The report form has lost its hidden sheet."))

    def values():
        index = 0
        for line, row in enumerate(rows, start=1):
            if line <= FIRST_ROW or len(row) < 8 or not row[0] or not row[1]:
                continue
            value, comment = row[6], row[7]
            if value in (None, "") and comment in (None, ""):
                continue
            yield RawValue(
                index,
                line,
                str(row[0]).strip(),
                meta["period"],
                meta["orgunit"],
                str(row[1]).strip(),
                None,
                _cell_text(value),
                _cell_text(comment),
            )
            index += 1

    return Source(
        defaults={"regime": meta["regime"], "period": meta["period"], "orgunit": meta["orgunit"]},
        rows=values(),
        encoding="xlsx",
    )


def _cell_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()
