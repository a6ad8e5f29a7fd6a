"""Analysts compose dashboards from items, arrange and share them; leaders pin favourites;
an administrator loads the official boundary file. Every write is audited; refusals name
the reason."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dieuhanh.accounts.models import Role
from dieuhanh.core.models import AuditRecord
from dieuhanh.dashboards import services
from dieuhanh.dashboards.models import BoundaryMap, Dashboard, DashboardItem, Favourite
from tests.catalog.conftest import user_with_role
from tests.dashboards.conftest import client_for


def square(x: float, y: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]],
    }


def boundary_file(**extra) -> str:
    """A synthetic boundary file: two provinces of today and one unknown feature."""
    features = [
        {
            "type": "Feature",
            "properties": {"code": "01", "name": "Hà Nội"},
            "geometry": square(105, 21),
        },
        {"type": "Feature", "properties": {"ma_tinh": "79"}, "geometry": square(106, 10)},
        {
            "type": "Feature",
            "properties": {"code": "99", "name": "Không có"},
            "geometry": square(0, 0),
        },
    ]
    return json.dumps({"type": "FeatureCollection", "features": features, **extra})


def test_an_analyst_builds_shares_and_arranges_a_dashboard(analyst, leader):
    client = client_for(analyst)
    leader_role = Role.objects.get(code="leader")
    response = client.post(
        "/dashboards/new/",
        {"title": "Xuất nhập khẩu", "description": "Theo dõi hằng tháng", "refresh_seconds": 300,
         "shared_roles": [leader_role.pk]},
    )  # fmt: skip
    board = Dashboard.objects.get(title="Xuất nhập khẩu")
    assert response.status_code == 302 and board.owner == analyst
    for fields in (
        {"kind": "kpi", "indicators": ["EXPORTS"], "width": 3, "height": "small"},
        {"kind": "chart", "indicators": ["EXPORTS", "IMPORTS"], "width": 9, "height": "medium",
         "chart_type": "combined", "periods": "LAST_12_MONTHS", "target": "42000,5"},
        {"kind": "text", "text": "Ghi chú của Trung tâm", "width": 12, "height": "small"},
    ):  # fmt: skip
        assert client.post(f"/dashboards/{board.uid}/items/new/", fields).status_code == 302
    items = list(board.items.order_by("position"))
    assert [item.kind for item in items] == ["kpi", "chart", "text"]
    assert float(items[1].target) == 42000.5 and items[1].periods == "LAST_12_MONTHS"
    client.post(f"/dashboards/{board.uid}/items/{items[2].pk}/action/", {"action": "up"})
    assert [i.kind for i in board.items.order_by("position")] == ["kpi", "text", "chart"]
    client.post(f"/dashboards/{board.uid}/items/{items[0].pk}/action/", {"action": "delete"})
    assert board.items.count() == 2
    # The leaders see it; a leader may not change it.
    reader = client_for(leader)
    assert reader.get(f"/dashboards/{board.uid}/").status_code == 200
    assert reader.get(f"/dashboards/{board.uid}/edit/").status_code == 403
    assert reader.post(f"/dashboards/{board.uid}/items/new/", {"kind": "text"}).status_code == 403
    # Every step audited.
    kinds = set(AuditRecord.objects.filter(user=analyst).values_list("action", flat=True))
    assert {"add", "change", "delete"} <= kinds
    assert AuditRecord.objects.filter(object_id=str(board.pk), action="add").exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"kind": "kpi", "indicators": []}, "indicators", "ít nhất một chỉ tiêu"),
        ({"kind": "kpi", "indicators": ["NO_SUCH"]}, "indicators", "NO_SUCH"),
        ({"kind": "kpi", "indicators": ["EXPORTS"], "width": 13}, "width", "1 đến 12"),
        ({"kind": "chart", "indicators": ["EXPORTS"], "periods": "2025M13"}, "periods", "2025M13"),
        ({"kind": "chart", "indicators": ["EXPORTS"], "target": "nhiều"}, "target", "số"),
        ({"kind": "text", "text": ""}, "text", "nội dung"),
        ({"kind": "video"}, "kind", "loại"),
    ],
)
def test_a_bad_item_is_refused_naming_the_field(analyst, fields, field, words):
    board = services.save_dashboard(analyst, None, title="Thử")
    with pytest.raises(ValidationError) as refusal:
        services.save_item(analyst, board, None, {"width": 4, **fields})
    assert field in refusal.value.message_dict
    assert words in " ".join(refusal.value.message_dict[field])
    assert board.items.count() == 0


def test_only_the_owner_changes_a_dashboard(analyst, catalog, db):
    board = services.save_dashboard(analyst, None, title="Của tôi", shared_with_all=True)
    colleague = user_with_role("center_analyst", "chuyen_vien_khac")
    with pytest.raises(PermissionDenied):
        services.save_dashboard(colleague, board, title="Của tôi nữa")
    assert client_for(colleague).get(f"/dashboards/{board.uid}/edit/").status_code == 403
    assert client_for(colleague).get(f"/dashboards/{board.uid}/").status_code == 200
    home = services.home_dashboard()
    assert home.editable_by(colleague)  # the center's own dashboards: any analyst
    with pytest.raises(ValidationError):
        services.delete_dashboard(analyst, home)
    services.delete_dashboard(analyst, board)
    assert not Dashboard.objects.filter(pk=board.pk).exists()


def test_a_title_and_a_sane_refresh_are_required(analyst):
    with pytest.raises(ValidationError):
        services.save_dashboard(analyst, None, title="  ")
    with pytest.raises(ValidationError):
        services.save_dashboard(analyst, None, title="Nhanh quá", refresh_seconds=5)


def test_pinning_twice_pins_once_and_pinned_come_first(analyst, leader):
    first = services.save_dashboard(analyst, None, title="A", shared_with_all=True)
    second = services.save_dashboard(analyst, None, title="B", shared_with_all=True)
    client = client_for(leader)
    for _ in range(2):
        client.post(f"/dashboards/{second.uid}/pin/", {"pinned": "1"})
    assert Favourite.objects.filter(user=leader).count() == 1
    listed = client.get("/dashboards/").context["dashboards"]
    assert [d.title for d in listed[:3]] == ["Toàn cảnh đất nước", "B", "A"]
    client.post(
        f"/dashboards/{second.uid}/pin/", {"pinned": "0", "next": f"/dashboards/{first.uid}/"}
    )
    assert not Favourite.objects.filter(user=leader).exists()
    assert client.get(f"/dashboards/{second.uid}/pin/").status_code == 405
    # Back where the user was, never to another site.
    for elsewhere in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        response = client.post(f"/dashboards/{second.uid}/pin/", {"next": elsewhere})
        assert response["Location"] == "/dashboards/"


def test_nobody_pins_what_they_may_not_see(analyst, leader):
    private = services.save_dashboard(analyst, None, title="Riêng")
    with pytest.raises(PermissionDenied):
        services.pin(leader, private)
    assert client_for(leader).post(f"/dashboards/{private.uid}/pin/").status_code == 403


def test_the_home_dashboard_is_made_once(leader):
    assert services.home_dashboard().pk == services.home_dashboard().pk
    assert Dashboard.objects.filter(is_home=True).count() == 1


def test_an_administrator_loads_the_official_boundaries_and_maps_draw_them(catalog, db, leader):
    admin = user_with_role("center_admin", "quan_tri_ban_do")
    client = client_for(admin)
    upload = SimpleUploadedFile(
        "ranh-gioi.geojson", boundary_file().encode(), "application/geo+json"
    )
    response = client.post(
        "/dashboards/boundaries/",
        {"name": "Bản đồ hành chính 2025", "source": "Bộ Tài nguyên và Môi trường", "file": upload},
        follow=True,
    )
    boundary = BoundaryMap.objects.get(active=True)
    assert boundary.provinces == ["01", "79"]
    assert "Không có" in response.content.decode()  # the feature not matched is named
    collection = json.loads(
        client_for(leader).get(f"/dashboards/boundaries/{boundary.pk}.geojson").content
    )
    assert [f["properties"]["code"] for f in collection["features"]] == ["01", "79"]
    item = services.home_dashboard().items.get(kind="map")
    html = client_for(leader).get(f"/dashboards/items/{item.pk}/").content.decode()
    assert '"kind": "geomap"' in html and f"/dashboards/boundaries/{boundary.pk}.geojson" in html
    assert AuditRecord.objects.filter(object_id=str(boundary.pk), action="add").exists()
    client.post("/dashboards/boundaries/", {"retire": boundary.pk})
    assert services.active_boundaries() is None
    assert (
        '"kind": "tilemap"'
        in client_for(leader).get(f"/dashboards/items/{item.pk}/").content.decode()
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("không phải JSON", "JSON"),
        (json.dumps({"type": "Feature"}), "FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "01"},
             "geometry": {"type": "Point", "coordinates": [105, 21]}}]}), "đa giác"),
        (json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "XX"}, "geometry": square(0, 0)}]}), "mã"),
    ],
)  # fmt: skip
def test_a_bad_boundary_file_is_refused_with_its_reason(catalog, db, text, words):
    admin = user_with_role("center_admin", "quan_tri_ban_do")
    with pytest.raises(ValidationError) as refusal:
        services.upload_boundaries(admin, name="Sai", source="", text=text)
    assert words in refusal.value.messages[0]
    assert not BoundaryMap.objects.exists()


def test_leaders_load_no_boundaries(leader):
    with pytest.raises(PermissionDenied):
        services.upload_boundaries(leader, name="Không", source="", text=boundary_file())
    assert client_for(leader).get("/dashboards/boundaries/").status_code == 403


def test_items_are_named_in_order(analyst):
    board = services.save_dashboard(analyst, None, title="Thứ tự")
    first = services.save_item(analyst, board, None, {"kind": "text", "text": "Một"})
    second = services.save_item(analyst, board, None, {"kind": "text", "text": "Hai"})
    assert (first.position, second.position) == (0, 1)
    services.move_item(analyst, first, -1)  # already first: nothing moves
    assert list(DashboardItem.objects.filter(dashboard=board).values_list("text", flat=True)) == [
        "Một",
        "Hai",
    ]
