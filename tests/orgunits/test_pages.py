"""The organisation-unit pages, server-rendered, on the real structure."""

import pytest
from django.contrib.auth.models import Permission

from dieuhanh.orgunits.models import OrgUnit
from tests.orgunits.conftest import D, province

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference")]


def test_browse_shows_the_structure_of_the_chosen_day(logged_in_client):
    html = logged_in_client.get("/orgunits/", {"as_of": "2025-02-28"}).content.decode()
    assert "Cơ cấu tại ngày 28/02/2025" in html
    assert "Hà Nam" in html and "Bộ Kế hoạch và Đầu tư" in html
    html = logged_in_client.get("/orgunits/", {"as_of": "30/06/2025"}).content.decode()
    assert "Hà Nam" in html and "Bộ Kế hoạch và Đầu tư" not in html
    assert 'value="30/06/2025"' in html
    html = logged_in_client.get("/orgunits/", {"as_of": "2025-07-01"}).content.decode()
    assert "Hà Nam" not in html and "Bộ Kế hoạch và Đầu tư" not in html
    assert "Ninh Bình" in html


def test_searching_without_diacritics_and_by_former_name(logged_in_client):
    html = logged_in_client.get(
        "/orgunits/", {"q": "ha nam", "as_of": "2025-07-01", "kind": "province"}
    ).content.decode()
    assert "Tìm thấy 1 đơn vị" in html and "Tỉnh Ninh Bình" in html


def test_the_tree_loads_the_units_under_a_province(logged_in_client):
    ninh_binh = province("Ninh Bình", D(2025, 7, 1))
    html = logged_in_client.get(
        f"/orgunits/{ninh_binh.uid}/children/", {"as_of": "2025-07-01"}
    ).content.decode()
    assert html.count('class="dh-tree-node"') == 129


def test_a_unit_page_tells_its_history_in_vietnamese(logged_in_client):
    ninh_binh = province("Ninh Bình", D(2025, 7, 1))
    html = logged_in_client.get(f"/orgunits/{ninh_binh.uid}/").content.decode()
    assert "Thành lập ngày 01/07/2025 trên cơ sở Ninh Bình, Hà Nam và Nam Định (hợp nhất)." in html
    assert "129 đơn vị trực thuộc tại ngày" in html
    ha_nam = province("Hà Nam", D(2025, 6, 30))
    html = logged_in_client.get(f"/orgunits/{ha_nam.uid}/").content.decode()
    assert "Từ ngày 01/07/2025, số liệu thuộc về Ninh Bình (hợp nhất)." in html
    # An ended unit opens on its last day, with its districts then.
    assert "đơn vị trực thuộc tại ngày 30/06/2025" in html


def test_editing_is_for_those_with_the_permission(logged_in_client, user):
    ninh_binh = province("Ninh Bình", D(2025, 7, 1))
    html = logged_in_client.get(f"/orgunits/{ninh_binh.uid}/").content.decode()
    assert 'data-testid="unit-actions"' not in html
    assert logged_in_client.get(f"/orgunits/{ninh_binh.uid}/edit/").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="change_orgunit"))
    assert logged_in_client.get(f"/orgunits/{ninh_binh.uid}/edit/").status_code == 200


def test_an_administrator_edits_and_sees_the_change_history(client, staff_user):
    client.force_login(staff_user)
    unit = province("Ninh Bình", D(2025, 7, 1))
    form = {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "name_en": "Ninh Binh Province",
        "kind": unit.kind,
        "division_type": unit.division_type,
        "valid_from": "01/07/2025",
        "valid_to": "",
        "notes": "",
    }
    response = client.post(f"/orgunits/{unit.uid}/edit/", form, follow=True)
    html = response.content.decode()
    assert "Đã lưu." in html
    assert "Lịch sử thay đổi" in html and "Ninh Binh Province" in html
    assert OrgUnit.objects.get(pk=unit.pk).name_en == "Ninh Binh Province"


def test_a_broken_rule_is_shown_on_the_form(client, staff_user):
    client.force_login(staff_user)
    unit = province("Ninh Bình", D(2025, 7, 1))
    form = {
        "code": "01",
        "name": unit.name,
        "short_name": unit.short_name,
        "name_en": "",
        "kind": unit.kind,
        "division_type": "",
        "valid_from": "2025-07-01",
        "valid_to": "",
        "notes": "",
    }
    html = client.post(f"/orgunits/{unit.uid}/edit/", form).content.decode()
    assert "mã 01 đã được dùng cho Hà Nội" in html
    assert OrgUnit.objects.get(pk=unit.pk).code == "37"
    response = client.post(f"/orgunits/{unit.uid}/end/", {"last_day": "2026-01-01"})
    assert "vẫn còn" in response.content.decode()  # its communes must move first
