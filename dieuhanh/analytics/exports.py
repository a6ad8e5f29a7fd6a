"""An analytics answer as a file: CSV (streamed) or Excel (written row by row)."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.core.exports import csv_stream

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def format_message(formats) -> str:
    return _("The format must be one of %(formats)s.") % {"formats": ", ".join(formats)}


def table(answer) -> tuple[list[str], list[list]]:
    """The answer as a sheet: each code followed by its name, in the user's language."""
    meta = answer.metadata
    names = [h.name for h in answer.headers]
    columns: list[str] = []
    for header in answer.headers:
        columns.append(header.column)
        if header.name == "indicator":
            columns.append(_("Indicator name"))
            columns.append(_("Unit of measure"))
        elif header.name == "orgunit":
            columns.append(_("Unit name"))
        elif header.name == "period":
            columns.append(_("Period name"))
        elif header.name == "option":
            columns.append(_("Disaggregation name"))
    rows = []
    for row in answer.rows:
        out = []
        for name, value in zip(names, row, strict=True):
            if name == "indicator":
                indicator = meta["indicators"][value]
                out += [value, indicator["name"], indicator["unit"]]
            elif name == "orgunit":
                out += [meta["orgunits"][value]["code"], meta["orgunits"][value]["name"]]
            elif name == "period":
                out += [value, meta["periods"][value]["label"]]
            elif name == "option":
                out += [value, meta.get("options", {}).get(value, value)]
            elif name == "approximate":
                out.append(_("yes") if value else "")
            else:
                out.append(value)
        rows.append(out)
    return columns, rows


def filename(extension: str) -> str:
    return f"phan-tich-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def download(answer, format: str):
    columns, rows = table(answer)
    if format == "csv":
        response = StreamingHttpResponse(csv_stream(columns, rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
        return response
    return FileResponse(
        xlsx_file(columns, rows), as_attachment=True, filename=filename("xlsx"), content_type=XLSX
    )


def xlsx_file(columns: list[str], rows: list[list]):
    """A write-only workbook (constant memory) in a temporary file, streamed from disk."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Data"))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header = []
    for text in columns:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    workbook.save(handle)
    handle.seek(0)
    return handle
