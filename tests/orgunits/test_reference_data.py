"""The real 2025 restructuring, loaded from the project's fixtures, through the API."""

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal

import pytest

from dieuhanh.core.models import AuditRecord
from dieuhanh.orgunits import services
from dieuhanh.orgunits.loader import ADMIN, load_reference_orgunits, stable_uid
from dieuhanh.orgunits.models import (
    OrgUnit,
    OrgUnitClosure,
    OrgUnitGroup,
    OrgUnitGroupSet,
    OrgUnitKind,
    Succession,
)
from tests.orgunits.conftest import D, province

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference")]


def count(client, **params):
    response = client.get("/api/v1/orgunits/", {**params, "limit": 1})
    assert response.status_code == 200, response.content
    return response.json()["count"]


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        ("province", "2025-06-30", 63),
        ("province", "2025-07-01", 34),
        ("commune", "2025-07-01", 3321),
        ("commune", "2025-06-30", 10051),
        ("district", "2025-06-30", 696),
        ("district", "2025-07-01", 0),
        ("ministry", "2025-02-28", 18),
        ("ministry_level", "2025-02-28", 4),
        ("ministry", "2025-03-01", 14),
        ("ministry_level", "2025-03-01", 3),
    ],
)
def test_the_structure_on_each_side_of_the_reforms(client, kind, day, expected):
    assert count(client, kind=kind, as_of=day) == expected


def test_ninh_binh_is_found_without_diacritics_and_knows_its_three_predecessors(client):
    body = client.get(
        "/api/v1/orgunits/", {"q": "ninh binh", "kind": "province", "as_of": "2025-07-01"}
    ).json()
    assert body["count"] == 1
    ninh_binh = body["results"][0]
    assert ninh_binh["name"] == "Tỉnh Ninh Bình"
    assert ninh_binh["valid_from"] == "2025-07-01"
    predecessors = client.get(f"/api/v1/orgunits/{ninh_binh['uid']}/predecessors/").json()
    assert sorted(p["short_name"] for p in predecessors) == ["Hà Nam", "Nam Định", "Ninh Bình"]
    assert {p["succession"] for p in predecessors} == {"merge"}
    assert all(p["valid_to"] == "2025-06-30" for p in predecessors)


def test_ha_noi_came_through_unchanged_and_has_no_predecessor(client):
    body = client.get(
        "/api/v1/orgunits/", {"q": "Hà Nội", "kind": "province", "as_of": "2025-07-01"}
    ).json()
    ha_noi = body["results"][0]
    assert ha_noi["valid_from"] is None and ha_noi["valid_to"] is None
    assert client.get(f"/api/v1/orgunits/{ha_noi['uid']}/predecessors/").json() == []
    # The same unit before the reform, with its districts then and its wards now.
    before = client.get(
        "/api/v1/orgunits/", {"q": "ha noi", "kind": "province", "as_of": "2024-01-01"}
    ).json()["results"]
    assert [u["uid"] for u in before] == [ha_noi["uid"]]
    unit = OrgUnit.objects.get(uid=ha_noi["uid"])
    assert services.children_on(unit, D(2025, 6, 30)).filter(kind="district").count() == 30
    assert services.children_on(unit, D(2025, 7, 1)).filter(kind="commune").count() == 126


def test_a_former_name_finds_its_successor_and_codes_are_searchable(client):
    found = client.get(
        "/api/v1/orgunits/", {"q": "ha nam", "kind": "province", "as_of": "2025-07-01"}
    ).json()["results"]
    assert [u["short_name"] for u in found] == ["Ninh Bình"]
    by_code = client.get(
        "/api/v1/orgunits/", {"q": "37", "kind": "province", "as_of": "2025-07-01"}
    ).json()["results"]
    assert [u["short_name"] for u in by_code] == ["Ninh Bình"]
    assert count(client, q="Hồ Chí Minh", kind="province", as_of="2025-07-01") == 1


def test_the_two_data_defects_are_corrected():
    long_an = province("Long An", D(2025, 6, 30))
    phuong_4 = OrgUnit.objects.get(code="27691", valid_to=D(2025, 6, 30))
    assert long_an in services.ancestors(phuong_4, D(2025, 6, 30))
    tien_hai = OrgUnit.objects.get(code="30781", valid_to=D(2025, 6, 30))
    assert province("Kiên Giang", D(2025, 6, 30)) in services.ancestors(tien_hai, D(2025, 6, 1))
    source = json.loads((ADMIN / "SOURCE.json").read_text())
    assert {c["old_commune"] for c in source["corrections"]} == {"27691", "30781"}
    assert source["package"] == "vietnam-provinces" and source["version"] == "2026.9.0"


