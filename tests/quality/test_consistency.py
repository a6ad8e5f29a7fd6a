"""Cross-source consistency: the national figure against the sum of the provinces, a
ministry's figure against the provinces' reports, within a tolerance."""

import pytest
from django.test import Client

from dieuhanh.accounts.models import User
from dieuhanh.datavalues.ingest import ImportOptions, RawValue, Scheme, ingest
from dieuhanh.orgunits.models import OrgUnit
from tests.catalog.conftest import user_with_role
from tests.quality.test_completeness import months_ago, province

URL = "/api/v1/quality/consistency"


def store(values):
    """(indicator, unit, period, value) through the ingest engine."""
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "quan_tri", password="Mat-khau-2026!"
    )
    rows = [
        RawValue(i, None, code, period, unit.uid, None, None, value)
        for i, (code, unit, period, value) in enumerate(values)
    ]
    options = ImportOptions(indicator_scheme=Scheme.CODE, orgunit_scheme=Scheme.UID, trusted=True)
    result = ingest(rows, admin, options)
    assert result.conflicts == [], result.conflicts


@pytest.fixture
def analyst(catalog, db):
    return user_with_role("center_analyst", "chuyen_vien")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_national_figure_against_the_sum_of_the_provinces(analyst):
    period = months_ago(2).code
    country = OrgUnit.objects.get(kind="government")
    store(
        [
            ("EXPORTS", country, period, "1000"),
            ("EXPORTS", province("01"), period, "600"),
            ("EXPORTS", province("79"), period, "300"),
            ("IMPORTS", country, period, "500"),
            ("IMPORTS", province("01"), period, "498"),
        ]
    )
    body = client_for(analyst).get(URL, {"period": period, "indicator": "EXPORTS,IMPORTS"}).json()
    rows = {row["indicator"]: row for row in body["results"]}
    exports = rows["EXPORTS"]
    assert (exports["reference"], exports["total"], exports["difference"]) == (1000, 900, -100)
    assert exports["relative"] == -10.0 and exports["status"] == "different"
    assert (exports["reporting"], exports["expected"]) == (2, 34)
    assert rows["IMPORTS"]["status"] == "consistent"  # -0.4% within 1%
    assert body["different"] == 1
    loose = (
        client_for(analyst)
        .get(URL, {"period": period, "indicator": "EXPORTS", "tolerance": "15"})
        .json()
    )
    assert loose["results"][0]["status"] == "consistent"
    only = client_for(analyst).get(URL, {"period": period, "differences_only": "true"}).json()
    assert [row["indicator"] for row in only["results"]] == ["EXPORTS"]


def test_a_ministrys_figure_against_the_provinces_and_the_refusals(analyst):
    period = months_ago(2).code
    ministry = OrgUnit.objects.filter(kind="ministry", valid_to__isnull=True).order_by("code")[0]
    store(
        [
            ("PUBLIC_INVEST_DISBURSED", ministry, period, "250"),
            ("PUBLIC_INVEST_DISBURSED", province("01"), period, "150"),
            ("PUBLIC_INVEST_DISBURSED", province("48"), period, "100"),
        ]
    )
    client = client_for(analyst)
    body = client.get(
        URL, {"period": period, "indicator": "PUBLIC_INVEST_DISBURSED", "reference": ministry.uid}
    ).json()
    [row] = body["results"]
    assert (row["reference_unit"], row["difference"], row["status"]) == (
        ministry.uid,
        0.0,
        "consistent",
    )
    national = client.get(URL, {"period": period, "indicator": "PUBLIC_INVEST_DISBURSED"}).json()
    assert national["results"][0]["status"] == "incomplete"  # no national figure
    for query, code in (
        ({"period": period, "indicator": "CPI_YOY"}, "not_additive"),
        ({"period": period, "indicator": "NOPE"}, "unknown_indicator"),
        ({"period": "2025-13"}, "invalid_period"),
        ({"period": period, "reference": "missing0000"}, "unknown_orgunit"),
        ({"period": period, "tolerance": "-1"}, "invalid_tolerance"),
    ):
        refused = client.get(URL, query)
        assert (refused.status_code, refused.json()["code"]) == (422, code), query
    consumer = user_with_role("data_consumer", "khai_thac")  # may not view data values
    assert client_for(consumer).get(URL, {"period": period}).status_code == 403


def test_the_consistency_page_lists_the_differences_first(analyst):
    period = months_ago(2).code
    country = OrgUnit.objects.get(kind="government")
    store(
        [
            ("EXPORTS", country, period, "1000"),
            ("EXPORTS", province("01"), period, "600"),
            ("IMPORTS", country, period, "100"),
            ("IMPORTS", province("01"), period, "100"),
        ]
    )
    page = client_for(analyst).get("/quality/consistency/", {"period": period}).content.decode()
    table = page[page.index('data-testid="consistency-table"') :]
    assert table.index('data-indicator="EXPORTS"') < table.index('data-indicator="IMPORTS"')
    assert 'data-indicator="EXPORTS" data-status="different"' in table
    assert 'data-indicator="IMPORTS" data-status="consistent"' in table
    loose = client_for(analyst).get("/quality/consistency/", {"period": period, "tolerance": "50"})
    assert 'data-indicator="EXPORTS" data-status="consistent"' in loose.content.decode()
