"""Readers that turn what a channel receives into ``RawValue`` rows for the ingest engine.

They stream: a DHIS2 JSON payload of a million values is read item by item (ijson, C
backend), never loaded whole as Python objects. Each reader returns the set-level
defaults it found and an iterator of rows; a structural problem (not JSON, no header, a
spreadsheet that cannot be opened) raises ``SourceError`` with a code and a clear message.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import ijson
from django.utils.translation import gettext as _

from dieuhanh.datavalues.ingest import RawValue

# Upload limits: the size of a file and, for spreadsheets, what unpacking may produce.
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200


class SourceError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Source:
    defaults: dict = field(default_factory=dict)
    rows: Iterator[RawValue] = field(default_factory=lambda: iter(()))
    encoding: str = ""


DHIS2_DEFAULT_KEYS = {
    "dataSet": "regime",
    "period": "period",
    "orgUnit": "orgunit",
    "attributeOptionCombo": "attribute",
}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return str(value)


def _flag(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "x", "có"}


# --- DHIS2 JSON ----------------------------------------------------------------------------------
def dhis2_json(data: bytes) -> Source:
    """``{"dataSet", "period", "orgUnit", "attributeOptionCombo", "dataValues": [...]}``."""
    defaults = _json_head(data)
    return Source(defaults=defaults, rows=_dhis2_json_rows(data))


def _json_head(data: bytes) -> dict:
    """The top-level scalars (set-level defaults), read from the events before the
    ``dataValues`` array, and, when the document does not end with that array, from a full
    scan of the top level (rare: clients put the defaults first)."""
    defaults: dict = {}
    events = ijson.parse(io.BytesIO(data))
    try:
        for prefix, event, value in events:
            if prefix == "" and event == "start_map":
                continue
            if prefix == "" and event == "map_key":
                continue
            if prefix == "dataValues" and event == "start_array":
                break
            if prefix in DHIS2_DEFAULT_KEYS and event in ("string", "number"):
                defaults[DHIS2_DEFAULT_KEYS[prefix]] = _text(value)
            if prefix == "" and event not in ("start_map", "map_key"):
                raise SourceError(
                    "invalid_payload", _("The payload must be a JSON object with dataValues.")
                )
        else:
            return defaults
        tail = data.rstrip()
        if not (tail.endswith(b"}") and tail[:-1].rstrip().endswith(b"]")):
            for prefix, event, value in events:
                if prefix in DHIS2_DEFAULT_KEYS and event in ("string", "number"):
                    defaults[DHIS2_DEFAULT_KEYS[prefix]] = _text(value)
    except ijson.JSONError as error:
        raise SourceError("invalid_json", _("The payload is not valid JSON: %s") % error) from error
    return defaults


def _dhis2_json_rows(data: bytes) -> Iterator[RawValue]:
    index = 0
    try:
        for item in ijson.items(io.BytesIO(data), "dataValues.item"):
            if not isinstance(item, dict):
                item = {}
            get = item.get
            yield RawValue(
                index,
                None,
                _text(get("dataElement")),
                _text(get("period")),
                _text(get("orgUnit")),
                _text(get("categoryOptionCombo")),
                _text(get("attributeOptionCombo")),
                _text(get("value")),
                _text(get("comment")),
                _flag(get("followup")) if "followup" in item else None,
                _flag(get("deleted")) if "deleted" in item else None,
            )
            index += 1
    except ijson.JSONError as error:
        raise SourceError(
            "invalid_json",
            _("The payload is not valid JSON after value %(index)d: %(error)s")
            % {"index": index, "error": error},
        ) from error


# --- native JSON -----------------------------------------------------------------------------
NATIVE_KEYS = {
    "indicator": ("indicator", "dataElement"),
    "period": ("period",),
    "orgunit": ("orgunit", "orgUnit", "unit"),
    "combination": ("disaggregation", "combination", "categoryOptionCombo"),
    "attribute": ("attribute", "attributeOptionCombo"),
}


def native_json(data: bytes) -> Source:
    """A JSON list of ``{indicator, orgunit, period, disaggregation, value, comment,
    followup}`` objects, or ``{"values": [...]}``."""
    start = data.lstrip()[:1]
    if start not in (b"[", b"{"):
        raise SourceError("invalid_json", _("The payload must be a JSON list of values."))
    prefix = "item" if start == b"[" else "values.item"
    return Source(rows=_native_rows(data, prefix))


def _first(item: dict, names: tuple[str, ...]):
    for name in names:
        if name in item:
            return item[name]
    return None


def _native_rows(data: bytes, prefix: str) -> Iterator[RawValue]:
    index = 0
    try:
        for item in ijson.items(io.BytesIO(data), prefix):
            if not isinstance(item, dict):
                item = {}
            yield RawValue(
                index,
                None,
                _text(_first(item, NATIVE_KEYS["indicator"])),
                _text(item.get("period")),
                _text(_first(item, NATIVE_KEYS["orgunit"])),
                _text(_first(item, NATIVE_KEYS["combination"])),
                _text(_first(item, NATIVE_KEYS["attribute"])),
                _text(item.get("value")),
                _text(item.get("comment")),
                _flag(item.get("followup")) if "followup" in item else None,
                _flag(item.get("deleted")) if "deleted" in item else None,
            )
            index += 1
    except ijson.JSONError as error:
        raise SourceError(
            "invalid_json",
            _("The payload is not valid JSON after value %(index)d: %(error)s")
            % {"index": index, "error": error},
        ) from error


# --- tables: DHIS2 CSV, long CSV and Excel -----------------------------------------------
# Column names a header may use, in English, DHIS2's and Vietnamese (without diacritics,
# lower case, spaces as underscores).
COLUMN_ALIASES = {
    "indicator": {
        "indicator",
        "dataelement",
        "data_element",
        "chi_tieu",
        "ma_chi_tieu",
        "indicator_code",
    },
    "period": {"period", "ky", "ky_bao_cao", "thoi_ky"},
    "orgunit": {"orgunit", "org_unit", "unit", "don_vi", "ma_don_vi", "dia_phuong"},
    "combination": {
        "disaggregation",
        "categoryoptioncombo",
        "category_option_combo",
        "combination",
        "phan_to",
    },
    "attribute": {"attributeoptioncombo", "attribute_option_combo", "attribute"},
    "value": {"value", "gia_tri", "so_lieu"},
    "comment": {"comment", "ghi_chu"},
    "followup": {"followup", "follow_up", "theo_doi"},
    "deleted": {"deleted", "xoa"},
}
DHIS2_CSV_ORDER = (
    "indicator",
    "period",
    "orgunit",
    "combination",
    "attribute",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
)


def _column_key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", str(name or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).strip().lower()
    return re.sub(r"[\s\-]+", "_", plain)


def _header_map(header: list) -> dict[str, int] | None:
    """Column positions by field, when the row is a header (it names the indicator and
    value columns); ``None`` otherwise."""
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        key = _column_key(name)
        for fieldname, aliases in COLUMN_ALIASES.items():
            if key in aliases and fieldname not in positions:
                positions[fieldname] = position
    if "indicator" in positions and "value" in positions:
        return positions
    return None


def _cell(row: list, positions: dict[str, int], name: str) -> str | None:
    position = positions.get(name)
    if position is None or position >= len(row):
        return None
    value = row[position]
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value.strip() if isinstance(value, str) else str(value).strip()


def table_rows(
    rows: Iterator[list], *, dhis2: bool = False, first_line: int = 1
) -> Iterator[RawValue]:
    """Rows of a table (CSV or a worksheet) with a header naming the columns; DHIS2 CSV may
    omit the header and use DHIS2's fixed column order."""
    positions = None
    index = 0
    for line, row in enumerate(rows, start=first_line):
        if positions is None:
            positions = _header_map(row)
            if positions is not None:
                continue
            if not dhis2:
                raise SourceError(
                    "missing_header",
                    _(
                        "The first row must name the columns: indicator, unit, period, "
                        "disaggregation, value, comment (or chi_tieu, don_vi, ky, phan_to, "
                        "gia_tri, ghi_chu)."
                    ),
                )
            positions = {name: i for i, name in enumerate(DHIS2_CSV_ORDER)}
        if not any(cell not in (None, "") for cell in row):
            continue

        def cell(name, row=row, positions=positions):
            return _cell(row, positions, name)

        yield RawValue(
            index,
            line,
            cell("indicator"),
            cell("period"),
            cell("orgunit"),
            cell("combination") or None,
            cell("attribute") or None,
            cell("value"),
            cell("comment") or None,
            _flag(cell("followup")),
            _flag(cell("deleted")),
        )
        index += 1


