#!/usr/bin/env python3
"""Build the organisation-unit fixtures of dieuhanh from the `vietnam-provinces` wheel.

The product never reads the package at run time: this developer tool copies the facts into
dieuhanh/orgunits/fixtures/vn_admin_2025/ (CSV), with SOURCE.json recording where they came
from. The package declares Python >= 3.12, so its data modules are parsed with `ast`,
never imported or executed.

    python scripts/build_orgunit_fixtures.py [path/to/vietnam_provinces-2026.9.0-py3-none-any.whl]

Without a path the wheel is fetched from PyPI with `pip download`.
"""

from __future__ import annotations

import ast
import csv
import datetime
import json
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

PACKAGE = "vietnam-provinces"
VERSION = "2026.9.0"
OUT = Path(__file__).resolve().parent.parent / "dieuhanh/orgunits/fixtures/vn_admin_2025"

# Known defects of the package's data, corrected here: (old commune, field, wrong, right, why)
CORRECTIONS = [
    (
        27691,
        "province_code",
        82,
        80,
        "Phường 4, Tân An city (district 794) belongs to Long An (80), not Tiền Giang (82)",
    ),
    (
        30781,
        "province_code",
        89,
        91,
        "Xã Tiên Hải, Hà Tiên city (district 900) belongs to Kiên Giang (91), not An Giang (89)",
    ),
]


def fetch_wheel() -> Path:
    target = Path(tempfile.mkdtemp())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.12",
            f"{PACKAGE}=={VERSION}",
            "-d",
            str(target),
        ],
        check=True,
    )
    return next(target.glob("*.whl"))