def test_every_old_province_went_whole_into_one_new_province():
    before, after = D(2025, 6, 30), D(2025, 7, 1)
    province_of_old = dict(
        OrgUnitClosure.objects.filter(
            ancestor__kind="province", valid_from__lte=before, valid_to__gte=before
        ).values_list("descendant_id", "ancestor_id")
    )
    province_of_new = dict(
        OrgUnitClosure.objects.filter(
            ancestor__kind="province", valid_from__lte=after, valid_to__gte=after
        ).values_list("descendant_id", "ancestor_id")
    )
    successor_of = defaultdict(set)
    for old, new in Succession.objects.filter(predecessor__kind="province").values_list(
        "predecessor_id", "successor_id"
    ):
        successor_of[old].add(new)
    reached = defaultdict(set)
    for old, new in Succession.objects.filter(predecessor__kind="commune").values_list(
        "predecessor_id", "successor_id"
    ):
        reached[province_of_old[old]].add(province_of_new[new])
    for old in services.units_on(before, OrgUnitKind.PROVINCE):
        if old.valid_to is None:  # came through unchanged: its communes stay inside it
            assert not successor_of[old.pk] and reached[old.pk] == {old.pk}, old
        else:
            assert len(successor_of[old.pk]) == 1, old
            assert reached[old.pk] == successor_of[old.pk], old


def test_group_sets_say_whether_their_groups_exclude_each_other(client):
    regions = OrgUnitGroupSet.objects.get(code="SOCIO_ECONOMIC_REGION")
    assert regions.exclusive and regions.groups.count() == 6
    assert not OrgUnitGroupSet.objects.get(code="PROVINCE_CHARACTERISTIC").exclusive
    assert OrgUnitGroup.objects.get(code="RESERVOIR").members.count() == 0
    listed = {g["code"]: g for g in client.get("/api/v1/orgunits/groups/").json()}
    # Quảng Ninh, Thanh Hóa, Nghệ An, Hà Tĩnh and Huế came through unchanged: counted once.
    assert listed["COASTAL"]["members"] == 28 + 21 - 5
    assert listed["REGION_MD"]["exclusive"] is True


def test_ancestors_and_descendants_follow_the_date():
    ninh_binh_2025 = province("Ninh Bình", D(2025, 7, 1))
    assert services.descendants(ninh_binh_2025, D(2025, 7, 1), kind="commune").count() == 129
    assert services.descendants(ninh_binh_2025, D(2025, 6, 30)).count() == 0
    ward = services.children_on(ninh_binh_2025, D(2025, 7, 1)).first()
    assert [u.short_name for u in services.ancestors(ward, D(2025, 7, 1))] == [
        "Chính phủ",
        "Ninh Bình",
    ]
    old_commune = OrgUnit.objects.get(code="00004", valid_to=D(2025, 6, 30))
    chain = services.ancestors(old_commune, D(2025, 6, 30))
    assert [u.kind for u in chain] == ["government", "province", "district"]
    assert services.ancestors(old_commune, D(2025, 7, 1)) == []
    assert services.level_on(D(2025, 7, 1), 2).filter(kind="province").count() == 34
    assert services.level_on(D(2025, 6, 30), 4).count() == 10051


def test_map_to_structure_adds_up_old_units_into_new_ones():
    day_after = D(2025, 7, 1)
    ha_nam = province("Hà Nam", D(2025, 6, 30))
    ninh_binh = province("Ninh Bình", day_after)
    mapping = services.map_to_structure([ha_nam], day_after)[ha_nam.pk]
    assert [(t.unit, t.share, t.approximate) for t in mapping] == [(ninh_binh, Decimal(1), False)]

    split = (
        Succession.objects.filter(kind="split", predecessor__kind="commune")
        .values_list("predecessor", flat=True)
        .first()
    )
    commune = OrgUnit.objects.get(pk=split)
    targets = services.map_to_structure([commune], day_after)[commune.pk]
    assert len(targets) >= 2
    assert sum(t.share for t in targets) == pytest.approx(Decimal(1))
    assert all(t.approximate for t in targets)

    district = OrgUnit.objects.filter(kind="district", valid_to=D(2025, 6, 30)).first()
    (target,) = services.map_to_structure([district], day_after)[district.pk]
    assert target.unit.kind == "province" and target.via_parent and target.share == 1

    back = services.map_to_structure([ninh_binh], D(2025, 6, 30))[ninh_binh.pk]
    assert sorted(t.unit.short_name for t in back) == ["Hà Nam", "Nam Định", "Ninh Bình"]
    assert all(t.approximate for t in back)