def csv_table(data: bytes, *, dhis2: bool = False, encoding: str | None = None) -> Source:
    from dieuhanh.datavalues.encodings import EncodingError, decode_text

    try:
        text, used = decode_text(data, encoding)
    except EncodingError as error:
        raise SourceError("unreadable_encoding", str(error)) from error
    if "\x00" in text:
        raise SourceError("not_text", _("The file contains binary data; it is not a CSV file."))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=False)
    return Source(rows=table_rows(reader, dhis2=dhis2), encoding=used)


def _lines(text: str) -> Iterator[str]:
    """The lines of a text, one at a time (a StringIO of a 100 MB file would copy it at
    four bytes a character)."""
    start, end = 0, len(text)
    find = text.find
    while start < end:
        stop = find("\n", start)
        if stop < 0:
            yield text[start:]
            return
        yield text[start : stop + 1]
        start = stop + 1


def xlsx_table(data: bytes) -> Source:
    check_xlsx(data)
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own error types for broken files
        raise SourceError(
            "invalid_spreadsheet", _("The Excel file cannot be read: %s") % error
        ) from error
    return Source(rows=table_rows(iter(rows)))


def check_xlsx(data: bytes) -> None:
    """Refuse what is not an .xlsx (a zip) and zip bombs, before unpacking anything."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise SourceError(
            "invalid_spreadsheet", _("The file is not an Excel workbook (.xlsx).")
        ) from error
    unpacked = sum(info.file_size for info in archive.infolist())
    packed = max(1, sum(info.compress_size for info in archive.infolist()))
    if unpacked > MAX_XLSX_UNPACKED_BYTES or unpacked / packed > MAX_XLSX_RATIO:
        raise SourceError(
            "suspicious_spreadsheet",
            _("The workbook unpacks to %(size)d MB; it is refused as a possible zip bomb.")
            % {"size": unpacked // (1024 * 1024)},
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise SourceError("invalid_spreadsheet", _("The file is not an Excel workbook (.xlsx)."))