def literal(node: ast.AST):
    """The value of a literal, or of an enum attribute such as ProvinceCode.P_01 (-> 'P_01')."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return (node.func.id, [literal(arg) for arg in node.args])
    if isinstance(node, ast.Tuple):
        return [literal(element) for element in node.elts]
    raise ValueError(f"unexpected node {ast.dump(node)[:80]}")


def assignments(source: str) -> dict[str, ast.AST]:
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = node.value
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
        elif isinstance(node, ast.ClassDef):
            found[node.name] = node
    return found


def enum_values(class_node: ast.ClassDef) -> dict[str, str]:
    return {
        statement.targets[0].id: statement.value.value
        for statement in class_node.body
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
    }


def short_name(name: str) -> str:
    for prefix in (
        "Thành phố ",
        "Tỉnh ",
        "Quận ",
        "Huyện ",
        "Thị xã ",
        "Phường ",
        "Xã ",
        "Thị trấn ",
        "Đặc khu ",
    ):
        if name.startswith(prefix) and not name[len(prefix) :].isdigit():
            return name[len(prefix) :]
    return name


def write(name: str, header: list[str], rows) -> int:
    rows = list(rows)
    with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    wheel = Path(sys.argv[1]) if len(sys.argv) > 1 else fetch_wheel()
    archive = zipfile.ZipFile(wheel)

    def read(member: str) -> str:
        return archive.read(f"vietnam_provinces/{member}").decode("utf-8")

    types = enum_values(assignments(read("legacy/base.py"))["VietNamDivisionType"])
    legacy = assignments(read("legacy/_lookup.py"))
    old_provinces = {}
    for key, value in zip(
        legacy["PROVINCE_MAPPING"].keys, legacy["PROVINCE_MAPPING"].values, strict=True
    ):
        _, (name, _code, kind, *_rest) = literal(value)
        old_provinces[literal(key)] = (name, types[kind])
    old_districts = {}
    for key, value in zip(
        legacy["DISTRICT_MAPPING"].keys, legacy["DISTRICT_MAPPING"].values, strict=True
    ):
        _, (name, _code, kind, _codename, province) = literal(value)
        old_districts[literal(key)] = (name, types[kind], int(province.split("_")[1]))
    old_communes = {}
    for key, value in zip(legacy["WARD_MAPPING"].keys, legacy["WARD_MAPPING"].values, strict=True):
        _, (name, _code, kind, _codename, district) = literal(value)
        district_code = int(district.split("_")[1])
        old_communes[literal(key)] = (
            name,
            types[kind],
            district_code,
            old_districts[district_code][2],
        )

    nested = json.loads(read("data/nested-divisions.json"))
    new_provinces = {p["code"]: (p["name"], p["division_type"]) for p in nested}
    new_communes = {
        w["code"]: (w["name"], w["division_type"], p["code"]) for p in nested for w in p["wards"]
    }

    conversion = assignments(read("_ward_conversion_2025.py"))
    mapping = []  # (old commune, old district, old province, new commune, new province, partly)
    for value in conversion["OLD_TO_NEW"].values:
        _, (old_ref, new_refs) = literal(value)
        _, (old_code, district_code, province_code, partly) = old_ref
        for correction in CORRECTIONS:
            if correction[0] == old_code and province_code == correction[2]:
                province_code = correction[3]
        for _, (new_code, new_province) in new_refs:
            mapping.append((old_code, district_code, province_code, new_code, new_province, partly))

    # Checks: every referenced unit exists, parents agree, each old province went whole
    # into exactly one new province.
    problems = []
    # Rows naming an old commune that the pre-2025 list does not have (no name is known
    # for it): left out and recorded in SOURCE.json.
    skipped = sorted({row[0] for row in mapping if row[0] not in old_communes})
    mapping = [row for row in mapping if row[0] in old_communes]
    province_targets: dict[int, set[int]] = defaultdict(set)
    for old_code, _district_code, province_code, new_code, new_province, _ in mapping:
        if old_communes[old_code][3] != province_code:
            problems.append(
                f"old commune {old_code}: province {province_code} in the mapping, "
                f"{old_communes[old_code][3]} in the list"
            )
        if new_communes.get(new_code, (None, None, None))[2] != new_province:
            problems.append(f"new commune {new_code} is not in new province {new_province}")
        province_targets[province_code].add(new_province)
    for province, targets in sorted(province_targets.items()):
        if len(targets) != 1:
            problems.append(f"old province {province} maps to several new provinces {targets}")
    missing = sorted(set(old_provinces) - set(province_targets))
    if missing:
        problems.append(f"old provinces without successor: {missing}")
    if problems:
        sys.exit("fixture check failed:\n  " + "\n  ".join(problems))

    OUT.mkdir(parents=True, exist_ok=True)
    counts = {
        "provinces_pre2025.csv": write(
            "provinces_pre2025.csv",
            ["code", "name", "short_name", "division_type", "successor_province_code"],
            [
                (f"{c:02d}", n, short_name(n), t, f"{next(iter(province_targets[c])):02d}")
                for c, (n, t) in sorted(old_provinces.items())
            ],
        ),
        "districts_pre2025.csv": write(
            "districts_pre2025.csv",
            ["code", "name", "short_name", "division_type", "province_code"],
            [
                (f"{c:03d}", n, short_name(n), t, f"{p:02d}")
                for c, (n, t, p) in sorted(old_districts.items())
            ],
        ),
        "communes_pre2025.csv": write(
            "communes_pre2025.csv",
            ["code", "name", "short_name", "division_type", "district_code", "province_code"],
            [
                (f"{c:05d}", n, short_name(n), t, f"{d:03d}", f"{p:02d}")
                for c, (n, t, d, p) in sorted(old_communes.items())
            ],
        ),
        "provinces_2025.csv": write(
            "provinces_2025.csv",
            ["code", "name", "short_name", "division_type"],
            [(f"{c:02d}", n, short_name(n), t) for c, (n, t) in sorted(new_provinces.items())],
        ),
        "communes_2025.csv": write(
            "communes_2025.csv",
            ["code", "name", "short_name", "division_type", "province_code"],
            [
                (f"{c:05d}", n, short_name(n), t, f"{p:02d}")
                for c, (n, t, p) in sorted(new_communes.items())
            ],
        ),
        "commune_mapping_2025.csv": write(
            "commune_mapping_2025.csv",
            ["old_code", "old_province_code", "new_code", "new_province_code", "partly_merged"],
            [
                (f"{o:05d}", f"{p:02d}", f"{n:05d}", f"{np:02d}", int(partly))
                for o, _d, p, n, np, partly in sorted(mapping)
            ],
        ),
    }
    unmapped = sorted(set(old_communes) - {row[0] for row in mapping})
    source = {
        "package": PACKAGE,
        "version": VERSION,
        "data_version": assignments(read("__init__.py"))["__data_version__"].value,
        "mapping_source": assignments(read("_ward_conversion_2025.py"))["SOURCE"].value,
        "effective_date": "2025-07-01",
        "built_on": datetime.date.today().isoformat(),
        "codes": "national statistics office codes (provinces 2 digits, districts 3, communes 5)",
        "corrections": [
            {"old_commune": f"{c:05d}", "field": f, "was": w, "now": r, "why": why}
            for c, f, w, r, why in CORRECTIONS
        ],
        "mapping_rows_left_out_unknown_old_commune": [f"{c:05d}" for c in skipped],
        "old_communes_without_successor_in_the_mapping": [f"{c:05d}" for c in unmapped],
        "counts": counts,
    }
    (OUT / "SOURCE.json").write_text(json.dumps(source, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(source, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