def test_the_map_endpoint_returns_shares_per_unit(client):
    ha_nam = province("Hà Nam", D(2025, 6, 30))
    ha_noi = province("Hà Nội", D(2025, 7, 1))
    body = client.get(
        "/api/v1/orgunits/map", {"units": f"{ha_nam.uid},{ha_noi.uid}", "date": "2025-07-01"}
    ).json()
    assert [item["uid"] for item in body] == [ha_nam.uid, ha_noi.uid]
    assert body[0]["targets"][0]["name"] == "Ninh Bình"
    assert body[1]["targets"] == [
        {
            "uid": ha_noi.uid,
            "name": "Hà Nội",
            "share": "1.000000",
            "approximate": False,
            "via_parent": False,
        }
    ]
    missing = client.get("/api/v1/orgunits/map", {"units": "nosuchunit1"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_ministries_and_state_groups_carry_their_2025_history():
    finance = OrgUnit.objects.get(code="BTC")
    absorbed = sorted(p.unit.code for p in services.predecessors(finance))
    assert absorbed == ["BHXH", "BKHDT", "UBQLV"]
    labour = OrgUnit.objects.get(code="BLDTBXH")
    split = services.successors(labour)
    assert sorted(s.unit.code for s in split) == ["BGDDT", "BNNMT", "BNV", "BYT"]
    assert all(s.approximate and s.kind == "split" for s in split)
    ethnic = services.successors(OrgUnit.objects.get(code="UBDT"))
    assert [(s.unit.code, s.kind) for s in ethnic] == [("BDTTG", "upgrade")]
    evn = OrgUnit.objects.get(code="EVN")
    assert services.parent_on(evn, D(2024, 6, 1)).code == "UBQLV"
    assert services.parent_on(evn, D(2025, 3, 1)).code == "BTC"
    assert services.parent_on(OrgUnit.objects.get(code="VIETTEL"), D(2025, 3, 1)).code == "BQP"


@pytest.mark.parametrize(
    ("group", "day", "expected"),
    [
        ("REGION_RRD", "2025-07-01", 6),
        ("REGION_RRD", "2025-06-30", 11),
        ("COASTAL", "2025-07-01", 21),
        ("COASTAL", "2025-06-30", 28),
        ("BORDER", "2025-06-30", 25),
        ("CENTRAL_CITY", "2025-07-01", 6),
    ],
)
def test_groups_of_provinces_on_each_side_of_the_reform(client, group, day, expected):
    assert count(client, group=group, kind="province", as_of=day) == expected


def test_regions_cover_every_province_exactly_once(client):
    for day, total in (("2025-06-30", 63), ("2025-07-01", 34)):
        counts = [
            count(client, group=code, kind="province", as_of=day)
            for code in (
                "REGION_NMM",
                "REGION_RRD",
                "REGION_NCC",
                "REGION_CH",
                "REGION_SE",
                "REGION_MD",
            )
        ]
        assert sum(counts) == total


def test_export_as_of_a_date_and_every_version(client):
    response = client.get("/api/v1/orgunits/export", {"format": "csv", "as_of": "2025-07-01"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    provinces = [r for r in rows if r["kind"] == "province"]
    assert len(provinces) == 34 and {r["level"] for r in provinces} == {"2"}
    assert sum(1 for r in rows if r["kind"] == "commune") == 3321

    response = client.get("/api/v1/orgunits/export", {"format": "json"})
    body = json.loads(b"".join(response.streaming_content))
    uid = body["columns"].index("uid")
    assert len({row[uid] for row in body["rows"]}) == OrgUnit.objects.count()
    assert client.get("/api/v1/orgunits/export", {"format": "xml"}).status_code == 422


def test_a_second_load_changes_nothing_and_uids_are_stable():
    changes_before = AuditRecord.objects.count()
    report = load_reference_orgunits()
    assert not report.changed
    assert report.unchanged == OrgUnit.objects.filter(source__gt="").count()
    assert AuditRecord.objects.count() == changes_before
    assert province("Hà Nội", D(2025, 7, 1)).uid == stable_uid("vn:province:01")


def test_the_list_paginates(client):
    first = client.get(
        "/api/v1/orgunits/", {"kind": "province", "as_of": "2025-07-01", "limit": 20}
    ).json()
    assert len(first["results"]) == 20 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 14 and second["next"] is None
    uids = {u["uid"] for u in first["results"]} | {u["uid"] for u in second["results"]}
    assert len(uids) == 34
    assert client.get("/api/v1/orgunits/", {"limit": 0}).status_code == 422
    assert client.get("/api/v1/orgunits/", {"as_of": "30/06/2025"}).status_code == 422
