"""``GET /api/v1/analytics``: the answer's shape, exports, who may ask for what, and a
value posted through the DHIS2-compatible API counted at once."""

import csv
import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from dieuhanh.accounts.services import create_token
from dieuhanh.analytics import maintenance
from dieuhanh.analytics.models import RollupState
from dieuhanh.catalog.models import Indicator
from dieuhanh.core.models import AuditRecord
from tests.analytics.conftest import MAY_2024, client_for, province, store
from tests.catalog.conftest import user_with_role

URL = "/api/v1/analytics"


@pytest.fixture
def sales(catalog, db):
    hanoi = province("01")
    store(
        [
            ("RETAIL_SALES", hanoi, "202405", "100.25"),
            ("RETAIL_SALES", province("79", MAY_2024), "202405", "300"),
            ("RETAIL_SALES", hanoi, "202305", "80"),
        ]
    )
    return hanoi


def test_the_answer_carries_headers_rows_and_metadata(analyst, sales):
    body = (
        client_for(analyst)
        .get(
            URL,
            {
                "indicators": "RETAIL_SALES",
                "orgunits": "KIND-province",
                "periods": "202405",
                "measures": "yoy,share,rank",
            },
        )
        .json()
    )
    assert [h["name"] for h in body["headers"]] == [
        "indicator",
        "orgunit",
        "period",
        "value",
        "yoy",
        "share",
        "rank",
        "approximate",
    ]
    assert body["headers"][0]["column"] == "Chỉ tiêu"
    assert body["structure"] == datetime.date.today().isoformat()
    rows = {row[1]: row for row in body["rows"]}
    assert len(rows) == 34
    # rounded half up to the indicator's one decimal
    assert rows[sales.uid][3:7] == [100.3, 25.31, 25.05, 2]
    meta = body["metadata"]
    assert meta["indicators"]["RETAIL_SALES"]["growth_unit"] == "%"
    assert meta["orgunits"][sales.uid]["code"] == "01"
    assert meta["periods"]["202405"]["label"] == "Tháng 5/2024"
    assert meta["dimensions"]["periods"] == ["202405"]
    precise = client_for(analyst).get(
        URL,
        {
            "indicators": "RETAIL_SALES",
            "orgunits": sales.uid,
            "periods": "202405",
            "skip_rounding": "true",
        },
    )
    assert precise.json()["rows"][0][3] == 100.25
    added = client_for(analyst).get(
        URL,
        {
            "indicators": "RETAIL_SALES",
            "orgunits": sales.uid,
            "periods": "202304..202306",
            "aggregate_periods": "true",
        },
    )
    assert added.json()["rows"][0][2:4] == ["202304..202306", 80]
    filtered = client_for(analyst).get(
        URL, {"indicators": "RETAIL_SALES", "periods": "202405", "filters": "AREA:URBAN"}
    )
    assert filtered.json()["rows"][0][3] is None  # sales have no urban/rural breakdown
    assert filtered.json()["metadata"]["filters"] == ["AREA:URBAN"]


