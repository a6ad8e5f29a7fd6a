"""Every rule of the hierarchy, on a small synthetic structure."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dieuhanh.core.models import AuditRecord
from dieuhanh.orgunits import services
from dieuhanh.orgunits.models import OrgUnit, OrgUnitClosure, OrgUnitParent, Succession
from tests.orgunits.conftest import D

pytestmark = pytest.mark.django_db


def refused(code: str):
    class Catcher:
        def __enter__(self):
            self.ctx = pytest.raises(ValidationError)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            result = self.ctx.__exit__(*exc)
            assert self.info.value.code == code, self.info.value
            return result

    return Catcher()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
        ("Tỉnh Đắk Lắk", "tinh dak lak"),
        ("Bà Rịa - Vũng Tàu", "ba ria vung tau"),
        ("  NINH   BÌNH ", "ninh binh"),
    ],
)
def test_names_are_normalised_for_search(text, expected):
    assert services.normalize(text) == expected


def test_closure_answers_ancestors_and_descendants(tree):
    assert services.ancestors(tree["a1"], D(2020, 1, 1)) == [tree["root"], tree["alpha"]]
    assert set(services.descendants(tree["root"], D(2020, 1, 1))) == {
        tree["alpha"],
        tree["beta"],
        tree["a1"],
        tree["b1"],
    }
    assert list(services.descendants(tree["root"], D(2020, 1, 1), max_depth=1, kind="province"))
    assert services.ancestors(tree["a1"], D(1999, 12, 31)) == []
    assert services.depth_on(tree["a1"], D(2020, 1, 1)) == 3


def test_a_code_is_unique_within_one_validity_interval(tree, staff_user):
    with refused("duplicate_code") as error:
        services.create_unit(staff_user, code="A1", name="Xã Trùng", kind="commune")
    assert "A1" in str(error.value) and "Xã Trùng" in str(error.value)
    # Reusing a code after the first unit ended is allowed (as in 2025).
    services.end_unit(staff_user, tree["a1"], D(2025, 6, 30))
    reused = services.create_unit(
        staff_user,
        code="A1",
        name="Xã Mới",
        kind="commune",
        valid_from=D(2025, 7, 1),
        parent=tree["alpha"],
    )
    assert reused.uid != tree["a1"].uid


def test_a_validity_cannot_end_before_it_starts(db, staff_user):
    with refused("invalid_interval"):
        services.create_unit(
            staff_user,
            code="X",
            name="X",
            kind="facility",
            valid_from=D(2025, 1, 2),
            valid_to=D(2025, 1, 1),
        )


def test_a_unit_has_one_parent_on_any_day(tree, staff_user):
    with refused("overlapping_parents") as error:
        services.add_parent(staff_user, tree["a1"], tree["beta"], valid_from=D(2020, 1, 1))
    assert "Xã Một" in str(error.value) and "Alpha" in str(error.value)


def test_a_parent_cycle_is_refused(tree, staff_user):
    with refused("cycle"):
        services.move_unit(staff_user, tree["alpha"], tree["a1"], D(2020, 1, 1))
    with refused("cycle"):
        services.add_parent(staff_user, tree["root"], tree["root"])
    assert services.parent_on(tree["alpha"], D(2021, 1, 1)) == tree["root"]


def test_a_parent_link_stays_within_both_validities(tree, staff_user):
    late = services.create_unit(
        staff_user, code="L", name="Tỉnh Muộn", kind="province", valid_from=D(2030, 1, 1)
    )
    with refused("parent_outside_validity"):
        services.add_parent(staff_user, late, tree["root"], valid_from=D(2029, 1, 1))
    with refused("parent_outside_validity"):
        services.update_unit(staff_user, tree["a1"], valid_from=D(2010, 1, 1))


def test_moving_a_unit_changes_its_ancestors_from_that_day(tree, staff_user):
    services.move_unit(staff_user, tree["a1"], tree["beta"], D(2025, 7, 1))
    assert services.ancestors(tree["a1"], D(2025, 6, 30))[-1] == tree["alpha"]
    assert services.ancestors(tree["a1"], D(2025, 7, 1))[-1] == tree["beta"]
    assert tree["a1"] in services.descendants(tree["alpha"], D(2025, 6, 30))
    assert tree["a1"] not in services.descendants(tree["alpha"], D(2025, 7, 1))
    # The closure table was maintained for the subtree only, and is what a rebuild gives.
    rows = set(
        OrgUnitClosure.objects.values_list(
            "ancestor", "descendant", "depth", "valid_from", "valid_to"
        )
    )
    services.rebuild_closure()
    assert rows == set(
        OrgUnitClosure.objects.values_list(
            "ancestor", "descendant", "depth", "valid_from", "valid_to"
        )
    )


def test_a_unit_with_children_cannot_end_before_they_move(tree, staff_user):
    with refused("unit_has_children") as error:
        services.end_unit(staff_user, tree["alpha"], D(2025, 6, 30))
    assert "Xã Một" in str(error.value)


@pytest.fixture
def merged(tree, staff_user):
    """Alpha and Beta merge into Gamma on 2025-07-01."""
    return services.record_reform(
        staff_user,
        D(2025, 7, 1),
        new_units=[
            services.NewUnitSpec(
                key="gamma",
                code="G",
                name="Tỉnh Gamma",
                short_name="Gamma",
                kind="province",
                parent=tree["root"].uid,
            )
        ],
        moves=[
            services.MoveSpec(unit=tree["a1"].uid, parent="gamma"),
            services.MoveSpec(unit=tree["b1"].uid, parent="gamma"),
        ],
        ended=[tree["alpha"].uid, tree["beta"].uid],
        successions=[
            services.SuccessionSpec(tree["alpha"].uid, "gamma", "merge", Decimal(1)),
            services.SuccessionSpec(tree["beta"].uid, "gamma", "merge", Decimal(1)),
        ],
    )["gamma"]


def test_a_reform_merges_provinces_in_one_transaction(tree, merged):
    assert services.units_on(D(2025, 6, 30), "province").count() == 2
    assert list(services.units_on(D(2025, 7, 1), "province")) == [merged]
    assert set(services.descendants(merged, D(2025, 7, 1))) == {tree["a1"], tree["b1"]}
    assert sorted(p.unit.code for p in services.predecessors(merged)) == ["A", "B"]
    mapping = services.map_to_structure([tree["alpha"]], D(2025, 7, 1))[tree["alpha"].pk]
    assert [(t.unit, t.share) for t in mapping] == [(merged, Decimal(1))]


def test_a_reform_that_breaks_a_rule_writes_nothing(tree, staff_user):
    units, links, changes = (
        OrgUnit.objects.count(),
        OrgUnitParent.objects.count(),
        AuditRecord.objects.count(),
    )
    with refused("unit_has_children"):
        services.record_reform(
            staff_user,
            D(2025, 7, 1),
            new_units=[
                services.NewUnitSpec(
                    key="g", code="G", name="Gamma", kind="province", parent=tree["root"].uid
                )
            ],
            ended=[tree["alpha"].uid],  # its commune was not moved
        )
    assert (
        OrgUnit.objects.count(),
        OrgUnitParent.objects.count(),
        AuditRecord.objects.count(),
    ) == (units, links, changes)


def test_succession_rules(tree, staff_user):
    with refused("predecessor_still_valid"):
        services.record_succession(staff_user, tree["alpha"], tree["beta"], D(2025, 7, 1), "merge")
    services.end_unit(staff_user, tree["b1"], D(2025, 6, 30))
    with refused("successor_starts_before_predecessor_ends") as error:
        services.record_succession(staff_user, tree["b1"], tree["a1"], D(2025, 6, 30), "merge")
    assert "30/06/2025" in str(error.value)
    future = services.create_unit(
        staff_user, code="F", name="Xã Tương Lai", kind="commune", valid_from=D(2026, 1, 1)
    )
    with refused("successor_not_valid"):
        services.record_succession(staff_user, tree["b1"], future, D(2025, 7, 1), "merge")
    services.record_succession(
        staff_user, tree["b1"], tree["a1"], D(2025, 7, 1), "split", Decimal("0.6")
    )
    with refused("shares_exceed_whole"):
        services.record_succession(
            staff_user, tree["b1"], tree["beta"], D(2025, 7, 1), "split", Decimal("0.5")
        )
    # A transfer of part of a unit that continues is allowed.
    services.record_succession(
        staff_user, tree["alpha"], tree["beta"], D(2025, 7, 1), "transfer", Decimal("0.1")
    )


def test_a_repeated_succession_changes_nothing(tree, staff_user):
    services.end_unit(staff_user, tree["b1"], D(2025, 6, 30))
    first = services.record_succession(staff_user, tree["b1"], tree["a1"], D(2025, 7, 1), "merge")
    changes = AuditRecord.objects.count()
    again = services.record_succession(staff_user, tree["b1"], tree["a1"], D(2025, 7, 1), "merge")
    assert again.pk == first.pk
    assert Succession.objects.count() == 1 and AuditRecord.objects.count() == changes


def test_lineage_spans_several_reforms_and_multiplies_shares(tree, merged, staff_user):
    services.record_reform(
        staff_user,
        D(2030, 1, 1),
        new_units=[
            services.NewUnitSpec(
                key="d", code="D", name="Tỉnh Delta", kind="province", parent=tree["root"].uid
            ),
            services.NewUnitSpec(
                key="e", code="E", name="Tỉnh Epsilon", kind="province", parent=tree["root"].uid
            ),
        ],
        moves=[
            services.MoveSpec(unit=tree["a1"].uid, parent="d"),
            services.MoveSpec(unit=tree["b1"].uid, parent="e"),
        ],
        ended=[merged.uid],
        successions=[
            services.SuccessionSpec(merged.uid, "d", "split", Decimal("0.7")),
            services.SuccessionSpec(merged.uid, "e", "split", Decimal("0.3")),
        ],
    )
    delta = OrgUnit.objects.get(code="D")
    lineage = {p.unit.code: p for p in services.predecessors(delta)}
    assert lineage["G"].steps == 1 and lineage["A"].steps == 2
    assert [p.unit.code for p in services.predecessors(delta, transitive=False)] == ["G"]
    mapping = services.map_to_structure([tree["alpha"]], D(2030, 1, 1))[tree["alpha"].pk]
    assert {t.unit.code: t.share for t in mapping} == {"D": Decimal("0.7"), "E": Decimal("0.3")}
    successors = {s.unit.code: s.share for s in services.successors(tree["alpha"])}
    assert successors == {"G": Decimal(1), "D": Decimal("0.7"), "E": Decimal("0.3")}


def test_every_write_leaves_a_change_record(tree, staff_user):
    services.update_unit(staff_user, tree["alpha"], name_en="Alpha Province")
    record = AuditRecord.objects.filter(object_id=str(tree["alpha"].pk), action="update").first()
    assert record.user == staff_user
    assert record.changes["name_en"] == ("", "Alpha Province")
    # An update that changes nothing writes nothing.
    before = AuditRecord.objects.count()
    services.update_unit(staff_user, tree["alpha"], name_en="Alpha Province")
    assert AuditRecord.objects.count() == before
