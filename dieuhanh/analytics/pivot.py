"""An analytics answer laid out as a pivot table: some dimensions down the rows, one or
more across the columns."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

DIMENSIONS = ("indicator", "orgunit", "period", "option")


@dataclass
class PivotCell:
    value: float | None
    decimals: int
    approximate: bool


@dataclass
class PivotRow:
    labels: list[str]
    unit: str  # the unit of measure ("" when the indicators are across the columns)
    cells: list[PivotCell]


@dataclass
class PivotTable:
    row_dimensions: list[str]
    column_dimensions: list[str]
    column_labels: list[list[str]]  # one list of labels per column
    rows: list[PivotRow]


def layout(
    dimensions: list[str], rows: list[str], columns: list[str]
) -> tuple[list[str], list[str]]:
    """Rows and columns from the caller's choice: every dimension once, those not placed
    go down the rows; at least one dimension across the columns."""
    columns = [d for d in dict.fromkeys(columns) if d in dimensions]
    rows = [d for d in dict.fromkeys(rows) if d in dimensions and d not in columns]
    rows += [d for d in dimensions if d not in rows and d not in columns]
    if not columns:
        columns = [rows.pop()] if len(rows) > 1 else ["period"]
        rows = [d for d in rows if d not in columns]
    return rows, columns


def _label(meta: dict, dimension: str, key: str) -> str:
    if dimension == "indicator":
        return meta["indicators"][key]["name"]
    if dimension == "orgunit":
        return meta["orgunits"][key]["name"]
    if dimension == "period":
        return meta["periods"][key]["label"]
    return meta.get("options", {}).get(key, key)


def build(answer, rows: list[str], columns: list[str]) -> PivotTable:
    meta = answer.metadata
    names = [h.name for h in answer.headers]
    dimensions = [d for d in DIMENSIONS if d in names]
    rows, columns = layout(dimensions, rows, columns)
    order = {
        "indicator": meta["dimensions"]["indicators"],
        "orgunit": meta["dimensions"]["orgunits"],
        "period": meta["dimensions"]["periods"],
        "option": meta["dimensions"].get("options", []),
    }
    index = {name: names.index(name) for name in (*dimensions, "value", "approximate")}
    values = {}
    for row in answer.rows:
        key = tuple(row[index[d]] for d in dimensions)
        values[key] = (row[index["value"]], row[index["approximate"]])
    row_keys = list(itertools.product(*(order[d] for d in rows)))
    column_keys = list(itertools.product(*(order[d] for d in columns)))
    # Leave out rows and columns with no value at all (a unit that did not exist yet).
    row_keys = [
        rk
        for rk in row_keys
        if any(_lookup(values, dimensions, rows, rk, columns, ck) for ck in column_keys)
    ] or row_keys
    column_keys = [
        ck
        for ck in column_keys
        if any(_lookup(values, dimensions, rows, rk, columns, ck) for rk in row_keys)
    ] or column_keys
    cells = []
    units = []
    for row_key in row_keys:
        line = []
        indicator_code = _fixed(dimensions, rows, row_key, "indicator")
        for column_key in column_keys:
            found = _lookup(values, dimensions, rows, row_key, columns, column_key)
            code = indicator_code or _fixed(dimensions, columns, column_key, "indicator")
            decimals = meta["indicators"][code]["decimals"] if code else 1
            if found is None:
                line.append(PivotCell(None, decimals, False))
            else:
                line.append(PivotCell(found[0], decimals, bool(found[1])))
        cells.append(line)
        units.append(meta["indicators"][indicator_code]["unit"] if indicator_code else "")
    return PivotTable(
        row_dimensions=rows,
        column_dimensions=columns,
        column_labels=[
            [_label(meta, d, k) for d, k in zip(columns, ck, strict=True)] for ck in column_keys
        ],
        rows=[
            PivotRow([_label(meta, d, k) for d, k in zip(rows, rk, strict=True)], unit, line)
            for rk, unit, line in zip(row_keys, units, cells, strict=True)
        ],
    )


def _fixed(dimensions, placed, key, dimension) -> str | None:
    if dimension in placed:
        return key[placed.index(dimension)]
    return None


def _lookup(values, dimensions, rows, row_key, columns, column_key):
    chosen = dict(zip(rows, row_key, strict=True)) | dict(zip(columns, column_key, strict=True))
    found = values.get(tuple(chosen[d] for d in dimensions))
    if found is None or found[0] is None:
        return None
    return found