def test_csv_and_excel_downloads_are_audited(analyst, sales):
    client = client_for(analyst)
    ask = {"indicators": "RETAIL_SALES", "orgunits": sales.uid, "periods": "202405;2024"}
    response = client.get(URL, {**ask, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:5] == ["Chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Đơn vị", "Tên đơn vị"]
    assert table[1][:3] == [
        "RETAIL_SALES",
        "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng",
        "tỷ đồng",
    ]
    assert table[1][3:5] == ["01", "Thành phố Hà Nội"]
    assert [row[5] for row in table[1:]] == ["202405", "2024"]
    response = client.get(URL, {**ask, "format": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A2"].value == "RETAIL_SALES" and sheet.max_row == 3
    exports = AuditRecord.objects.filter(action="export", user=analyst)
    assert exports.count() == 2
    assert exports.first().detail["what"] == "analytics"
    bad = client.get(URL, {**ask, "format": "pdf"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_format"


def test_bad_input_is_a_422_with_a_code(analyst):
    client = client_for(analyst)
    response = client.get(URL, {"indicators": "RETAIL_SALES", "periods": "202413"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_period"
    assert "202413" in response.json()["detail"]
    assert client.get(URL).status_code == 422  # indicators are required


def test_a_province_officer_sees_their_own_province_only(catalog, db, sales):
    officer = user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=sales)
    client = client_for(officer)
    own = client.get(
        URL, {"indicators": "RETAIL_SALES", "orgunits": sales.uid, "periods": "202405"}
    )
    assert own.status_code == 200 and own.json()["rows"][0][3] == 100.3
    other = client.get(
        URL, {"indicators": "RETAIL_SALES", "orgunits": province("79").uid, "periods": "202405"}
    )
    assert other.status_code == 403
    national = client.get(URL, {"indicators": "RETAIL_SALES", "periods": "202405"})
    assert national.status_code == 403
    provinces = client.get(
        URL, {"indicators": "RETAIL_SALES", "orgunits": "KIND-province", "periods": "202405"}
    ).json()
    assert list(provinces["metadata"]["orgunits"]) == [sales.uid]


def test_sensitive_indicators_need_clearance(catalog, db):
    assert Indicator.objects.get(code="SOE_REVENUE").sensitivity == "internal"
    leader = user_with_role("leader", "lanh_dao", clearance="public")
    client = client_for(leader)
    refused = client.get(URL, {"indicators": "SOE_REVENUE", "periods": "2024Q1"})
    assert refused.status_code == 422 and refused.json()["code"] == "unknown_indicator"
    allowed = client.get(URL, {"indicators": "RETAIL_SALES", "periods": "2024Q1"})
    assert allowed.status_code == 200
    # A public derived indicator resting on an internal one is refused too.
    Indicator.objects.filter(code="IMPORTS").update(sensitivity="internal")
    derived = client.get(URL, {"indicators": "TRADE_BALANCE", "periods": "2024"})
    assert derived.status_code == 403 and "IMPORTS" in derived.json()["detail"]
    leader.clearance = "internal"
    leader.save(update_fields=["clearance"])
    assert client.get(URL, {"indicators": "SOE_REVENUE", "periods": "2024Q1"}).status_code == 200


def test_refused_without_permission_or_token_scope(catalog, db, sales):
    consumer = user_with_role("data_consumer", "khai_thac")
    assert client_for(consumer).get(URL, {"indicators": "RETAIL_SALES"}).status_code == 403
    from django.test import Client

    anonymous = Client()
    assert anonymous.get(URL, {"indicators": "RETAIL_SALES"}).status_code == 401
    analyst = user_with_role("center_analyst", "phan_tich")
    _token, key = create_token(None, analyst, "kho", ["quality:read"])
    wrong = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert wrong.get(URL, {"indicators": "RETAIL_SALES"}).status_code == 403
    _token, key = create_token(None, analyst, "bang", ["analytics:read"])
    right = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert right.get(URL, {"indicators": "RETAIL_SALES", "periods": "202405"}).status_code == 200


def test_a_value_posted_through_dataValueSets_shows_at_once(catalog, db):
    """The acceptance check: nothing to rebuild, nothing to wait for."""
    from django.test import Client

    officer = user_with_role("integration_client", "he_thong", orgunit=province("01"))
    _token, key = create_token(None, officer, "tich_hop", ["datavalues:write", "analytics:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")
    ask = {"indicators": "RETAIL_SALES", "orgunits": province("01").uid, "periods": month}
    assert client.get(URL, ask).json()["rows"][0][3] is None
    indicator = Indicator.objects.get(code="RETAIL_SALES")
    payload = {
        "dataValues": [
            {
                "dataElement": indicator.uid,
                "period": month,
                "orgUnit": province("01").uid,
                "value": "1234.5",
            }
        ]
    }
    posted = client.post("/api/dataValueSets", json.dumps(payload), content_type="application/json")
    assert posted.status_code == 200, posted.content
    assert client.get(URL, ask).json()["rows"][0][3] == 1234.5
    national = client_for(user_with_role("center_analyst", "trung_tam")).get(
        URL, {"indicators": "RETAIL_SALES", "periods": month}
    )
    assert national.json()["rows"][0][3] == 1234.5
    payload["dataValues"][0]["value"] = "1000"
    client.post("/api/dataValueSets", json.dumps(payload), content_type="application/json")
    assert client.get(URL, ask).json()["rows"][0][3] == 1000


def test_the_structure_version_changes_with_every_edit(catalog, db):
    from dieuhanh.orgunits.services import update_unit

    maintenance.refresh()
    before = RollupState.objects.get().structure_version
    update_unit(None, province("01"), notes="Thủ đô")
    after = RollupState.objects.get()
    assert after.structure_version != before and not after.rebuild
