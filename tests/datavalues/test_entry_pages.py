"""Web data entry: choose a report, fill in its grid (saved as JSON, cell by cell), write its
narrative sections, submit it; read-only once locked or approved."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dieuhanh.catalog.models import DEFAULT_COMBINATION_UID, NarrativeSection, ReportingRegime
from dieuhanh.datavalues import services
from dieuhanh.datavalues.entry import CellInput, entry_form, find_report, save_cells
from dieuhanh.datavalues.models import DataValue, Narrative, Submission
from dieuhanh.orgunits.models import OrgUnit
from tests.catalog.conftest import user_with_role

LAST_MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y%m")
REGIME = "KTXH_TINH_THANG"


def province(code):
    return (
        OrgUnit.objects.filter(code=code, kind="province")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )


def hanoi():
    return province("01")


@pytest.fixture
def officer(catalog, db):
    return user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=hanoi())


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name="entry", unit=None, period=LAST_MONTH):
    return reverse(f"datavalues:{name}", args=[REGIME, (unit or hanoi()).uid, period])


def post_json(client, target, body):
    return client.post(target, json.dumps(body), content_type="application/json")


def cell(indicator, value, combination=DEFAULT_COMBINATION_UID, comment=""):
    return {"indicator": indicator, "combination": combination, "value": value, "comment": comment}


def all_cells(user, value="1"):
    form = entry_form(user, *find_report(user, REGIME, hanoi().uid, LAST_MONTH))
    return [
        cell(row.code, value, c.combination_uid)
        for section in form.sections
        for block in section.blocks
        for row in block.rows
        for c in row.cells
    ]


def test_choose_page_lists_the_regime_and_the_officers_unit(client):
    page = client.get(reverse("datavalues:choose"))
    assert page.status_code == 200
    regime = ReportingRegime.objects.get(code=REGIME)
    assert f'<option value="{REGIME}">{regime.name}</option>' in page.content.decode()
    html = client.get(reverse("datavalues:choose"), {"regime": REGIME}).content.decode()
    assert f'<option value="{REGIME}" selected>{regime.name}</option>' in html
    units = re.findall(r'<option value="(\w{11})"', html)
    assert units == [hanoi().uid]  # the officer's own province, nothing else
    assert f'value="{LAST_MONTH}"' in html
    opened = client.get(
        reverse("datavalues:choose"),
        {"regime": REGIME, "unit": hanoi().uid, "period": LAST_MONTH, "open": "1"},
    )
    assert opened.status_code == 302 and opened["Location"] == url()


def test_choose_page_of_a_country_wide_reader_offers_every_province_read_only(catalog, db):
    analyst = user_with_role("center_analyst", "chuyen_vien")
    html = client_for(analyst).get(reverse("datavalues:choose"), {"regime": REGIME}).content
    html = html.decode()
    assert 'data-testid="read-only-notice"' in html
    assert 'data-testid="unit-search"' in html
    units = set(re.findall(r'<option value="(\w{11})"', html))
    assert hanoi().uid in units and province("79").uid in units
    assert len(units) == OrgUnit.objects.filter(kind="province", valid_to__isnull=True).count()


def test_choose_page_lists_recent_submitted_reports(client, officer):
    report = find_report(officer, REGIME, hanoi().uid, LAST_MONTH)
    Submission.objects.create(
        regime=report[0],
        orgunit=report[1],
        period=LAST_MONTH,
        submitted_at=datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC),
        submitted_by=officer,
        channel="web",
    )
    html = client.get(reverse("datavalues:choose")).content.decode()
    recent = html[html.index('data-testid="recent-reports"') :]
    assert f'href="{url()}"' in recent
    assert "02/01/2026 10:04" in recent  # Hà Nội time


def test_recent_reports_show_approved_and_locked_status_in_a_fixed_number_of_queries(officer):
    from dieuhanh.catalog.models import Indicator

    analyst = user_with_role("center_analyst", "chuyen_vien")
    regime = ReportingRegime.objects.get(code=REGIME)
    provinces = [province(code) for code in ("01", "79", "48", "31")]
    earlier = (datetime.date.today().replace(day=1) - datetime.timedelta(days=40)).strftime("%Y%m")
    for index, unit in enumerate(provinces):
        for period in (LAST_MONTH, earlier):
            Submission.objects.create(
                regime=regime,
                orgunit=unit,
                period=period,
                submitted_at=datetime.datetime(2026, 1, 2 + index, tzinfo=datetime.UTC),
                submitted_by=analyst,
                channel="web",
            )
    exports = Indicator.objects.get(code="EXPORTS")
    save_cells(
        officer,
        *find_report(officer, REGIME, provinces[0].uid, LAST_MONTH),
        [CellInput("EXPORTS", DEFAULT_COMBINATION_UID, "5")],
    )
    DataValue.objects.filter(indicator=exports).update(status="approved")
    Submission.objects.filter(orgunit=provinces[0], period=LAST_MONTH).update(status="approved")
    country = OrgUnit.objects.get(kind="government")  # every province lies beneath it
    services.lock_period(analyst, period=earlier, orgunit=country, reason="Đã chốt")

    client = client_for(analyst)
    client.get(reverse("datavalues:choose"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as eight_reports:
        html = client.get(reverse("datavalues:choose")).content.decode()
    recent = html[html.index('data-testid="recent-reports"') :]
    statuses = re.findall(r'href="[^"]*/(\w{11})/(\d{6})/".*?data-status="(\w+)"', recent, re.S)
    shown = {(uid, period): status for uid, period, status in statuses}
    assert len(shown) == 8
    assert shown[(provinces[0].uid, LAST_MONTH)] == "approved"
    assert shown[(provinces[1].uid, LAST_MONTH)] == "submitted"
    assert {shown[(unit.uid, earlier)] for unit in provinces} == {"locked"}
    # Eight reports or one: the list costs the same queries.
    Submission.objects.exclude(orgunit=provinces[0], period=LAST_MONTH).delete()
    with CaptureQueriesContext(connection) as one_report:
        client.get(reverse("datavalues:choose"))
    # (at most one more: the locked unit's subtree, which the one unlocked report skips)
    assert len(one_report) <= len(eight_reports) <= len(one_report) + 1


def test_entry_page_renders_the_grid_with_last_periods_values(client, officer):
    report = find_report(officer, REGIME, hanoi().uid, LAST_MONTH)
    previous = find_report(officer, REGIME, hanoi().uid, report[2].previous().code)
    save_cells(officer, *previous, [CellInput("EXPORTS", None, "1500")])
    save_cells(officer, *report, [CellInput("EXPORTS", None, "1600.5", "ước tính")])
    page = client.get(url())
    assert page.status_code == 200
    html = page.content.decode()
    form = entry_form(officer, *report)
    assert html.count('class="form-control dh-input') == form.total == 28
    assert 'data-editable="1"' in html and 'data-testid="submit-open"' in html
    exports = html[html.index('data-row="EXPORTS"') :]
    exports = exports[: exports.index("</tr>")]
    assert 'value="1.600,5"' in exports and 'data-saved="1600.5"' in exports
    assert "<span data-previous-shown>1.500</span>" in exports
    assert "(+6,7%)" in exports
    assert "ước tính" in exports and "has-comment" in exports
    fishery = html[html.index('data-row="FISHERY_OUTPUT"') :]
    assert fishery.index("dh-input") < fishery.index("</tr>")
    assert "Khai thác" in html and "Nuôi trồng" in html  # the disaggregation's columns
    assert html.count('class="dh-required"') == 23  # every row of the regime
    assert html.count('class="form-control dh-narrative-input"') == 5
    assert ">Kiến nghị với Chính phủ, Thủ tướng Chính phủ, các bộ, ngành.</span>" in html
    assert f'data-csrf="{page.context["csrf_token"]}"' in html


def test_save_stores_a_draft_from_the_web(client):
    response = post_json(
        client, url("save"), {"cells": [cell("EXPORTS", "1234.5", comment="sơ bộ")]}
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "errors": [], "saved": 1, "warnings": []}
    value = DataValue.objects.get(indicator__code="EXPORTS", period=LAST_MONTH)
    assert (value.number, value.comment, value.status, value.channel) == (
        Decimal("1234.5"),
        "sơ bộ",
        "draft",
        "web",
    )
    # Emptying the cell deletes the value.
    assert post_json(client, url("save"), {"cells": [cell("EXPORTS", "")]}).json()["ok"]
    assert DataValue.objects.get(indicator__code="EXPORTS", period=LAST_MONTH).deleted


def test_a_bad_value_answers_its_message_and_is_not_stored(client):
    response = post_json(
        client, url("save"), {"cells": [cell("EXPORTS", "12"), cell("IMPORTS", "nhiều")]}
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is False and answer["saved"] == 1
    assert [error["index"] for error in answer["errors"]] == [1]
    assert "nhiều" in answer["errors"][0]["message"]
    assert list(DataValue.objects.values_list("indicator__code", flat=True)) == ["EXPORTS"]
    whole = post_json(client, url("save"), {"cells": [cell("NEW_ENTERPRISES", "2.5")]}).json()
    assert whole["errors"][0]["index"] == 0 and "2.5" in whole["errors"][0]["message"]
    assert not DataValue.objects.filter(indicator__code="NEW_ENTERPRISES").exists()


def test_a_malformed_body_is_refused(client):
    assert client.post(url("save"), "{", content_type="application/json").status_code == 400
    assert post_json(client, url("save"), {"cells": "EXPORTS"}).status_code == 400
    assert post_json(client, url("save"), {"cells": [{"value": "1"}]}).status_code == 400
    assert client.get(url("save")).status_code == 405
    assert not DataValue.objects.exists()


def test_an_officer_of_another_province_may_neither_read_nor_write(catalog, db):
    stranger = client_for(
        user_with_role("agency_data_officer", "can_bo_hcm", orgunit=province("79"))
    )
    assert stranger.get(url()).status_code == 404
    response = post_json(stranger, url("save"), {"cells": [cell("EXPORTS", "1")]})
    assert response.status_code == 403 and response.json()["ok"] is False
    section = NarrativeSection.objects.filter(regime__code=REGIME).first()
    narrative = post_json(stranger, url("narrative"), {"section": section.pk, "text": "x"})
    assert narrative.status_code == 403
    assert stranger.post(url("submit")).status_code == 404
    assert not DataValue.objects.exists() and not Narrative.objects.exists()


def test_a_reader_without_the_entry_permission_sees_the_form_read_only(catalog, db):
    analyst = client_for(user_with_role("center_analyst", "chuyen_vien"))
    html = analyst.get(url()).content.decode()
    assert 'data-editable="0"' in html and 'data-testid="read-only"' in html
    assert 'data-testid="submit-open"' not in html
    assert html.count("disabled>") >= 28
    assert post_json(analyst, url("save"), {"cells": [cell("EXPORTS", "1")]}).status_code == 403
    assert analyst.post(url("submit")).status_code == 403


def test_submit_with_required_rows_empty_is_refused_with_the_names(client):
    post_json(client, url("save"), {"cells": [cell("EXPORTS", "10")]})
    response = client.post(url("submit"))
    assert response.status_code == 302 and response["Location"] == url()
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error"
    assert "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng" in message.message
    assert "Kim ngạch xuất khẩu hàng hóa" not in message.message
    assert not Submission.objects.exists()
    assert DataValue.objects.get().status == "draft"


def test_a_filled_report_is_submitted(client, officer):
    answer = post_json(client, url("save"), {"cells": all_cells(officer)}).json()
    assert answer == {"ok": True, "errors": [], "saved": 28, "warnings": []}
    response = client.post(url("submit"))
    assert response.status_code == 302
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "success"
    submission = Submission.objects.get()
    assert (submission.submitted_by, submission.period, submission.channel) == (
        officer,
        LAST_MONTH,
        "web",
    )
    assert set(DataValue.objects.values_list("status", flat=True)) == {"submitted"}
    html = client.get(url()).content.decode()
    assert 'data-status="submitted"' in html and 'data-testid="submitted-at"' in html
    assert 'data-testid="submit-open"' not in html
    assert 'class="fw-semibold" data-progress-filled>28<' in html
    # A correction after submitting reaches the center as submitted.
    post_json(client, url("save"), {"cells": [cell("EXPORTS", "2")]})
    assert DataValue.objects.get(indicator__code="EXPORTS").status == "submitted"


def test_a_locked_period_is_read_only_and_refuses_writes(client, officer):
    analyst = user_with_role("center_analyst", "chuyen_vien")
    regime = ReportingRegime.objects.get(code=REGIME)
    services.lock_period(analyst, period=LAST_MONTH, regime=regime, reason="Đã chốt số liệu")
    html = client.get(url()).content.decode()
    assert 'data-editable="0"' in html and 'data-status="locked"' in html
    assert 'data-testid="read-only"' in html and 'data-testid="submit-open"' not in html
    assert html.count("disabled>") >= 28
    response = post_json(client, url("save"), {"cells": [cell("EXPORTS", "1")]})
    assert response.status_code == 409 and response.json()["ok"] is False
    section = NarrativeSection.objects.filter(regime=regime).first()
    narrative = post_json(client, url("narrative"), {"section": section.pk, "text": "x"})
    assert narrative.status_code == 409
    client.post(url("submit"))
    assert not DataValue.objects.exists() and not Narrative.objects.exists()
    assert not Submission.objects.exists()


def test_an_approved_report_is_read_only(client):
    post_json(client, url("save"), {"cells": [cell("EXPORTS", "10")]})
    DataValue.objects.update(status="approved")
    html = client.get(url()).content.decode()
    assert 'data-status="approved"' in html and 'data-editable="0"' in html
    response = post_json(client, url("save"), {"cells": [cell("EXPORTS", "11")]})
    assert response.status_code == 409
    assert DataValue.objects.get().number == 10


def test_narratives_save_themselves(client, officer):
    sections = list(NarrativeSection.objects.filter(regime__code=REGIME).order_by("sort_order"))
    response = post_json(client, url("narrative"), {"section": sections[0].pk, "text": "Tăng khá"})
    assert response.status_code == 200 and response.json()["ok"] is True
    assert re.fullmatch(r"\d\d:\d\d", response.json()["saved_at"])
    stored = Narrative.objects.get(section=sections[0], period=LAST_MONTH)
    assert (stored.text, stored.orgunit, stored.updated_by) == ("Tăng khá", hanoi(), officer)
    # Without JavaScript the section's own form posts it.
    plain = client.post(url("narrative"), {"section": sections[2].pk, "text": "Thiếu vốn"})
    assert plain.status_code == 302 and plain["Location"] == url()
    assert Narrative.objects.get(section=sections[2]).text == "Thiếu vốn"
    html = client.get(url()).content.decode()
    assert ">Tăng khá</textarea>" in html and ">Thiếu vốn</textarea>" in html
    other = NarrativeSection.objects.exclude(regime__code=REGIME).first()
    refused = post_json(client, url("narrative"), {"section": other.pk, "text": "x"})
    assert refused.status_code == 400 and Narrative.objects.count() == 2
    # The form's refusal comes back as a message on the report's page.
    plain_refused = client.post(url("narrative"), {"section": other.pk, "text": "x"})
    assert plain_refused.status_code == 302
    [message] = [str(m) for m in get_messages(plain_refused.wsgi_request)]
    assert "phần thuyết minh" in message and Narrative.objects.count() == 2


def test_an_unknown_report_is_a_404_page_that_says_why(client):
    page = client.get(url(period="2025Q1"))
    assert page.status_code == 404
    assert 'data-testid="report-not-found"' in page.content.decode()
    assert (
        client.get(
            reverse("datavalues:entry", args=["KHONG_CO", hanoi().uid, LAST_MONTH])
        ).status_code
        == 404
    )
