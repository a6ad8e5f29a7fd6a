"""The catalog pages: browsing, an indicator's page, a regime's schedule, editing."""

import pytest

from dieuhanh.catalog.models import Indicator, ReportingRegime

pytestmark = pytest.mark.usefixtures("catalog")


def test_browse_filters_and_search(officer_client):
    page = officer_client.get("/catalog/").content.decode()
    assert "Danh mục chỉ tiêu" in page
    assert "Nhóm 7: Nhiệm vụ cấp bách, khẩn cấp quốc gia" in page
    found = officer_client.get("/catalog/", {"q": "xuat khau"}).content.decode()
    assert "Kim ngạch xuất khẩu hàng hóa" in found and "Chỉ số giá tiêu dùng" not in found
    emergency = officer_client.get("/catalog/", {"group": "PLAN_EMERGENCY"}).content.decode()
    assert "Số người phải sơ tán" in emergency and "Thu ngân sách nhà nước" not in emergency
    assert "Tạo chỉ tiêu mới" not in found  # officers do not edit the catalog


def test_indicator_page_shows_formula_regimes_and_versions(officer_client):
    page = officer_client.get("/catalog/indicators/TRADE_BALANCE/").content.decode()
    assert "#{EXPORTS} - #{IMPORTS}" in page
    assert "[Kim ngạch xuất khẩu hàng hóa] \N{MINUS SIGN} [Kim ngạch nhập khẩu hàng hóa]" in page
    exports = officer_client.get("/catalog/indicators/EXPORTS/").content.decode()
    assert "Báo cáo tình hình kinh tế - xã hội hằng tháng của tỉnh, thành phố" in exports
    assert "Cán cân thương mại hàng hóa" in exports  # used in its formula
    assert officer_client.get("/catalog/indicators/NOPE/").status_code == 404


def test_regime_page_lists_the_schedule(officer_client):
    page = officer_client.get("/catalog/regimes/KTXH_TINH_THANG/", {"year": 2025}).content.decode()
    assert "15/08/2025" in page and "14/09/2025" in page and "20/09/2025" in page
    assert page.count('<code class="text-body-secondary">2025') == 12
    assert "I.</strong> Tình hình kinh tế - xã hội trong tháng" in page
    daily = officer_client.get("/catalog/regimes/THIEN_TAI_NGAY/").content.decode()
    assert "Số người chết và mất tích do thiên tai" in daily
    listing = officer_client.get("/catalog/regimes/").content.decode()
    assert listing.count("/catalog/regimes/") >= 4


def test_analyst_edits_an_indicator_through_the_form(analyst_client):
    page = analyst_client.get("/catalog/indicators/CPI_YOY/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("groups", "levels", "code")
    }
    data.update(
        {
            "groups": [g.pk for g in form.initial["groups"]],
            "levels": form.initial["levels"],
            "method": "Năm gốc 2024",
            "reason": "Đổi năm gốc",
            "unit": form.initial["unit"],
            "owner": form.initial["owner"],
            "disaggregation": form.initial["disaggregation"],
        }
    )
    response = analyst_client.post("/catalog/indicators/CPI_YOY/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    indicator = Indicator.objects.get(code="CPI_YOY")
    assert indicator.method == "Năm gốc 2024"
    assert indicator.versions.count() == 2
    data["formula"] = "#{CPI_MOM} +"
    refused = analyst_client.post("/catalog/indicators/CPI_YOY/edit/", data)
    assert refused.status_code == 200
    assert "vị trí" in refused.content.decode()  # the position, in Vietnamese


def test_analyst_creates_a_regime_and_a_bad_deadline_is_shown(analyst_client):
    data = {
        "code": "THU_NGHIEM",
        "name": "Báo cáo thử nghiệm",
        "period_type": "monthly",
        "cutoff_rule": "decree09",
        "deadline_rule": "day_of_last_month",
        "deadline_value": 10,
        "frequency": "regular",
        "status": "active",
        "reporter_kinds": ["province"],
    }
    refused = analyst_client.post("/catalog/regimes/new/", data)
    assert refused.status_code == 200
    assert "14/" in refused.content.decode()  # the cut-off end it comes before
    data["deadline_value"] = 20
    created = analyst_client.post("/catalog/regimes/new/", data)
    assert created.status_code == 302
    assert ReportingRegime.objects.get(code="THU_NGHIEM").reporter_kinds == ["province"]


def test_retire_from_the_page(analyst_client):
    assert analyst_client.get("/catalog/indicators/CORE_INFLATION/retire/").status_code == 405
    response = analyst_client.post("/catalog/indicators/CORE_INFLATION/retire/")
    assert response.status_code == 302
    assert Indicator.objects.get(code="CORE_INFLATION").status == "retired"
    analyst_client.post("/catalog/indicators/EXPORTS/retire/")
    assert Indicator.objects.get(code="EXPORTS").status == "active"


def test_analyst_edits_the_data_form_and_outline_as_text(analyst_client):
    url = "/catalog/regimes/GRDP_LAODONG_QUY/content/"
    page = analyst_client.get(url)
    initial = page.context["form"].initial
    assert initial["sections"].startswith("[A] A. Tăng trưởng kinh tế\nGRDP_CURRENT")
    sections = initial["sections"] + "\n[C] C. Hợp tác xã\nNEW_COOPERATIVES?"
    response = analyst_client.post(url, {"sections": sections, "narrative": "I | Tổng quan"})
    assert response.status_code == 302, response.context["form"].errors
    regime = ReportingRegime.objects.get(code="GRDP_LAODONG_QUY")
    last = regime.sections.order_by("sort_order").last()
    assert (last.code, last.name) == ("C", "C. Hợp tác xã")
    assert last.items.get().required is False
    assert [n.title for n in regime.narrative_sections.all()] == ["Tổng quan"]
    monthly = analyst_client.post(url, {"sections": "[A] A\nEXPORTS", "narrative": ""})
    assert monthly.status_code == 200  # a monthly indicator in a quarterly regime
    assert "EXPORTS" in monthly.content.decode()
    unknown = analyst_client.post(url, {"sections": "[A] A\nNOPE", "narrative": ""})
    assert "Dòng 2" in unknown.content.decode()
