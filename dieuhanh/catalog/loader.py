"""The reference catalog shipped with the product: the indicators of
``fixtures/indicators.csv`` (the facts of the domain's indicator list, in the product's own
CSV layout), units of measure, disaggregations, the 7 groups of Decision 1498/QĐ-TTg and the
4 groups of the action plan, and the reporting regimes of ``fixtures/catalog.json``.

Loaded through ``metadata.import_catalog``, so the reference data obeys every rule and a
second load changes nothing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from dieuhanh.catalog.metadata import ImportReport, import_catalog, indicators_from_table
from dieuhanh.core.audit import audit_channel

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class CatalogLoadError(RuntimeError):
    pass


def reference_document() -> dict:
    document = json.loads((FIXTURES / "catalog.json").read_text(encoding="utf-8"))
    with open(FIXTURES / "units.csv", encoding="utf-8", newline="") as handle:
        document["units"] = list(csv.DictReader(handle))
    with open(FIXTURES / "indicators.csv", encoding="utf-8", newline="") as handle:
        document["indicators"] = indicators_from_table(list(csv.DictReader(handle)))["indicators"]
    return document


def load_reference_catalog() -> ImportReport:
    with audit_channel("command"):
        report = import_catalog(None, reference_document())
    if report.refused:
        problems = "; ".join(f"{r['code']}: {r['detail']}" for r in report.refused[:10])
        raise CatalogLoadError(f"the reference catalog was refused: {problems}")
    return report
