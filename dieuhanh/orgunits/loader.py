"""Load the reference organisation units from the project's fixtures, idempotently.

The fixtures (``fixtures/``) hold the facts: the Government, the ministry-level bodies and
their 2025 history, the pre-reform structure (63 provinces, their districts and communes,
valid until 2025-06-30), the post-reform structure (34 provinces and 3,321 communes from
2025-07-01) with the official commune mapping, state-owned groups and their owners, and
the province groups. Every reference unit gets a uid derived from its natural key, so a
unit has the same uid on every installation and a second load changes nothing.

The load is set-based: it reads what exists, computes the difference and writes it with
bulk inserts and updates (with one audit record per written row), then rebuilds the
closure table once.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from dieuhanh.core.audit import audit_channel, build_change, snapshot
from dieuhanh.core.models import AuditRecord
from dieuhanh.orgunits.models import (
    UID_ALPHABET,
    UNIT_EDITABLE_FIELDS,
    OrgUnit,
    OrgUnitGroup,
    OrgUnitGroupSet,
    OrgUnitKind,
    OrgUnitParent,
    Succession,
    SuccessionKind,
)
from dieuhanh.orgunits.services import fill_derived_fields, hi, lo, rebuild_closure

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = FIXTURES / "vn_admin_2025"
REFORM_DAY = datetime.date(2025, 7, 1)
LAST_OLD_DAY = datetime.date(2025, 6, 30)
GOVERNMENT_FOUNDED = datetime.date(1945, 9, 2)
UNIT_FIELDS = (*UNIT_EDITABLE_FIELDS, "source")


def stable_uid(natural_key: str) -> str:
    """An 11-character uid derived from a natural key (the same on every installation)."""
    number = int.from_bytes(hashlib.sha256(natural_key.encode()).digest(), "big")
    letters = UID_ALPHABET[:52]
    chars = [letters[number % 52]]
    number //= 52
    for _ in range(10):
        chars.append(UID_ALPHABET[number % 62])
        number //= 62
    return "".join(chars)


def parse_day(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Plan:
    """The reference structure as the fixtures describe it, keyed by uid."""

    units: dict[str, dict] = field(default_factory=dict)
    edges: list[tuple[str, str, datetime.date | None, datetime.date | None]] = field(
        default_factory=list
    )
    successions: list[dict] = field(default_factory=list)
    group_sets: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def unit(self, key: str, **fields) -> str:
        uid = stable_uid(key)
        fields.setdefault("short_name", fields["name"])
        fields.setdefault("name_en", "")
        fields.setdefault("division_type", "")
        fields.setdefault("valid_from", None)
        fields.setdefault("valid_to", None)
        fields.setdefault("notes", "")
        self.units[uid] = fields
        return uid

    def admin_unit(self, key: str, row: dict, kind: str, source: str, **validity) -> str:
        """A province, district or commune from a row of the administrative fixtures."""
        return self.unit(
            key,
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            kind=kind,
            division_type=row["division_type"],
            source=source,
            **validity,
        )

    def edge(self, child: str, parent: str, valid_from=None, valid_to=None) -> None:
        """A parent link, clipped to the validity of both units."""
        c, p = self.units[child], self.units[parent]
        start = max(lo(valid_from), lo(c["valid_from"]), lo(p["valid_from"]))
        end = min(hi(valid_to), hi(c["valid_to"]), hi(p["valid_to"]))
        if start > end:
            raise ValueError(f"empty link {c['name']} -> {p['name']}")
        self.edges.append(
            (
                child,
                parent,
                None if start == lo(None) else start,
                None if end == hi(None) else end,
            )
        )

    def succession(
        self, predecessor, successor, day, kind, share=None, approximate=False, notes=""
    ):
        self.successions.append(
            {
                "predecessor": predecessor,
                "successor": successor,
                "effective_date": day,
                "kind": kind,
                "share": share,
                "approximate": approximate,
                "notes": notes,
            }
        )


def build_plan() -> Plan:
    plan = Plan()
    source_info = json.loads((ADMIN / "SOURCE.json").read_text(encoding="utf-8"))
    admin_source = (
        f"{source_info['package']} {source_info['version']} "
        f"(data {source_info['data_version']}, mapping {source_info['mapping_source']})"
    )
    government = plan.unit(
        "government",
        code="CP",
        name="Chính phủ",
        name_en="Government of Viet Nam",
        kind=OrgUnitKind.GOVERNMENT,
        valid_from=GOVERNMENT_FOUNDED,
        source="dieuhanh",
    )

    # Ministries and ministry-level bodies, with their 2025 history.
    agencies = {}
    rows = read_csv(FIXTURES / "agencies.csv")
    for row in rows:
        agencies[row["code"]] = plan.unit(
            f"agency:{row['code']}",
            code=row["code"],
            name=row["name_vi"],
            name_en=row["name_en"],
            kind=row["kind"],
            valid_from=parse_day(row["valid_from"]),
            valid_to=parse_day(row["valid_to"]),
            source="agencies.csv",
            notes=row["notes"],
        )
        plan.edge(agencies[row["code"]], government)
    for row in rows:
        targets = [code for code in row["successors"].split(";") if code]
        if not targets:
            continue
        day = parse_day(row["valid_to"]) + datetime.timedelta(days=1)
        notes = row["notes"]
        for target in targets:
            if len(targets) > 1:
                kind, share, approximate = SuccessionKind.SPLIT, None, True
            elif notes.startswith("became a body"):
                kind, share, approximate = SuccessionKind.TRANSFER, Decimal(1), False
            elif notes.startswith("became"):
                kind, share, approximate = SuccessionKind.UPGRADE, Decimal(1), False
            else:
                kind, share, approximate = SuccessionKind.MERGE, Decimal(1), False
            plan.succession(
                agencies[row["code"]], agencies[target], day, kind, share, approximate, notes
            )

    # Provinces: an old province that went alone into the new one with its own code is the
    # same unit across the reform; the others end on 2025-06-30 and new units begin.
    old_provinces = read_csv(ADMIN / "provinces_pre2025.csv")
    new_provinces = {row["code"]: row for row in read_csv(ADMIN / "provinces_2025.csv")}
    predecessors_of = defaultdict(list)
    for row in old_provinces:
        predecessors_of[row["successor_province_code"]].append(row["code"])
    continuing = {
        code for code, olds in predecessors_of.items() if olds == [code] and code in new_provinces
    }
    province_old: dict[str, str] = {}
    province_new: dict[str, str] = {}
    for code in sorted(continuing):
        row = new_provinces[code]
        uid = plan.admin_unit(
            f"vn:province:{code}",
            row,
            OrgUnitKind.PROVINCE,
            admin_source,
            notes="Không sáp nhập năm 2025 (unchanged by the 2025 reform)",
        )
        province_old[code] = province_new[code] = uid
        plan.edge(uid, government)
    for row in old_provinces:
        if row["code"] in continuing:
            continue
        uid = plan.admin_unit(
            f"vn:pre2025:province:{row['code']}",
            row,
            OrgUnitKind.PROVINCE,
            admin_source,
            valid_to=LAST_OLD_DAY,
        )
        province_old[row["code"]] = uid
        plan.edge(uid, government)
    for code, row in sorted(new_provinces.items()):
        if code in continuing:
            continue
        uid = plan.admin_unit(
            f"vn:2025:province:{code}",
            row,
            OrgUnitKind.PROVINCE,
            admin_source,
            valid_from=REFORM_DAY,
        )
        province_new[code] = uid
        plan.edge(uid, government)
    for row in old_provinces:
        if row["code"] in continuing:
            continue
        target = row["successor_province_code"]
        merged = len(predecessors_of[target]) > 1
        plan.succession(
            province_old[row["code"]],
            province_new[target],
            REFORM_DAY,
            SuccessionKind.MERGE if merged else SuccessionKind.RENAME,
            Decimal(1),
            False,
            "Nghị quyết 202/2025/QH15 (sắp xếp đơn vị hành chính cấp tỉnh)",
        )

    # Districts (abolished on 2025-07-01).
    districts = {}
    for row in read_csv(ADMIN / "districts_pre2025.csv"):
        uid = plan.admin_unit(
            f"vn:pre2025:district:{row['code']}",
            row,
            OrgUnitKind.DISTRICT,
            admin_source,
            valid_to=LAST_OLD_DAY,
        )
        districts[row["code"]] = uid
        plan.edge(uid, province_old[row["province_code"]])
        # No succession: the district level was abolished. map_to_structure maps a
        # district's data through its province (the parent on its last day).

    # Communes before and after; codes were reused, so each is its own unit.
    old_communes = {}
    for row in read_csv(ADMIN / "communes_pre2025.csv"):
        uid = plan.admin_unit(
            f"vn:pre2025:commune:{row['code']}",
            row,
            OrgUnitKind.COMMUNE,
            admin_source,
            valid_to=LAST_OLD_DAY,
        )
        old_communes[row["code"]] = (uid, row["name"])
        plan.edge(uid, districts[row["district_code"]])
    new_communes = {}
    for row in read_csv(ADMIN / "communes_2025.csv"):
        uid = plan.admin_unit(
            f"vn:2025:commune:{row['code']}",
            row,
            OrgUnitKind.COMMUNE,
            admin_source,
            valid_from=REFORM_DAY,
        )
        new_communes[row["code"]] = (uid, row["name"])
        plan.edge(uid, province_new[row["province_code"]])
    targets_of = defaultdict(list)
    sources_of = defaultdict(set)
    partly = {}
    for row in read_csv(ADMIN / "commune_mapping_2025.csv"):
        targets_of[row["old_code"]].append(row["new_code"])
        sources_of[row["new_code"]].add(row["old_code"])
        partly[row["old_code"]] = row["partly_merged"] == "1"
    for old_code, targets in sorted(targets_of.items()):
        old_uid, old_name = old_communes[old_code]
        for new_code in targets:
            new_uid, new_name = new_communes[new_code]
            if len(targets) > 1:
                kind = SuccessionKind.SPLIT
            elif len(sources_of[new_code]) > 1:
                kind = SuccessionKind.MERGE
            elif old_name == new_name:
                kind = SuccessionKind.TRANSFER
            else:
                kind = SuccessionKind.RENAME
            exact = len(targets) == 1 and not partly[old_code]
            plan.succession(
                old_uid,
                new_uid,
                REFORM_DAY,
                kind,
                Decimal(1) if exact else None,
                not exact,
                "sáp nhập một phần (partly merged)" if partly[old_code] else "",
            )

    # State-owned groups under their owners over time.
    for row in read_csv(FIXTURES / "state_groups.csv"):
        uid = plan.unit(
            f"state_group:{row['code']}",
            code=row["code"],
            name=row["name_vi"],
            name_en=row["name_en"],
            kind=OrgUnitKind.STATE_GROUP,
            source="state_groups.csv",
            notes=row["notes"],
        )
        for owner in row["owners"].split(";"):
            owner_code, interval = owner.split(":")
            start, _sep, end = interval.partition("..")
            plan.edge(uid, agencies[owner_code], parse_day(start), parse_day(end))

    # Group sets, groups and the provinces in them.
    for row in read_csv(FIXTURES / "groups.csv"):
        plan.group_sets[row["group_set_code"]] = {
            "name": row["group_set_name"],
            "name_en": row["group_set_name_en"],
            "exclusive": row["exclusive"] == "1",
        }
        plan.groups[row["group_code"]] = {
            "name": row["name"],
            "name_en": row["name_en"],
            "set": row["group_set_code"],
            "notes": row["notes"],
        }
    for row in read_csv(FIXTURES / "province_groups.csv"):
        table = province_old if row["structure"] == "pre2025" else province_new
        plan.members[row["group_code"]].add(table[row["province_code"]])
    return plan


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    successions_created: int = 0
    memberships_added: int = 0
    closure_rows: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.edges_created
            or self.edges_updated
            or self.successions_created
            or self.memberships_added
        )


@transaction.atomic
def load_reference_orgunits(actor=None) -> LoadReport:
    with audit_channel("command"):
        return _load(build_plan(), actor)


def _load(plan: Plan, actor) -> LoadReport:
    report = LoadReport()
    audit: list[AuditRecord] = []
    existing = {unit.uid: unit for unit in OrgUnit.objects.filter(uid__in=list(plan.units))}
    to_create, to_update = [], []
    for uid, fields in plan.units.items():
        unit = existing.get(uid)
        if unit is None:
            unit = OrgUnit(uid=uid, **fields)
            fill_derived_fields(unit)
            to_create.append(unit)
            continue
        before = snapshot(unit)
        for key in UNIT_FIELDS:
            setattr(unit, key, fields[key] if key in fields else getattr(unit, key))
        fill_derived_fields(unit)
        after = snapshot(unit)
        if after != before:
            to_update.append(unit)
            audit.append(build_change("update", unit, before=before, after=after, actor=actor))
        else:
            report.unchanged += 1
    OrgUnit.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        OrgUnit.objects.bulk_update(to_update, [*UNIT_FIELDS, "search_text"], batch_size=2000)
    report.created, report.updated = len(to_create), len(to_update)
    ids = dict(OrgUnit.objects.filter(uid__in=list(plan.units)).values_list("uid", "id"))
    created_units = {unit.uid for unit in to_create}
    for unit in OrgUnit.objects.filter(uid__in=created_units):
        audit.append(build_change("create", unit, before=None, after=snapshot(unit), actor=actor))

    # Parent links, keyed by (child, parent, start).
    current = {
        (edge.child_id, edge.parent_id, edge.valid_from): edge
        for edge in OrgUnitParent.objects.filter(child_id__in=ids.values()).select_related(
            "child", "parent"
        )
    }
    new_edges, changed_edges = [], []
    for child, parent, start, end in plan.edges:
        key = (ids[child], ids[parent], start)
        edge = current.get(key)
        if edge is None:
            new_edges.append(
                OrgUnitParent(child_id=key[0], parent_id=key[1], valid_from=start, valid_to=end)
            )
        elif edge.valid_to != end:
            before = snapshot(edge)
            edge.valid_to = end
            changed_edges.append(edge)
            audit.append(build_change("update", edge, before=before, after=snapshot(edge)))
    OrgUnitParent.objects.bulk_create(new_edges, batch_size=2000)
    if changed_edges:
        OrgUnitParent.objects.bulk_update(changed_edges, ["valid_to"], batch_size=2000)
    report.edges_created, report.edges_updated = len(new_edges), len(changed_edges)

    # Successions, keyed by (predecessor, successor, date).
    known = set(
        Succession.objects.filter(predecessor_id__in=ids.values()).values_list(
            "predecessor_id", "successor_id", "effective_date"
        )
    )
    new_successions = [
        Succession(
            predecessor_id=ids[item["predecessor"]],
            successor_id=ids[item["successor"]],
            effective_date=item["effective_date"],
            kind=item["kind"],
            share=item["share"],
            approximate=item["approximate"],
            notes=item["notes"],
        )
        for item in plan.successions
        if (ids[item["predecessor"]], ids[item["successor"]], item["effective_date"]) not in known
    ]
    Succession.objects.bulk_create(new_successions, batch_size=2000)
    report.successions_created = len(new_successions)

    if new_edges or new_successions:
        edge_keys = {(e.child_id, e.parent_id, e.valid_from) for e in new_edges}
        for edge in OrgUnitParent.objects.filter(
            child_id__in={e.child_id for e in new_edges}
        ).select_related("child", "parent"):
            if (edge.child_id, edge.parent_id, edge.valid_from) in edge_keys:
                audit.append(build_change("create", edge, before=None, after=snapshot(edge)))
        succession_keys = {
            (s.predecessor_id, s.successor_id, s.effective_date) for s in new_successions
        }
        for succession in Succession.objects.filter(
            predecessor_id__in={s.predecessor_id for s in new_successions}
        ).select_related("predecessor", "successor"):
            key = (succession.predecessor_id, succession.successor_id, succession.effective_date)
            if key in succession_keys:
                audit.append(
                    build_change("create", succession, before=None, after=snapshot(succession))
                )

    for code, fields in plan.group_sets.items():
        group_set, created = OrgUnitGroupSet.objects.get_or_create(code=code, defaults=fields)
        if created:
            audit.append(build_change("create", group_set, before=None, after=snapshot(group_set)))
    for code, fields in plan.groups.items():
        group, created = OrgUnitGroup.objects.get_or_create(
            code=code,
            defaults={
                "name": fields["name"],
                "name_en": fields["name_en"],
                "notes": fields["notes"],
                "group_set": OrgUnitGroupSet.objects.get(code=fields["set"]),
            },
        )
        if created:
            audit.append(build_change("create", group, before=None, after=snapshot(group)))
        wanted = {ids[uid] for uid in plan.members.get(code, ())}
        present = set(group.members.values_list("id", flat=True))
        missing = wanted - present
        if missing:
            group.members.add(*missing)
            report.memberships_added += len(missing)
            audit.append(
                build_change(
                    "update",
                    group,
                    before={"members": sorted(present)},
                    after={"members": sorted(present | missing)},
                )
            )

    AuditRecord.objects.bulk_create(audit, batch_size=2000)
    if report.created or report.edges_created or report.edges_updated or report.updated:
        report.closure_rows = rebuild_closure()
    return report
