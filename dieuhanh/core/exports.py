"""Streaming CSV exports; every export is an audited event."""

from __future__ import annotations

import csv
import datetime
import io

from django.http import HttpResponse, StreamingHttpResponse

from dieuhanh.core.audit import record_event


def plain(value):
    """A value as CSV or JSON text wants it (dates in ISO form, None empty in CSV)."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def csv_stream(columns, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Vietnamese correctly with a BOM
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else plain(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, columns, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_stream(columns, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_response(filename: str, content, content_type: str) -> HttpResponse:
    """A download: ``content`` (bytes or text) offered as ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def audit_export(user, what: str, parameters: dict) -> None:
    record_event("export", user, detail={"what": what, "parameters": parameters})
