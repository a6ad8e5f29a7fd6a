"""Metadata exchange: JSON documents, indicator tables in CSV and Excel, dry runs."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from dieuhanh.catalog.metadata import INDICATOR_COLUMNS
from dieuhanh.catalog.models import Indicator, ReportingRegime
from dieuhanh.core.models import AuditRecord

pytestmark = pytest.mark.usefixtures("catalog")


def export(client) -> dict:
    return json.loads(client.get("/api/v1/metadata/export").content)


def import_document(client, document, dry_run=False):
    url = "/api/v1/metadata/import" + ("?dry_run=true" if dry_run else "")
    return client.post(url, json.dumps(document), content_type="application/json")


def test_dry_run_lists_changes_and_writes_nothing(analyst_client):
    document = export(analyst_client)
    for item in document["indicators"]:
        if item["code"] == "EXPORTS":
            item["name"] = "Kim ngạch xuất khẩu hàng hóa (sửa)"
    document["indicators"].append(
        {**document["indicators"][0], "code": "NEW_ONE", "uid": None, "formula": ""}
    )
    records = AuditRecord.objects.count()
    report = import_document(analyst_client, document, dry_run=True).json()
    assert report["status"] == "dry_run"
    assert report["updated"]["indicators"] == ["EXPORTS"]
    assert report["created"]["indicators"] == ["NEW_ONE"]
    assert Indicator.objects.get(code="EXPORTS").name == "Kim ngạch xuất khẩu hàng hóa"
    assert not Indicator.objects.filter(code="NEW_ONE").exists()
    assert AuditRecord.objects.count() == records + 0
    real = import_document(analyst_client, document).json()
    assert real["status"] == "imported" and real["changes"] == 2
    assert Indicator.objects.get(code="EXPORTS").name.endswith("(sửa)")


def test_one_refused_object_refuses_the_whole_import(analyst_client):
    document = {
        "format": "dieuhanh-catalog",
        "indicators": [
            {**export(analyst_client)["indicators"][0], "code": "GOOD_ONE", "uid": None},
            {
                "code": "BAD_ONE",
                "name": "x",
                "unit": "PERCENT",
                "value_type": "percent",
                "period_type": "monthly",
                "aggregation": "sum",
                "time_aggregation": "none",
            },
        ],
        "regimes": [
            {
                "code": "LATE",
                "name": "x",
                "period_type": "monthly",
                "cutoff_rule": "decree09",
                "deadline_rule": "day_of_last_month",
                "deadline_value": 3,
            }
        ],
    }
    report = import_document(analyst_client, document).json()
    assert report["status"] == "refused"
    refused = {(r["code"], r["error"]) for r in report["refused"]}
    assert ("BAD_ONE", "aggregation_not_meaningful") in refused
    assert ("LATE", "deadline_before_cutoff") in refused
    assert not Indicator.objects.filter(code="GOOD_ONE").exists()
    assert not ReportingRegime.objects.filter(code="LATE").exists()


def test_garbage_is_refused_cleanly(analyst_client):
    not_json = analyst_client.post(
        "/api/v1/metadata/import", "{nope", content_type="application/json"
    )
    assert not_json.status_code == 422 and not_json.json()["code"] == "invalid_json"
    wrong = import_document(analyst_client, {"format": "something-else"}).json()
    assert wrong["status"] == "refused" and wrong["refused"][0]["error"] == "invalid_format"
    malformed = import_document(
        analyst_client, {"categories": [{"code": "X", "name": "x", "options": "abc"}]}
    ).json()
    assert malformed["status"] == "refused"
    negative = import_document(
        analyst_client,
        {"indicators": [{**export(analyst_client)["indicators"][0], "decimals": -1}]},
    ).json()
    assert negative["refused"][0]["error"] == "invalid_decimals"
    no_code = import_document(analyst_client, {"indicators": [{"name": "x"}]}).json()
    assert no_code["refused"][0]["code"] == "#1"


def test_import_needs_the_rights_for_each_kind_of_object(officer_client):
    response = officer_client.post(
        "/api/v1/metadata/import", json.dumps({"indicators": []}), content_type="application/json"
    )
    assert response.status_code == 403


def test_indicators_as_csv_round_trip_with_dry_run(analyst_client):
    response = analyst_client.get("/api/v1/indicators/export?format=csv&group=D1498_7")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(INDICATOR_COLUMNS)
    assert "DISASTER_DAMAGE" in {r["code"] for r in rows}
    same = analyst_client.post(
        "/api/v1/indicators/import",
        {"file": SimpleUploadedFile("indicators.csv", text.encode("utf-8-sig"))},
    ).json()
    assert same["status"] == "dry_run" and same["changes"] == 0
    rows[0]["name_en"] = "Changed in Excel"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, INDICATOR_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    changed = analyst_client.post(
        "/api/v1/indicators/import?dry_run=false",
        {"file": SimpleUploadedFile("indicators.csv", buffer.getvalue().encode())},
    ).json()
    assert changed["status"] == "imported" and changed["updated"]["indicators"] == [rows[0]["code"]]
    rows[1]["unit"] = "FURLONGS"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, INDICATOR_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    refused = analyst_client.post(
        "/api/v1/indicators/import",
        {"file": SimpleUploadedFile("indicators.csv", buffer.getvalue().encode())},
    ).json()
    assert refused["refused"] == [
        {
            "section": "indicators",
            "code": rows[1]["code"],
            "row": 3,  # the line in the file, after the header and the first row
            "error": "unknown_unit_of_measure",
            "detail": refused["refused"][0]["detail"],
        }
    ]


def test_indicators_as_excel_round_trip(analyst_client):
    response = analyst_client.get("/api/v1/indicators/export?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header == list(INDICATOR_COLUMNS)
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "TRADE_BALANCE" in codes and len(codes) >= 60
    report = analyst_client.post(
        "/api/v1/indicators/import",
        {"file": SimpleUploadedFile("indicators.xlsx", response.content)},
    ).json()
    assert report["status"] == "dry_run" and report["changes"] == 0, report
    broken = analyst_client.post(
        "/api/v1/indicators/import",
        {"file": SimpleUploadedFile("indicators.xlsx", b"not a workbook")},
    )
    assert broken.status_code == 422 and broken.json()["code"] == "unreadable_file"
    bad_format = analyst_client.get("/api/v1/indicators/export?format=pdf")
    assert bad_format.status_code == 422


def test_an_import_cannot_change_an_indicator_above_the_importers_clearance(catalog, db):
    from django.test import Client

    from tests.catalog.conftest import user_with_role

    client = Client()
    client.force_login(user_with_role("center_analyst", "public_analyst", clearance="public"))
    document = {
        "indicators": [
            {
                "code": "SOE_REVENUE",
                "name": "x",
                "unit": "BILLION_VND",
                "period_type": "quarterly",
                "aggregation": "sum",
                "time_aggregation": "sum",
            }
        ]
    }
    report = import_document(client, document).json()
    assert report["status"] == "refused"
    assert report["refused"][0]["error"] == "permission_denied"
    assert Indicator.objects.get(code="SOE_REVENUE").name != "x"
